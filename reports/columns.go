package reports

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// Field is what a spreadsheet column holds.
type Field string

// The fields an import understands.
const (
	FieldNone          Field = ""
	FieldExternalID    Field = "external_id"
	FieldFirstName     Field = "first_name"
	FieldLastName      Field = "last_name"
	FieldFullName      Field = "full_name" // "Last, First" or "First Last"
	FieldPreferredName Field = "preferred_name"
	FieldEmail         Field = "email"
	FieldPhone         Field = "phone"
	FieldBirthDate     Field = "birth_date"
	FieldSex           Field = "sex"
	FieldPostalCode    Field = "postal_code"
	FieldLanguage      Field = "language"
	FieldNotes         Field = "notes"
	FieldTags          Field = "tags"
	FieldPromoOptIn    Field = "promo_opt_in"   // yes: opted in to promotions; "opted out": opted out
	FieldCareReminders Field = "care_reminders" // no or "opted out": opted out of care reminders
	FieldOptOut        Field = "opt_out"        // yes: no emails at all (care and promotions)
	FieldDoNotContact  Field = "do_not_contact" // yes: never contact
	FieldStatus        Field = "status"         // Deceased, Inactive, Archived, Moved: archived (never contacted)
	FieldInactive      Field = "inactive"       // a yes/no column "Deceased", "Archived" or "Inactive": yes is archived
	FieldVisitDate     Field = "visit_date"
	FieldService       Field = "service"
	// Appointments: the export's appointment id, the start's time of day
	// (when not in the date's cell), who sees the patient. The status
	// column says booked, cancelled, no-show or completed.
	FieldAppointmentID Field = "appointment_id"
	FieldTime          Field = "time"
	FieldProvider      Field = "provider"
)

// fieldWords name the fields as people do: in the command line's output,
// in --map and in the import's notes. The window's choices say more
// (PatientFieldChoices).
var fieldWords = map[Field]string{
	FieldExternalID: "practice id", FieldFirstName: "first name", FieldLastName: "last name", FieldFullName: "full name",
	FieldPreferredName: "preferred name", FieldEmail: "email", FieldPhone: "phone", FieldBirthDate: "date of birth",
	FieldSex: "sex", FieldPostalCode: "postal code", FieldLanguage: "language", FieldNotes: "notes", FieldTags: "tags",
	FieldPromoOptIn: "promotions", FieldCareReminders: "care reminders", FieldOptOut: "opted out",
	FieldDoNotContact: "do not contact", FieldStatus: "status", FieldInactive: "deceased or inactive",
	FieldVisitDate: "visit date", FieldService: "service",
	FieldAppointmentID: "appointment id", FieldTime: "time", FieldProvider: "provider",
}

// FieldChoice is a field as the window offers it for a column.
type FieldChoice struct {
	Field Field
	Label string
}

// PatientFieldChoices are the fields a patient import offers for a column,
// in the window's order, with what each reads ("(skip this column)" first).
var PatientFieldChoices = []FieldChoice{
	{FieldNone, "(skip this column)"}, {FieldExternalID, "Practice ID"}, {FieldFullName, "Full name (Last, First)"},
	{FieldLastName, "Last name"}, {FieldFirstName, "First name"}, {FieldPreferredName, "Preferred name"},
	{FieldEmail, "Email"}, {FieldPhone, "Phone"}, {FieldBirthDate, "Date of birth"}, {FieldSex, "Sex"},
	{FieldPostalCode, "Postal code"}, {FieldLanguage, "Language"}, {FieldNotes, "Notes"}, {FieldTags, "Tags"},
	{FieldPromoOptIn, "Promotions (yes / opted out)"}, {FieldCareReminders, "Care reminders (allowed / opted out)"},
	{FieldOptOut, "Opted out of all email (yes/no)"},
	{FieldDoNotContact, "Do not contact (yes/no)"},
	{FieldStatus, "Status (deceased, inactive, moved: archived)"},
	{FieldInactive, "Deceased or inactive (yes/no)"},
}

// VisitFieldChoices are the fields a visit import offers for a column.
var VisitFieldChoices = []FieldChoice{
	{FieldNone, "(skip this column)"}, {FieldExternalID, "Practice ID (the patient's)"}, {FieldEmail, "Email"},
	{FieldBirthDate, "Date of birth"}, {FieldVisitDate, "Visit date"}, {FieldService, "Service"},
}

// AppointmentFieldChoices are the fields an appointment import offers for
// a column.
var AppointmentFieldChoices = []FieldChoice{
	{FieldNone, "(skip this column)"}, {FieldAppointmentID, "Appointment ID"}, {FieldExternalID, "Practice ID (the patient's)"},
	{FieldEmail, "Email"}, {FieldBirthDate, "Date of birth"}, {FieldVisitDate, "Date (and time)"}, {FieldTime, "Time"},
	{FieldService, "Service"}, {FieldProvider, "Provider"}, {FieldStatus, "Status (booked, cancelled, no-show, completed)"},
}

// FieldLabel is the field as the window's choice names it.
func FieldLabel(f Field) string { return FieldLabelIn(PatientFieldChoices, f) }

// FieldLabelIn is the field as a list of choices names it.
func FieldLabelIn(choices []FieldChoice, f Field) string {
	for _, c := range choices {
		if c.Field == f {
			return c.Label
		}
	}
	return f.Words()
}

// Words is the field in words ("date of birth").
func (f Field) Words() string {
	if w, ok := fieldWords[f]; ok {
		return w
	}
	return string(f)
}

// ParseField reads a field as people write it ("date of birth", "DOB",
// "birth_date"); "ignore", "skip" and "none" are FieldNone.
func ParseField(s string) (Field, error) {
	key := headerKey(s)
	switch key {
	case "ignore", "skip", "none", "":
		return FieldNone, nil
	}
	for f, w := range fieldWords {
		if headerKey(w) == key || headerKey(string(f)) == key {
			return f, nil
		}
	}
	for _, f := range allFields {
		for _, syn := range synonyms[f] {
			if syn == key {
				return f, nil
			}
		}
	}
	var names []string
	for _, w := range fieldWords {
		names = append(names, w)
	}
	sort.Strings(names)
	return FieldNone, fmt.Errorf("%q is not a field Kindly knows (choose one of: %s, ignore)", s, strings.Join(names, ", "))
}

// synonyms are header names seen in exports - dental and medical practice
// systems (Open Dental, Dentrix, Eaglesoft, athenahealth, Epic, Cliniko,
// Jane), Outlook and Google contact exports, Mailchimp audiences - in
// English, German, French and Spanish. They are compared after lower-casing
// and dropping everything but letters and digits; where several columns
// name one field, the one whose name comes first here is used (a mobile
// number before a home number).
var synonyms = map[Field][]string{
	FieldExternalID: {"id", "practiceid", "patnum", "patientid", "patientno", "patientnumber", "patientnr", "patid", "chartno",
		"chartnumber", "chart", "mrn", "medicalrecordnumber", "recordno", "recordnumber", "accountno", "accountnumber", "account",
		"externalid", "pid", "fileno", "clientid", "clientnumber", "patnr", "patientennummer", "patientennr", "karteinr",
		"karteinummer", "patientrecordnumber", "recordnumberpatient", "ndossier", "numérodedossier", "numerodedossier", "dossier", "nºhistoria", "nhistoria", "historia",
		"númerodehistoria", "numerodehistoria", "idpaciente", "nºpaciente", "numeropaciente"},
	FieldFirstName: {"firstname", "first", "givenname", "given", "forename", "fname", "patientfirstname", "vorname", "prénom",
		"prenom", "nombredepila"},
	FieldLastName: {"lastname", "last", "surname", "familyname", "family", "lname", "patientlastname", "nachname", "familienname",
		"nom", "nomdefamille", "apellido", "apellidos", "primerapellido"},
	FieldFullName: {"name", "patientname", "fullname", "nameofpatient", "patientsname", "lastfirst", "lastnamefirstname",
		"clientname", "patient", "nombre", "nombrecompleto", "nomcomplet", "vollständigername", "patientenname"},
	FieldPreferredName: {"preferredname", "preferred", "nickname", "knownas", "callname", "goesby", "rufname", "surnom", "apodo"},
	FieldEmail: {"email", "emailaddress", "mail", "emailaddr", "electronicmail", "mailaddress", "emailid", "patientemail",
		"email1value", "emailadresse", "courriel", "adresseemail", "adresseélectronique", "correo", "correoelectrónico",
		"correoelectronico", "email1", "primaryemail"},
	FieldPhone: {"mobile", "mobilephone", "mobilenumber", "wirelessphone", "cell", "cellphone", "cellnumber", "patientcellphone", "patientmobileno", "patientmobilephone", "patientmobile", "patientcell",
		"patientcellno", "mobileno", "cellno",
		"mobil", "mobiltelefon", "telefonmobil", "mobiltelefonnummer", "telmobil", "handy", "handynummer", "portable", "téléphoneportable", "móvil", "movil", "celular", "phone",
		"telephone", "phonenumber", "phoneno", "phone1value", "primaryphone", "tel", "contactnumber", "telefon", "téléphone",
		"teléfono", "homephone", "hmphone", "telefonprivat", "wkphone", "workphone", "businessphone",
		// athenahealth and eClinicalWorks ("PATIENT MOBILE NO", "PATIENT HOME PHONE"), Open Dental, Kareo/Tebra, Doctolib
		"patienthomephone", "patientphone", "patientphoneno", "homephoneno", "wirelessphoneno", "telportable", "numérodetéléphone",
		"numerodetelephone", "telefonnummer"},
	FieldBirthDate: {"dob", "dateofbirth", "birthdate", "birthday", "born", "birth", "patientdob", "birthdt", "geburtsdatum",
		"gebdatum", "geboren", "geburtstag", "datedenaissance", "néele", "neele", "fechadenacimiento", "nacimiento"},
	FieldSex: {"sex", "gender", "mf", "patientsex", "geschlecht", "sexe", "sexo", "género", "genero"},
	FieldPostalCode: {"zip", "zipcode", "postcode", "postalcode", "postal", "zippostal", "postcodezip", "homepostalcode", "patientzip", "plz", "postleitzahl", "codepostal", "códigopostal", "codigopostal", "cp",
		// Google Contacts ("Address 1 - Postal Code"), Outlook, athenahealth, eClinicalWorks
		"address1postalcode", "businesspostalcode", "otherpostalcode", "patientzipcode", "patientpostalcode", "zippostalcode", "zip5", "ptzip"},
	FieldLanguage: {"language", "lang", "preferredlanguage", "sprache", "langue", "idioma"},
	FieldNotes:    {"notes", "note", "comments", "comment", "remarks", "memo", "bemerkung", "bemerkungen", "notiz", "notizen", "remarques", "commentaires", "notas", "observaciones"},
	FieldTags:     {"tags", "tag", "groups", "interests", "programs", "programmes", "categories", "labels", "gruppen", "étiquettes", "etiquetas"},
	FieldPromoOptIn: {"promotions", "promooptin", "marketingconsent", "marketing", "optin", "newsletter", "emailoptin", "marketingoptin",
		"acceptsmarketing", "werbung", "infolettre", "boletín", "boletin", "publicidad"},
	FieldCareReminders: {"carereminders", "reminders", "careconsent", "reminderconsent", "remindersallowed", "carereminder", "recall",
		"erinnerungen", "rappels", "recordatorios", "recallconsent", "recalleinwilligung", "einwilligungrecall", "einwilligungerinnerung",
		"erinnerungseinwilligung", "consentementrappel"},
	FieldOptOut:       {"optout", "optedout", "unsubscribed", "unsubscribe", "noemail", "emailoptout", "abgemeldet", "désabonné", "baja"},
	FieldDoNotContact: {"donotcontact", "dnc", "nocontact", "donotemail", "donotmail", "keinkontakt", "nepascontacter", "nocontactar"},
	FieldStatus: {"status", "patstatus", "patientstatus", "accountstatus", "patientenstatus", "statut", "estado",
		"aptstatus", "appointmentstatus", "terminstatus", "confirmed"},
	FieldInactive: {"deceased", "dead", "archived", "inactive", "moved", "verstorben", "archiviert", "inaktiv", "décédé", "archivé",
		"inactif", "fallecido", "archivado", "inactivo"},
	FieldVisitDate: {"visitdate", "date", "dateofservice", "servicedate", "dos", "appointmentdate", "visit", "datevisited", "treatmentdate",
		"aptdatetime", "appointmentdatetime", "aptdate", "apptdate", "start", "startdate", "starts", "termin", "termindatum", "daterendezvous",
		"fechacita",
		"datum", "besuchsdatum", "behandlungsdatum", "datedevisite", "fecha", "fechadevisita"},
	FieldService: {"service", "procedure", "procdescript", "aptprocs", "procedures", "apptreason", "appointmentreason", "motif",
		"motifdeconsultation", "terminart", "termingrund", "grund", "motivo", "treatment", "visittype", "type", "servicename", "description", "appointmenttype", "reason",
		"leistung", "behandlung", "prestation", "soin", "servicio", "tratamiento"},
	FieldAppointmentID: {"appointmentid", "apptid", "aptnum", "appointmentnumber", "appointmentno", "bookingid", "terminid", "terminnummer",
		"idrendezvous", "idcita"},
	FieldTime: {"time", "starttime", "appointmenttime", "apttime", "appttime", "uhrzeit", "zeit", "beginn", "heure", "hora"},
	FieldProvider: {"provider", "doctor", "dentist", "practitioner", "prov", "provabbr", "provnum", "clinician", "arzt", "ärztin", "behandler", "praticien",
		"médecin", "medico", "médico"},
}

// allFields in a fixed order, for lookups that must not depend on map order.
var allFields = []Field{FieldExternalID, FieldFirstName, FieldLastName, FieldFullName, FieldPreferredName, FieldEmail,
	FieldPhone, FieldBirthDate, FieldSex, FieldPostalCode, FieldLanguage, FieldNotes, FieldTags, FieldPromoOptIn,
	FieldCareReminders, FieldOptOut, FieldDoNotContact, FieldStatus, FieldInactive, FieldVisitDate, FieldService,
	FieldAppointmentID, FieldTime, FieldProvider}

// patientFields and visitFields are the fields each import maps.
var (
	patientFields = []Field{FieldExternalID, FieldFirstName, FieldLastName, FieldFullName, FieldPreferredName, FieldEmail,
		FieldPhone, FieldBirthDate, FieldSex, FieldPostalCode, FieldLanguage, FieldNotes, FieldTags, FieldPromoOptIn,
		FieldCareReminders, FieldOptOut, FieldDoNotContact, FieldStatus, FieldInactive}
	visitFields = []Field{FieldExternalID, FieldEmail, FieldBirthDate, FieldVisitDate, FieldService}
	apptFields  = []Field{FieldAppointmentID, FieldExternalID, FieldEmail, FieldBirthDate, FieldVisitDate, FieldTime, FieldService,
		FieldProvider, FieldStatus}
)

// PatientFields are the fields a patient import can map, for pickers.
func PatientFields() []Field { return append([]Field{}, patientFields...) }

func headerKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// guessField names the field a header stands for, among allowed, and how
// good a name for it the header is (0 best).
func guessField(header string, allowed []Field) (Field, int) {
	key := headerKey(header)
	if key == "" {
		return FieldNone, 0
	}
	for _, f := range allowed {
		for rank, s := range synonyms[f] {
			if key == s {
				return f, rank
			}
		}
	}
	return FieldNone, 0
}

// Mapping says which field each column holds, by column index.
type Mapping map[int]Field

// columns indexes a mapping by field: the first column holding each field.
func (m Mapping) columns() map[Field]int {
	out := map[Field]int{}
	for c, f := range m {
		if old, ok := out[f]; !ok || c < old {
			out[f] = c
		}
	}
	return out
}

// column returns the column holding f, or -1.
func (m Mapping) column(f Field) int {
	if c, ok := m.columns()[f]; ok {
		return c
	}
	return -1
}

// guess is a guessed mapping with what the practice should know about it.
type guess struct {
	mapping Mapping
	notes   []string
}

// guessMapping maps the header row's columns. A field named by several
// columns is read from the best-named one, and the others are named in a
// note; hidden columns are not read. A "Name" beside a first-name column
// is the last name (German "Name" + "Vorname"), and a "Nombre" beside a
// last-name column the first name (Spanish "Nombre" + "Apellido").
func guessMapping(header []string, hidden []bool, allowed []Field) guess {
	type candidate struct{ col, rank int }
	cands := map[Field][]candidate{}
	g := guess{mapping: Mapping{}}
	for i, h := range header {
		if i < len(hidden) && hidden[i] && strings.TrimSpace(h) != "" {
			g.notes = append(g.notes, fmt.Sprintf("Column %q is hidden in the sheet, so it is not read (map it by hand to read it).", h))
			continue
		}
		f, rank := guessField(h, allowed)
		if f == FieldNone {
			continue
		}
		cands[f] = append(cands[f], candidate{i, rank})
	}
	for _, f := range allowed {
		cs := cands[f]
		if len(cs) == 0 {
			continue
		}
		sort.SliceStable(cs, func(a, b int) bool { return cs[a].rank < cs[b].rank })
		g.mapping[cs[0].col] = f
		for _, other := range cs[1:] {
			g.notes = append(g.notes, fmt.Sprintf("Columns %q and %q both look like %s: %q is read, %q is not (map it by hand to change that).",
				header[cs[0].col], header[other.col], f.Words(), header[cs[0].col], header[other.col]))
		}
	}
	full, hasFull := g.mapping.columns()[FieldFullName]
	_, hasFirst := g.mapping.columns()[FieldFirstName]
	_, hasLast := g.mapping.columns()[FieldLastName]
	switch {
	case hasFull && hasFirst && !hasLast:
		g.mapping[full] = FieldLastName
	case hasFull && hasLast && !hasFirst:
		g.mapping[full] = FieldFirstName
	}
	return g
}

// headerScore is how many known fields a row names.
func headerScore(row []string, allowed []Field) int {
	seen := map[Field]bool{}
	for _, h := range row {
		if f, _ := guessField(h, allowed); f != FieldNone {
			seen[f] = true
		}
	}
	return len(seen)
}

// headerSearchRows is how far down a sheet the column names are looked for.
const headerSearchRows = 30

// findHeader picks, among the first rows, the one that names the most
// known fields: title rows and blank rows above it are skipped.
func findHeader(rows [][]string, allowed []Field) (int, error) {
	best, bestScore := -1, 0
	for i := 0; i < len(rows) && i < headerSearchRows; i++ {
		if score := headerScore(rows[i], allowed); score > bestScore {
			best, bestScore = i, score
		}
	}
	if bestScore < 2 {
		return -1, fmt.Errorf("%w: the first rows should name the columns (e.g. Last name, First name, Email, Date of birth)", ErrNoHeader)
	}
	return best, nil
}

// bestHeaderScore is the score of the best header among a sheet's first rows.
func bestHeaderScore(rows [][]string, allowed []Field) int {
	best := 0
	for i := 0; i < len(rows) && i < headerSearchRows; i++ {
		best = max(best, headerScore(rows[i], allowed))
	}
	return best
}
