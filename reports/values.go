package reports

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"

	"kindly/data"
)

// DateOrder says how to read a date like 03/04/1960, where both parts could
// be the month.
type DateOrder int

// The two readings of an ambiguous slashed date.
const (
	MonthFirst DateOrder = iota // 03/04/1960 is 4 March (US)
	DayFirst                    // 03/04/1960 is 3 April (UK, most of Europe)
)

func (o DateOrder) String() string {
	if o == DayFirst {
		return "day first"
	}
	return "month first"
}

var serialNumber = regexp.MustCompile(`^\d{1,6}(\.\d+)?$`)

// parseDate reads a date cell: an Excel serial number (counted from 1904
// when date1904, as the workbook says), ISO, US or European text, or a
// written-out month. today bounds two-digit years (a birth year "25" in
// 2026 is 2025; "40" is 1940).
func parseDate(s string, order DateOrder, date1904 bool, today data.Date) (data.Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return data.Date{}, nil
	}
	if serialNumber.MatchString(s) {
		f, _ := strconv.ParseFloat(s, 64)
		return serialDate(f, date1904, s)
	}
	return data.ReadDate(s, order == DayFirst, today)
}

// serialDate converts an Excel serial day number to a date, with
// excelize's own conversion (the 1900 system's fictitious 29 February 1900
// included). The time of day, if any, is dropped.
func serialDate(f float64, date1904 bool, s string) (data.Date, error) {
	if f < 1 || f > 120000 {
		return data.Date{}, fmt.Errorf("%q is not a date", s)
	}
	t, err := excelize.ExcelDateToTime(math.Floor(f), date1904)
	if err != nil {
		return data.Date{}, fmt.Errorf("%q is not a date", s)
	}
	return data.DateOf(t), nil
}

// cleanNumberText undoes what a spreadsheet does to digits stored as a
// number: "5551234567.0" or "5.551234567E9" back to "5551234567".
func cleanNumberText(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.IndexFunc(s, func(r rune) bool { return !strings.ContainsRune("0123456789.eE+-", r) }) >= 0 {
		return s
	}
	if strings.ContainsAny(s, "eE") || strings.HasSuffix(s, ".0") {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1e15 {
			return strconv.FormatInt(int64(f), 10)
		}
	}
	return s
}

func parseSex(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case "f", "female", "w", "woman", "girl", "weiblich", "femme", "féminin", "feminin", "mujer", "femenino", "fem":
		return "F", nil
	case "m", "male", "man", "boy", "männlich", "h", "homme", "masculin", "hombre", "masculino", "varón", "varon", "masc":
		return "M", nil
	case "x", "d", "diverse", "other", "non-binary", "nonbinary", "divers", "u", "unknown":
		return "X", nil
	}
	return "", fmt.Errorf("%q is not a sex Kindly knows (F, M or X)", s)
}

// consent is what a consent cell says.
type consent int

const (
	consentUnsaid   consent = iota // "", unknown
	consentYes                     // yes, opted in, allowed
	consentNo                      // no
	consentOptedOut                // opted out, unsubscribed: the patient said so
)

// parseConsent reads a yes/no or consent cell, in the words sheets use and
// in the words Kindly's own export writes (allowed, opted in, opted out,
// unknown).
func parseConsent(s string) (consent, error) {
	switch strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(s, "_", " ")), " ")) {
	case "", "-", "?", "unknown", "not asked", "n/a", "na":
		return consentUnsaid, nil
	case "n", "no", "false", "0", "none":
		return consentNo, nil
	case "opted out", "opt-out", "opt out", "out", "unsubscribed":
		return consentOptedOut, nil
	case "y", "yes", "true", "1", "x", "✓", "✔", "ja", "opted in", "opt-in", "opt in", "in", "allowed", "subscribed":
		return consentYes, nil
	}
	return consentUnsaid, fmt.Errorf("%q is not yes or no", s)
}

// splitFullName reads "Last, First" or "First Last".
func splitFullName(s string) (first, last string) {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ","); i >= 0 {
		return strings.TrimSpace(s[i+1:]), strings.TrimSpace(s[:i])
	}
	if i := strings.LastIndex(s, " "); i >= 0 {
		return s[:i], s[i+1:]
	}
	return "", s
}

// splitTags reads "diabetes-program; smoker, newsletter".
func splitTags(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// errPlaceholderDate: a date with a year like 0001 or 0000, which systems
// write for "unknown"; it is read as no date.
var errPlaceholderDate = data.ErrPlaceholderDate

// excelErrors are the values Excel writes in a cell whose formula failed.
var excelErrors = map[string]bool{"#null!": true, "#div/0!": true, "#value!": true, "#ref!": true, "#name?": true, "#num!": true,
	"#n/a": true, "#getting_data": true, "#spill!": true, "#calc!": true, "#field!": true, "#blocked!": true, "#connect!": true,
	"#busy!": true, "#unknown!": true}

// isExcelError says a cell holds an Excel error value, not data.
func isExcelError(s string) bool { return excelErrors[strings.ToLower(strings.TrimSpace(s))] }

// looksLikeFormula says a text cell reads like a formula (=HYPERLINK(...),
// or starting with = + - @), which a name or note should not.
func looksLikeFormula(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '@':
		return true
	case '-':
		return len(s) > 1 && !unicode.IsLetter(rune(s[1]))
	}
	return strings.Contains(strings.ToUpper(s), "HYPERLINK(")
}

// status words of patient status columns: these archive a patient (never
// contacted); the others in statusActive leave the patient as is.
var (
	statusArchived = []string{"deceased", "dead", "died", "expired", "verstorben", "verst", "décédé", "decede", "décédée", "fallecido",
		"fallecida", "inactive", "inaktiv", "inactif", "inactive patient", "inactivo", "inactiva", "archived", "archive", "archiviert",
		"archivé", "archive", "archivado", "moved", "moved away", "verzogen", "weggezogen", "déménagé", "mudado", "nonpatient",
		"non patient", "non-patient", "former", "former patient", "ehemalig", "ancien", "antiguo", "deleted", "gelöscht", "closed",
		"transferred", "left practice", "discharged", "do not contact"}
	statusActive = []string{"active", "aktiv", "actif", "active patient", "activo", "activa", "patient", "new", "new patient", "neu",
		"nouveau", "nuevo", "current", "prospect", "prospective", "vip", "regular"}
)

// parseStatus reads a patient status cell: archive says the patient is
// deceased, inactive, archived or moved; known is false for a word Kindly
// does not know (the patient then stays as is, and the row is flagged).
func parseStatus(s string) (archive, known bool) {
	v := strings.ToLower(strings.Join(strings.Fields(strings.Trim(s, ". ")), " "))
	if v == "" {
		return false, true
	}
	for _, w := range statusArchived {
		if v == w || strings.HasPrefix(v, w+" ") {
			return true, true
		}
	}
	for _, w := range statusActive {
		if v == w {
			return false, true
		}
	}
	return false, false
}

// padUSZip gives back a US postal code that lost its leading zeros when
// stored as a number (7030 -> 07030; 70301234 -> 070301234); other codes
// stay as they are.
func padUSZip(v string) string {
	v = cleanNumberText(v)
	if v == "" || strings.Trim(v, "0123456789") != "" {
		return v
	}
	switch {
	case len(v) >= 3 && len(v) < 5:
		return strings.Repeat("0", 5-len(v)) + v
	case len(v) == 8:
		return "0" + v
	}
	return v
}

// numberList writes row or line numbers for a note: the first five, and
// how many more.
func numberList(ns []int) string {
	parts := make([]string, 0, 6)
	for _, n := range ns[:min(len(ns), 5)] {
		parts = append(parts, strconv.Itoa(n))
	}
	if len(ns) > 5 {
		parts = append(parts, fmt.Sprintf("and %d more", len(ns)-5))
	}
	return strings.Join(parts, ", ")
}
