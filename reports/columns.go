package reports

import (
	"fmt"
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
	FieldVisitDate     Field = "visit_date"
	FieldService       Field = "service"
)

// synonyms are header names seen in practice systems' exports, compared
// after lower-casing and dropping everything but letters and digits.
var synonyms = map[Field][]string{
	FieldExternalID:    {"id", "practiceid", "practicenumber", "patientid", "patientno", "patientnumber", "patientnr", "chartno", "chartnumber", "chart", "mrn", "medicalrecordnumber", "recordno", "recordnumber", "accountno", "accountnumber", "externalid", "pid", "fileno"},
	FieldFirstName:     {"firstname", "first", "givenname", "given", "forename", "fname", "vorname", "prenom"},
	FieldLastName:      {"lastname", "last", "surname", "familyname", "family", "lname", "nachname", "nom"},
	FieldFullName:      {"name", "patientname", "fullname", "nameofpatient", "patientsname", "lastfirst", "lastnamefirstname", "clientname", "patient"},
	FieldPreferredName: {"preferredname", "preferred", "nickname", "knownas", "callname", "goesby"},
	FieldEmail:         {"email", "emailaddress", "mail", "emailaddr", "electronicmail", "mailaddress", "emailid", "patientemail"},
	FieldPhone:         {"phone", "telephone", "phonenumber", "phoneno", "mobile", "mobilephone", "mobilenumber", "cell", "cellphone", "cellnumber", "tel", "homephone", "contactnumber", "telefon", "handy"},
	FieldBirthDate:     {"dob", "dateofbirth", "birthdate", "birthday", "born", "birth", "geburtsdatum", "datenaissance", "birthdt"},
	FieldSex:           {"sex", "gender", "mf", "geschlecht"},
	FieldPostalCode:    {"zip", "zipcode", "postcode", "postalcode", "plz", "postal", "zippostal", "postcodezip"},
	FieldLanguage:      {"language", "lang", "preferredlanguage", "sprache"},
	FieldNotes:         {"notes", "note", "comments", "comment", "remarks", "memo"},
	FieldTags:          {"tags", "tag", "groups", "interests", "programs", "programmes", "categories", "labels"},
	FieldPromoOptIn:    {"promotions", "promooptin", "marketingconsent", "marketing", "optin", "newsletter", "emailoptin", "marketingoptin", "acceptsmarketing"},
	FieldCareReminders: {"carereminders", "reminders", "careconsent", "reminderconsent", "remindersallowed", "carereminder"},
	FieldOptOut:        {"optout", "optedout", "unsubscribed", "unsubscribe", "noemail", "emailoptout"},
	FieldDoNotContact:  {"donotcontact", "dnc", "nocontact", "donotemail", "donotmail"},
	FieldVisitDate:     {"visitdate", "date", "dateofservice", "servicedate", "dos", "appointmentdate", "visit", "datevisited", "treatmentdate"},
	FieldService:       {"service", "procedure", "treatment", "visittype", "type", "servicename", "description", "appointmenttype", "reason"},
}

// patientFields and visitFields are the fields each import maps.
var (
	patientFields = []Field{FieldExternalID, FieldFirstName, FieldLastName, FieldFullName, FieldPreferredName, FieldEmail,
		FieldPhone, FieldBirthDate, FieldSex, FieldPostalCode, FieldLanguage, FieldNotes, FieldTags, FieldPromoOptIn,
		FieldCareReminders, FieldOptOut, FieldDoNotContact}
	visitFields = []Field{FieldExternalID, FieldEmail, FieldBirthDate, FieldVisitDate, FieldService}
)

func headerKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// guessField names the field a header stands for, among allowed.
func guessField(header string, allowed []Field) Field {
	key := headerKey(header)
	if key == "" {
		return FieldNone
	}
	for _, f := range allowed {
		for _, s := range synonyms[f] {
			if key == s {
				return f
			}
		}
	}
	return FieldNone
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

// guessMapping maps the header row's columns; a field is taken by its first column only.
func guessMapping(header []string, allowed []Field) Mapping {
	m := Mapping{}
	taken := map[Field]bool{}
	for i, h := range header {
		f := guessField(h, allowed)
		if f != FieldNone && !taken[f] {
			m[i] = f
			taken[f] = true
		}
	}
	return m
}

// findHeader picks, among the first rows, the one that names the most
// known fields: title rows and blank rows above it are skipped.
func findHeader(rows [][]string, allowed []Field) (int, error) {
	best, bestScore := -1, 0
	for i := 0; i < len(rows) && i < 30; i++ {
		if score := len(guessMapping(rows[i], allowed)); score > bestScore {
			best, bestScore = i, score
		}
	}
	if bestScore < 2 {
		return -1, fmt.Errorf("no header row found: the first rows should name the columns (e.g. Last name, First name, Email, Date of birth)")
	}
	return best, nil
}
