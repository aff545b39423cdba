package reports

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"kindly/data"
)

// rowRead is one sheet row read as a patient: what to save, what to check,
// and what its consent and status cells say.
type rowRead struct {
	patient data.Patient
	tags    []string
	flags   []string // imported anyway, but to check: an unusable address left empty, a placeholder date, ...
	archive bool     // deceased, inactive, archived or moved: never contacted
	// What the consent cells say (consentUnsaid when nothing).
	promo, care       consent
	optOut, doNotMail bool
	// careGiven: the care column says yes in words of consent ("yes",
	// "ja"), not Kindly's own "allowed" (care reminders not opted out).
	careGiven          bool
	unreadableConsents bool
	moreNotes          string // what the row's cells hold that has no field of its own (a second address)
}

// errNotAName: a name cell holding only digits or punctuation ("7" under
// "Total patients:").
var errNotAName = errors.New("the name is only digits or punctuation, not a name")

// isName: a name has a letter in it.
func isName(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// readEmail reads the email cell: invisible characters out (flagged when
// they were there), the first of several addresses kept and the others put
// in the notes, an unusable address left empty.
func (r *rowRead) readEmail(cell string, flag func(string, ...any)) {
	raw := strings.TrimSpace(data.OneLine(cell))
	if raw == "" {
		return
	}
	clean := data.NormalizeEmail(raw)
	if clean != strings.ToLower(raw) {
		flag("the email had invisible characters (a zero-width or no-break space), taken out: check %s", clean)
	}
	if parts := strings.FieldsFunc(clean, func(r rune) bool { return r == ';' || r == ',' || r == ' ' || r == '/' }); len(parts) > 1 {
		clean = parts[0]
		r.moreNotes = "Other email addresses: " + strings.Join(parts[1:], ", ")
		flag("the email cell holds %d addresses: the first is the email, the others are in the notes - check which is the patient's", len(parts))
	}
	probe := data.Patient{LastName: "x", Email: clean}
	if err := probe.Normalize(); err != nil {
		flag("email not usable: %q (the patient is imported without an address)", clean)
		return
	}
	r.patient.Email = clean
}

// readPatient reads the mapped cells of one row. A bad cell never costs
// the patient: it is left empty and the row flagged; only a row without a
// usable name is rejected. Consent cells that cannot be read count as "do
// not email" - the safe reading.
func (p *Plan) readPatient(cells []string, today data.Date) (rowRead, error) {
	var r rowRead
	flag := func(format string, args ...any) { r.flags = append(r.flags, fmt.Sprintf(format, args...)) }
	// val is a cell's text; an Excel error value (#N/A, #REF!) is no value.
	errorNames := []string{}
	val := func(f Field) string {
		v, _ := p.cell(cells, f)
		if isExcelError(v) {
			if f == FieldFirstName || f == FieldLastName || f == FieldFullName {
				errorNames = append(errorNames, v)
			}
			flag("%s: %s is an Excel error, left empty", f.Words(), v)
			return ""
		}
		return v
	}
	text := func(f Field) string {
		v := data.OneLine(val(f))
		if looksLikeFormula(v) {
			flag("%s %q looks like a formula: check it", f.Words(), v)
		}
		return v
	}
	pat := &r.patient
	pat.ExternalID = data.OneLine(cleanNumberText(data.DropInvisible(val(FieldExternalID))))
	pat.FirstName, pat.LastName = text(FieldFirstName), text(FieldLastName)
	if full := text(FieldFullName); full != "" && pat.FirstName == "" && pat.LastName == "" {
		pat.FirstName, pat.LastName = splitFullName(full)
	}
	if pat.FirstName != "" && !isName(pat.FirstName) || pat.LastName != "" && !isName(pat.LastName) {
		return r, fmt.Errorf("%w: %q", errNotAName, strings.TrimSpace(pat.FirstName+" "+pat.LastName))
	}
	r.readEmail(val(FieldEmail), flag)
	if pat.FirstName == "" && pat.LastName == "" {
		if len(errorNames) > 0 && pat.Email != "" {
			// The name cell's formula failed, but the row is a patient's:
			// named from the address until the practice corrects it.
			local, _, _ := strings.Cut(pat.Email, "@")
			pat.LastName = local
			flag("the name is an Excel error (%s): named %q from the email address - correct the name", strings.Join(errorNames, ", "), local)
		} else if len(errorNames) > 0 {
			return r, fmt.Errorf("the name is an Excel error (%s), not a name", strings.Join(errorNames, ", "))
		} else {
			return r, errors.New("no name")
		}
	}
	pat.PreferredName = text(FieldPreferredName)
	pat.Phone = data.OneLine(cleanNumberText(data.DropInvisible(val(FieldPhone))))
	if v := val(FieldBirthDate); v != "" {
		d, err := parseDate(v, p.DateOrder, p.Table.Date1904, today)
		switch {
		case errors.Is(err, errPlaceholderDate):
			flag("date of birth %q is a placeholder, not a date: left empty", v)
		case err != nil:
			flag("date of birth not readable (%v): left empty", err)
		case today.Before(d):
			flag("date of birth %s is in the future: left empty", d)
		default:
			pat.BirthDate = d
		}
	}
	if sex, err := parseSex(val(FieldSex)); err != nil {
		flag("%v: left empty", err)
	} else {
		pat.Sex = sex
	}
	pat.PostalCode = data.OneLine(cleanNumberText(data.DropInvisible(val(FieldPostalCode))))
	if p.decided.padZips {
		if padded := padUSZip(pat.PostalCode); padded != pat.PostalCode {
			pat.PostalCode = padded
			p.zipsPadded++
		}
	}
	pat.Language = text(FieldLanguage)
	pat.Notes = data.CleanText(strings.TrimSpace(val(FieldNotes) + "\n" + r.moreNotes))
	if looksLikeFormula(pat.Notes) {
		flag("notes %q look like a formula: check them", pat.Notes)
	}
	r.tags = splitTags(text(FieldTags))
	r.readConsent(val, flag)
	r.readStatus(val, flag)
	pat.Archived = r.archive
	return r, nil
}

// readConsent reads the consent columns. What cannot be read is taken the
// safe way: not opted in to promotions, opted out of the rest.
func (r *rowRead) readConsent(val func(Field) string, flag func(string, ...any)) {
	read := func(f Field) consent {
		v := val(f)
		c, err := parseConsent(v)
		if err == nil {
			return c
		}
		r.unreadableConsents = true
		if f == FieldPromoOptIn {
			flag("%s: %q is not yes or no: not opted in", f.Words(), v)
			return consentUnsaid
		}
		flag("%s: %q is not yes or no: taken as opted out - check it", f.Words(), v)
		if f == FieldCareReminders {
			return consentOptedOut
		}
		return consentYes // opted out / do not contact: yes
	}
	r.promo, r.care = read(FieldPromoOptIn), read(FieldCareReminders)
	word := strings.ToLower(strings.TrimSpace(val(FieldCareReminders)))
	r.careGiven = r.care == consentYes && word != "allowed" && word != "subscribed"
	r.optOut = read(FieldOptOut) == consentYes
	r.doNotMail = read(FieldDoNotContact) == consentYes
}

// readStatus reads a status column (Deceased, Inactive, ...) and a yes/no
// column such as "Deceased" or "Archived".
func (r *rowRead) readStatus(val func(Field) string, flag func(string, ...any)) {
	if v := val(FieldStatus); v != "" {
		archive, known := parseStatus(v)
		if !known {
			flag("status %q is not one Kindly knows: the patient is kept as active - check it", v)
		}
		r.archive = r.archive || archive
	}
	if v := val(FieldInactive); v != "" {
		c, err := parseConsent(v)
		if err != nil {
			if archive, known := parseStatus(v); known {
				r.archive = r.archive || archive
				return
			}
			flag("deceased or inactive: %q is not yes or no: taken as yes (archived) - check it", v)
			c = consentYes
		}
		r.archive = r.archive || c == consentYes
	}
}

// footerRe matches the first cell of totals and footer rows that sheets
// end with: "Total patients: 200", "Count: 7", "Page 1 of 3".
var footerRe = regexp.MustCompile(`(?i)^\s*(total|totals|grand total|sum|count|number of|summe|gesamt|anzahl|insgesamt|somme|nombre de|total de|cantidad|page \d+|seite \d+|printed|generated|exported|report|end of|\*+)\b`)

// footer says what a totals or footer row says, or "" for another row. Such
// a row fills at most three cells, one of them a number or a sum word.
func footer(cells []string) string {
	var filled []string
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" {
			filled = append(filled, c)
		}
	}
	if len(filled) == 0 || len(filled) > 3 || !footerRe.MatchString(filled[0]) {
		return ""
	}
	return strings.Join(filled, " ")
}
