package mailer

import (
	"errors"
	"strings"
	"testing"

	"kindly/data"
)

var practice = data.Practice{Name: "Sunny Clinic", Address: "1 Main St, Springfield", Phone: "555-0100", Email: "front@sunny.example"}

func TestTemplateValidation(t *testing.T) {
	for _, tc := range []struct {
		tpl  Template
		want string
	}{
		{Template{Name: "x", Subject: "Hi {{frist_name}}", Body: "b"}, `subject, line 1: unknown merge field "frist_name" (did you mean first_name?)`},
		{Template{Name: "x", Subject: "Hi", Body: "line one\nHello {{first_name | there}}"}, `body, line 2: {{first_name | there}} is not a merge field`},
		{Template{Name: "x", Subject: "Hi", Body: "Hello {{first_name"}, `"{{" is never closed`},
		{Template{Name: "x", Subject: "Hi", Body: "Hello first_name}}"}, `"}}" without "{{"`},
		{Template{Name: "x", Subject: "Hi", Body: "Hello }} {{first_name}}"}, `"}}" without "{{"`},
		{Template{Name: "x", Subject: strings.Repeat("Flu shots ", 20), Body: "b"}, "keep it under 150"},
		{Template{Name: "x", Subject: "Hi\nthere", Body: "b"}, "one line"},
		{Template{Name: "", Subject: "Hi", Body: "b"}, "name"},
		{Template{Name: "x", Subject: "Hi", Body: "  "}, "write the message"},
	} {
		err := tc.tpl.Validate()
		var te *TemplateError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", tc.tpl, err, tc.want)
		}
	}
	for _, s := range Starters {
		if err := s.Validate(); err != nil {
			t.Errorf("starter %q: %v", s.Name, err)
		}
	}
}

func TestRender(t *testing.T) {
	tpl := Template{Name: "t", Subject: "Flu shots for {{name | \"you\"}}", Body: "Dear {{first_name | \"patient\"}},\n\n**Book now** at https://sunny.example/book.\nSee you!"}
	today := data.Date{Year: 2026, Month: 10, Day: 1}
	m, err := tpl.Render(data.Patient{FirstName: "Ann", PreferredName: "Annie\r\nBcc: x@evil.example", Email: "ann@example.com"}, practice, today)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Flu shots for Annie Bcc: x@evil.example" {
		t.Errorf("subject = %q (no line break may reach a header)", m.Subject)
	}
	m, err = tpl.Render(data.Patient{FirstName: "<b>Ann</b> & co", Email: "ann@example.com"}, practice, today)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Text, "Dear <b>Ann</b> & co,") || !strings.Contains(m.Text, "Sunny Clinic · 1 Main St, Springfield · 555-0100") ||
		!strings.Contains(m.Text, "front@sunny.example") {
		t.Errorf("text = %q", m.Text)
	}
	if !strings.Contains(m.HTML, "Dear &lt;b&gt;Ann&lt;/b&gt; &amp; co,") || strings.Contains(m.HTML, "<b>Ann") {
		t.Errorf("patient values must be escaped in HTML: %s", m.HTML)
	}
	if !strings.Contains(m.HTML, "<strong>Book now</strong>") || !strings.Contains(m.HTML, `<a href="https://sunny.example/book">`) {
		t.Errorf("formatting: %s", m.HTML)
	}
	// Fallbacks fill empty fields.
	m, _ = tpl.Render(data.Patient{Email: "x@example.com"}, practice, today)
	if m.Subject != "Flu shots for you" || !strings.HasPrefix(m.Text, "Dear patient,") {
		t.Errorf("fallbacks: %q / %q", m.Subject, m.Text)
	}
}

func TestSubjectWarnings(t *testing.T) {
	if w := SubjectWarnings("Your diabetes check-up"); len(w) != 1 || !strings.Contains(w[0], `"diabetes"`) {
		t.Errorf("warnings = %q", w)
	}
	if w := SubjectWarnings("Your HIV test results are ready"); len(w) != 2 {
		t.Errorf("warnings = %q", w)
	}
	if w := SubjectWarnings("Time for your yearly check-up"); len(w) != 0 {
		t.Errorf("warnings = %q", w)
	}
	if w := SubjectWarnings("Our new Botulinum offer", "botulinum"); len(w) != 1 {
		t.Errorf("extra words: %q", w)
	}
	if w := SubjectWarnings("Stimulating news"); len(w) != 0 { // "sti" only as a word
		t.Errorf("partial word matched: %q", w)
	}
}

func TestPresets(t *testing.T) {
	p, err := PresetByID("Microsoft 365")
	if err != nil || p.Host != "smtp.office365.com" || p.PerMinute != 30 || p.PerDay != 10000 {
		t.Fatalf("m365 = %+v, %v", p, err)
	}
	if p, _ := PresetByID("workspace"); p.PerDay != 2000 {
		t.Errorf("workspace = %+v", p)
	}
	if _, err := PresetByID("aol"); err == nil || !strings.Contains(err.Error(), "gmail") {
		t.Errorf("unknown preset: %v", err)
	}
}

// The template's own text is text in the HTML part too: a "<" or a typed
// tag shows as typed, and a typed link is not wrapped in a second one.
func TestRenderEscapesTheTemplateText(t *testing.T) {
	tpl := Template{Name: "t", Subject: "Hello",
		Body: "Bring <your insurance card> if a<b.\n<a href=\"https://sunny.example\">book</a> or https://sunny.example/book?x=1&y=2."}
	m, err := tpl.Render(data.Patient{FirstName: "Ann", Email: "ann@example.com"}, practice, data.Date{Year: 2026, Month: 10, Day: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"&lt;your insurance card&gt; if a&lt;b.", "&lt;a href=",
		`<a href="https://sunny.example/book?x=1&amp;y=2">https://sunny.example/book?x=1&amp;y=2</a>`} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, m.HTML)
		}
	}
	if strings.Contains(m.HTML, `">book</a>`) || strings.Contains(m.HTML, `href="<`) {
		t.Errorf("a typed tag became markup:\n%s", m.HTML)
	}
	if !strings.Contains(m.Text, "Bring <your insurance card> if a<b.") {
		t.Errorf("text %q", m.Text)
	}
}

// A subject never passes the line limit, whatever the merge fields hold,
// and a name's URL never becomes a link.
func TestRenderBoundsTheSubject(t *testing.T) {
	tpl := Template{Name: "t", Subject: "News for {{full_name}}", Body: "Dear {{first_name}}, see https://sunny.example"}
	p := data.Patient{FirstName: strings.Repeat("Ann ", 800) + "https://evil.example", LastName: "Lee", Email: "ann@example.com"}
	m, err := tpl.Render(p, practice, data.Date{Year: 2026, Month: 10, Day: 1})
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(m.Subject)); n > 150 || !strings.HasSuffix(m.Subject, "…") {
		t.Errorf("subject of %d characters: %q", n, m.Subject)
	}
	if strings.Contains(m.HTML, `href="https://evil.example"`) || !strings.Contains(m.HTML, `href="https://sunny.example"`) {
		t.Errorf("links: %s", m.HTML[:300])
	}
}

// A practice address written with a name still gives a working
// List-Unsubscribe and Reply-To.
func TestUnsubscribeAddressIsBare(t *testing.T) {
	pr := practice
	pr.Email = "Sunny Clinic <front@sunny.example>"
	msg, err := build(Account{From: "front@sunny.example"}, pr, Message{To: "ann@example.com", Subject: "s", Text: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.GetGenHeader("List-Unsubscribe"); len(got) != 1 || got[0] != "<mailto:front@sunny.example?subject=unsubscribe>" {
		t.Errorf("List-Unsubscribe %q", got)
	}
}

// No email goes out with an empty practice detail: the footer needs the
// name, the postal address and the unsubscribe address; the text needs
// what it uses without a fallback.
func TestMissingPractice(t *testing.T) {
	full := data.Practice{Name: "Sunny", Address: "1 Main St", Phone: "555-0100", Email: "front@sunny.example"}
	tpl := Template{Name: "Flu", Subject: "Flu shots at {{practice_name}}", Body: "Call us on {{practice_phone}} to book."}
	if m := MissingPractice(tpl, full); len(m) != 0 {
		t.Errorf("complete practice: %q", m)
	}
	noPhone := full
	noPhone.Phone = ""
	if m := MissingPractice(tpl, noPhone); len(m) != 1 || m[0] != "the practice's phone number" {
		t.Errorf("no phone: %q", m)
	}
	withFallback := Template{Name: "Flu", Subject: "Flu shots", Body: `Call us on {{practice_phone | "our front desk"}}.`}
	if m := MissingPractice(withFallback, noPhone); len(m) != 0 {
		t.Errorf("a fallback covers it: %q", m)
	}
	err := CheckPractice(Template{Name: "x", Subject: "Hi", Body: "Hello"}, data.Practice{})
	var inc *ErrPracticeIncomplete
	if !errors.As(err, &inc) || len(inc.Missing) != 3 || !strings.Contains(err.Error(), "unsubscribe") {
		t.Errorf("empty practice: %v", err)
	}
}

// Every merge field calls the patient by one name: the preferred name when
// there is one, in the subject as in the greeting ("Astrid, your flu shot
// is ready" above "Dear Ast," was two names for one patient).
func TestOneNameEverywhere(t *testing.T) {
	tpl := Template{Name: "t", Subject: "{{first_name}}, your flu shot is ready", Body: "Dear {{name}},\n\nThis is for {{full_name}}."}
	m, err := tpl.Render(data.Patient{FirstName: "Astrid", PreferredName: "Ast", LastName: "Lindqvist"}, practice, data.Date{Year: 2026, Month: 10, Day: 1})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Ast, your flu shot is ready" || !strings.HasPrefix(m.Text, "Dear Ast,") || !strings.Contains(m.Text, "This is for Ast Lindqvist.") {
		t.Errorf("subject %q, text %q", m.Subject, m.Text)
	}
	m, _ = tpl.Render(data.Patient{FirstName: "Astrid", LastName: "Lindqvist"}, practice, data.Date{Year: 2026, Month: 10, Day: 1})
	if m.Subject != "Astrid, your flu shot is ready" || !strings.HasPrefix(m.Text, "Dear Astrid,") {
		t.Errorf("without a preferred name: subject %q, text %q", m.Subject, m.Text)
	}
}

// The plain-text part shows no markup: the template's **bold** is plain
// text there (a patient's own stars stay as typed); the HTML footer is
// 14px in a grey that keeps WCAG AA's contrast.
func TestPlainTextHasNoMarkup(t *testing.T) {
	tpl := Template{Name: "t", Subject: "Hi", Body: "Dear {{name}},\n\n**Book now** at https://sunny.example/book."}
	m, err := tpl.Render(data.Patient{FirstName: "**Ann**"}, practice, data.Date{Year: 2026, Month: 10, Day: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "Book now at https://sunny.example/book.") || strings.Contains(m.Text, "**Book") || !strings.HasPrefix(m.Text, "Dear **Ann**,") {
		t.Errorf("text:\n%s", m.Text)
	}
	if !strings.Contains(m.HTML, "font-size: 14px; color: #595959") {
		t.Errorf("footer style: %s", m.HTML)
	}
}
