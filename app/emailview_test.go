package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/mailer"
)

// The email shows as the patient sees it: bold is bold (no ** markers),
// a web address is a link, the footer is small print; no markup shows.
func TestEmailViewRendersTheHTML(t *testing.T) {
	tpl := mailer.Template{Subject: "Flu", Body: "Dear {{first_name}},\n\nIt is **flu season**: book at https://sunny.example/book today.\nSecond line.\n\nSee you soon."}
	m, err := tpl.Render(data.Patient{FirstName: "Ann <b>&", Email: "a@b.c"},
		data.Practice{Name: "Sunny", Address: "1 Main", Phone: "555", Email: "front@sunny.example"}, data.Date{Year: 2026, Month: 12, Day: 2})
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	var bold, link, small bool
	for _, s := range emailView(m.HTML).Segments {
		switch x := s.(type) {
		case *widget.TextSegment:
			all.WriteString(x.Text)
			bold = bold || x.Text == "flu season" && x.Style.TextStyle.Bold
			small = small || strings.Contains(x.Text, "reply with") && x.Style.SizeName == theme.SizeNameCaptionText
		case *widget.HyperlinkSegment:
			all.WriteString(x.Text)
			link = link || x.URL.String() == "https://sunny.example/book"
		}
	}
	text := all.String()
	if !bold || !link || !small {
		t.Errorf("bold %v, link %v, small footer %v", bold, link, small)
	}
	if strings.Contains(text, "**") || strings.Contains(text, "<p>") || !strings.Contains(text, "Dear Ann <b>&,") {
		t.Errorf("the text shows markup or lost the name: %q", text)
	}
	if !strings.Contains(text, "today.\nSecond line.\n\nSee you soon.") {
		t.Errorf("line breaks: %q", text)
	}
}
