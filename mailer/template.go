// Package mailer turns templates into one email per patient and sends them
// from the practice's own mail account. It is the only package that knows go-mail.
package mailer

import (
	"fmt"
	"html"
	"net/mail"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"kindly/data"
)

// NameRule is how every merge field names a patient: one name in the
// subject, the greeting and the footer alike.
const NameRule = "Every merge field calls the patient by the preferred name when there is one, else by the first name."

// Merge fields a template may use, with what they hold.
var Fields = map[string]string{
	"first_name":       "the name the patient goes by (the preferred name, else the first name)",
	"last_name":        "the patient's last name",
	"name":             "the name the patient goes by (the preferred name, else the first name)",
	"full_name":        "the name the patient goes by and the last name",
	"email":            "the patient's email address",
	"practice_name":    "the practice's name",
	"practice_phone":   "the practice's phone number",
	"practice_address": "the practice's postal address",
	"today":            "today's date, e.g. 25 November 2026",
	// An appointment reminder's appointment (empty in other emails).
	"appointment_date":    "the appointment's day, e.g. Tuesday 8 December 2026",
	"appointment_time":    "the appointment's time, e.g. 09:30",
	"appointment_service": "what the appointment is for, as the practice system calls it",
}

// FieldNames lists the merge fields, sorted, for pickers.
func FieldNames() []string {
	names := make([]string, 0, len(Fields))
	for n := range Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Template is a subject and a body with merge fields such as
// {{first_name | "there"}}: the field, and what to write when it is empty.
type Template struct {
	Name    string
	Subject string
	Body    string
}

// TemplateError says what is wrong with a template and where.
type TemplateError struct {
	Part    string // "subject" or "body"
	Line    int
	Message string
}

func (e *TemplateError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s, line %d: %s", e.Part, e.Line, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Part, e.Message)
}

// piece is literal text or a merge field with its fallback.
type piece struct {
	text     string
	field    string
	fallback string
}

var fieldRe = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*"([^"]*)"\s*)?$`)

// parse splits text into pieces and checks every merge field.
func parse(part, text string) ([]piece, error) {
	var out []piece
	rest := text
	for {
		i := strings.Index(rest, "{{")
		j := strings.Index(rest, "}}")
		if j >= 0 && (i < 0 || j < i) {
			return nil, &TemplateError{part, lineOf(text, rest[j:]), `"}}" without "{{" before it`}
		}
		if i < 0 {
			if rest != "" {
				out = append(out, piece{text: rest})
			}
			return out, nil
		}
		if i > 0 {
			out = append(out, piece{text: rest[:i]})
		}
		end := strings.Index(rest[i:], "}}")
		if end < 0 {
			return nil, &TemplateError{part, lineOf(text, rest[i:]), `"{{" is never closed with "}}"`}
		}
		inner := rest[i+2 : i+end]
		m := fieldRe.FindStringSubmatch(inner)
		if m == nil {
			return nil, &TemplateError{part, lineOf(text, rest[i:]), fmt.Sprintf(`{{%s}} is not a merge field; write {{first_name}} or {{first_name | "there"}}`, inner)}
		}
		name := strings.ToLower(m[1])
		if _, ok := Fields[name]; !ok {
			msg := fmt.Sprintf("unknown merge field %q", m[1])
			if s := closest(name); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			return nil, &TemplateError{part, lineOf(text, rest[i:]), msg}
		}
		out = append(out, piece{field: name, fallback: m[2]})
		rest = rest[i+end+2:]
	}
}

func lineOf(text, rest string) int { return strings.Count(text[:len(text)-len(rest)], "\n") + 1 }

// closest suggests the known field nearest to a mistyped one.
func closest(name string) string {
	best, bestD := "", 3
	for f := range Fields {
		if d := distance(name, f); d < bestD || (d == bestD && f < best) {
			best, bestD = f, d
		}
	}
	return best
}

func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// Validate checks the template as it would be saved.
func (t Template) Validate() error {
	if strings.TrimSpace(t.Name) == "" {
		return &TemplateError{"name", 0, "please give the template a name"}
	}
	if strings.TrimSpace(t.Subject) == "" {
		return &TemplateError{"subject", 0, "please write a subject"}
	}
	if strings.ContainsAny(t.Subject, "\r\n") {
		return &TemplateError{"subject", 0, "the subject must be one line"}
	}
	if n := len([]rune(t.Subject)); n > maxSubject {
		return &TemplateError{"subject", 0, fmt.Sprintf("the subject has %d characters; keep it under %d (inboxes show about 60)", n, maxSubject)}
	}
	if strings.TrimSpace(t.Body) == "" {
		return &TemplateError{"body", 0, "please write the message"}
	}
	if _, err := parse("subject", t.Subject); err != nil {
		return err
	}
	_, err := parse("body", t.Body)
	return err
}

// Message is one rendered email for one patient.
type Message struct {
	// ID is the Message-ID (without brackets); empty for a random one.
	ID      string `json:"-"`
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
}

func values(p data.Patient, pr data.Practice, today data.Date) map[string]string {
	name := p.PreferredName
	if name == "" {
		name = p.FirstName
	}
	return map[string]string{ // one name everywhere: NameRule
		"first_name":       name,
		"last_name":        p.LastName,
		"name":             name,
		"full_name":        strings.TrimSpace(name + " " + p.LastName),
		"email":            p.Email,
		"practice_name":    pr.Name,
		"practice_phone":   pr.Phone,
		"practice_address": pr.Address,
		"today":            fmt.Sprintf("%d %s %d", today.Day, today.Month, today.Year),
	}
}

// maxSubject is the longest subject a template may have, and the longest a
// rendered subject gets (RFC 5322 allows 998 characters a line; inboxes
// show about 60).
const maxSubject = 150

func fill(pieces []piece, vals map[string]string, value func(string) string) string {
	var b strings.Builder
	for _, pc := range pieces {
		if pc.field == "" {
			b.WriteString(pc.text)
			continue
		}
		v := strings.TrimSpace(vals[pc.field])
		if v == "" {
			v = pc.fallback
		}
		b.WriteString(value(v))
	}
	return b.String()
}

// oneLine folds white space and line breaks to single spaces and drops
// control characters: a subject is one line.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// capRunes cuts s to n characters, with "…" when it was longer.
func capRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// Render fills the template for one patient: a plain-text body and an
// HTML alternative, both ending with the practice's footer. Patient values
// are HTML-escaped in the HTML part; line breaks never reach the subject.
func (t Template) Render(p data.Patient, pr data.Practice, today data.Date) (Message, error) {
	return t.RenderWith(p, pr, today, nil)
}

// RenderWith is Render with more merge values: an appointment reminder's
// appointment.
func (t Template) RenderWith(p data.Patient, pr data.Practice, today data.Date, more map[string]string) (Message, error) {
	subj, err := parse("subject", t.Subject)
	if err != nil {
		return Message{}, err
	}
	body, err := parse("body", t.Body)
	if err != nil {
		return Message{}, err
	}
	vals := values(p, pr, today)
	for k, v := range more {
		vals[k] = v
	}
	m := Message{To: p.Email, Subject: capRunes(oneLine(fill(subj, vals, oneLine)), maxSubject)}
	// Every value stands in as a marker while the text is formatted, then
	// goes in as it is: a patient's name is never markup, bold or a link.
	var marked []string
	withMarkers := fill(body, vals, func(v string) string {
		marked = append(marked, v)
		return fmt.Sprintf("\uE000%d\uE001", len(marked)-1)
	})
	// The plain-text part is plain: the template's **bold** loses its stars.
	text := markerRe.ReplaceAllStringFunc(boldRe.ReplaceAllString(withMarkers, "$1"), func(mk string) string {
		var i int
		fmt.Sscanf(strings.Trim(mk, "\uE000\uE001"), "%d", &i)
		if i < 0 || i >= len(marked) {
			return ""
		}
		return marked[i]
	})
	m.Text = strings.TrimRight(text, "\n ") + "\n\n" + footerText(pr)
	m.HTML = htmlDocument(markerRe.ReplaceAllStringFunc(formatHTML(withMarkers), func(mk string) string {
		var i int
		fmt.Sscanf(strings.Trim(mk, "\uE000\uE001"), "%d", &i)
		if i < 0 || i >= len(marked) {
			return ""
		}
		return strings.ReplaceAll(html.EscapeString(marked[i]), "\n", "<br>\n")
	}), pr)
	return m, nil
}

var markerRe = regexp.MustCompile("\uE000[0-9]+\uE001")

func footerText(pr data.Practice) string {
	lines := []string{"--"}
	if pr.Signature != "" {
		lines = append(lines, pr.Signature)
	}
	var contact []string
	for _, s := range []string{pr.Name, pr.Address, pr.Phone} {
		if s = strings.TrimSpace(s); s != "" {
			contact = append(contact, s)
		}
	}
	lines = append(lines, strings.Join(contact, " · "),
		fmt.Sprintf("You receive this email as a patient of %s. To stop these emails, reply with \"unsubscribe\" or write to %s.",
			orDefault(pr.Name, "our practice"), unsubscribeAddress(pr)))
	return strings.Join(lines, "\n") + "\n"
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// unsubscribeAddress is where "unsubscribe" mail goes: the practice's
// address, bare (a display name would break the mailto link).
func unsubscribeAddress(pr data.Practice) string {
	if a, err := mail.ParseAddress(pr.Email); err == nil {
		return a.Address
	}
	return strings.TrimSpace(pr.Email)
}

var (
	boldRe      = regexp.MustCompile(`\*\*([^*\n]+)\*\*`)
	linkRe      = regexp.MustCompile(`https?://[^\s<>"']+[^\s<>"'.,;:!?)]`)
	paragraphRe = regexp.MustCompile(`\n\s*\n`)
)

// formatHTML turns plain text into HTML: everything escaped, blank lines
// make paragraphs, single line breaks <br>, **text** bold, web addresses
// links. Markup typed into the text is shown as typed, never run.
func formatHTML(text string) string {
	var b strings.Builder
	for _, para := range paragraphRe.Split(strings.TrimSpace(text), -1) {
		b.WriteString("<p>")
		rest := strings.TrimSpace(para)
		for rest != "" {
			loc := linkRe.FindStringIndex(rest)
			if loc == nil {
				b.WriteString(formatRun(rest))
				break
			}
			b.WriteString(formatRun(rest[:loc[0]]))
			url := html.EscapeString(rest[loc[0]:loc[1]])
			b.WriteString(`<a href="` + url + `">` + url + `</a>`)
			rest = rest[loc[1]:]
		}
		b.WriteString("</p>\n")
	}
	return b.String()
}

// formatRun escapes text without links and applies bold and line breaks.
func formatRun(s string) string {
	s = boldRe.ReplaceAllString(html.EscapeString(s), "<strong>$1</strong>")
	return strings.ReplaceAll(s, "\n", "<br>\n")
}

func htmlDocument(body string, pr data.Practice) string {
	footer := formatHTML(footerText(pr))
	return `<!DOCTYPE html><html><head><meta charset="utf-8"></head>` +
		`<body style="font-family: Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.5; color: #222;">` + "\n" +
		// The footer is small but readable for older eyes: 14px, and #595959
		// on white is 7:1 (WCAG AA asks 4.5:1).
		body + `<div style="margin-top: 2em; font-size: 14px; color: #595959;">` + footer + "</div></body></html>\n"
}

// sensitiveWords are health details that do not belong in a subject line,
// which anyone glancing at an inbox or a lock screen can read.
var sensitiveWords = []string{
	"abortion", "addiction", "aids", "alcohol", "alzheimer", "anxiety", "bipolar", "biopsy", "botox", "cancer",
	"chemo", "chemotherapy", "chlamydia", "contraception", "cosmetic", "dementia", "depression", "diabetes",
	"diabetic", "erectile", "fertility", "gonorrhea", "hepatitis", "herpes", "hiv", "insulin", "ivf", "metformin",
	"methadone", "obesity", "opioid", "pregnancy", "pregnant", "psychiatric", "rehab", "schizophrenia", "std",
	"sti", "suicide", "syphilis", "tumor", "tumour", "viagra", "weight loss", "mental health", "test results",
	"lab results", "positive", "diagnosis", "prescription", "antidepressant",
}

// SubjectWarnings lists the health details a subject line gives away,
// from the built-in word list plus the practice's own words.
func SubjectWarnings(subject string, extra ...string) []string {
	lower := " " + strings.ToLower(regexp.MustCompile(`[^\pL\pN]+`).ReplaceAllString(subject, " ")) + " "
	var out []string
	for _, w := range append(append([]string{}, sensitiveWords...), extra...) {
		w = strings.ToLower(strings.TrimSpace(w))
		if w != "" && strings.Contains(lower, " "+w+" ") {
			out = append(out, fmt.Sprintf("The subject mentions %q: anyone who sees the inbox can read it. Keep health details inside the message.", w))
		}
	}
	return out
}

// MissingPractice lists the practice's details an email of this template
// would show empty, in words ("the practice's phone number"): the fields
// its subject and text use without a fallback, and what every footer needs
// (the practice's name, its postal address, and the email address that
// takes "unsubscribe" replies). No email goes out while one is missing.
func MissingPractice(t Template, pr data.Practice) []string {
	have := map[string]string{"practice_name": pr.Name, "practice_phone": pr.Phone, "practice_address": pr.Address}
	need := map[string]bool{"practice_name": true, "practice_address": true}
	for _, text := range []string{t.Subject, t.Body} {
		pieces, err := parse("", text)
		if err != nil {
			continue
		}
		for _, p := range pieces {
			if _, ok := have[p.field]; ok && p.fallback == "" {
				need[p.field] = true
			}
		}
	}
	var missing []string
	for _, f := range []string{"practice_name", "practice_address", "practice_phone"} {
		if need[f] && strings.TrimSpace(have[f]) == "" {
			missing = append(missing, Fields[f])
		}
	}
	if strings.TrimSpace(pr.Email) == "" {
		missing = append(missing, "the practice's email address (for \"unsubscribe\" replies)")
	}
	return missing
}

// ErrPracticeIncomplete says an email would go out with an empty practice detail.
type ErrPracticeIncomplete struct{ Missing []string }

func (e *ErrPracticeIncomplete) Error() string {
	return "no email goes out while the practice details are incomplete: fill in " + strings.Join(e.Missing, ", ")
}

// NextStep is what the practice can do about it (data.HintOf).
func (e *ErrPracticeIncomplete) NextStep() (data.Hint, string) { return data.HintPracticeDetails, "" }

// CheckPractice returns an *ErrPracticeIncomplete when MissingPractice finds anything.
func CheckPractice(t Template, pr data.Practice) error {
	if m := MissingPractice(t, pr); len(m) > 0 {
		return &ErrPracticeIncomplete{m}
	}
	return nil
}

// EndsWithSignature says whether a template's body already ends with the
// practice's signature, which every email gets above its footer: it would
// be signed twice.
func EndsWithSignature(body, signature string) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	sig := norm(signature)
	return sig != "" && strings.HasSuffix(norm(body), sig)
}
