package workflow

import (
	"context"
	"strings"

	"kindly/data"
	"kindly/mailer"
)

// CheckTemplate says what is wrong with a template as it is being written
// (everything but a missing name) and what deserves a second look: health
// details in the subject, by Kindly's list and the practice's own words.
// It reads nothing, so the window checks as the practice types.
func CheckTemplate(t mailer.Template, st data.Settings) []string {
	var problems []string
	named := t
	if strings.TrimSpace(named.Name) == "" { // a name comes last: the subject and body are checked before
		named.Name = "unnamed"
	}
	if err := named.Validate(); err != nil {
		problems = append(problems, err.Error())
	}
	if missing := mailer.MissingPractice(t, st.Practice); len(missing) > 0 {
		problems = append(problems, "Emails cannot go out yet: the practice's details are empty ("+strings.Join(missing, ", ")+"); fill them in Settings.")
	}
	if mailer.EndsWithSignature(t.Body, st.Practice.Signature) {
		problems = append(problems, SignedTwice)
	}
	return append(problems, mailer.SubjectWarnings(t.Subject, st.SubjectWords...)...)
}

// SignedTwice warns of a body that ends with the signature Settings adds.
const SignedTwice = "The message ends with the practice's signature, which Kindly adds to every email above its footer: it would be signed twice. Leave it out here (the preview shows it)."

// SaveTemplate checks and saves a template; it returns the subject's
// warnings, which do not stop the save.
func (w *Workflow) SaveTemplate(ctx context.Context, t mailer.Template) ([]string, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	st, err := w.store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	dt := data.Template{Name: t.Name, Subject: t.Subject, Body: t.Body}
	if err := w.store.SaveTemplate(ctx, &dt); err != nil {
		return nil, err
	}
	return mailer.SubjectWarnings(t.Subject, st.SubjectWords...), nil
}

// Templates lists the saved templates by name.
func (w *Workflow) Templates(ctx context.Context) ([]data.Template, error) {
	return w.store.Templates(ctx)
}

// TemplateDesk is what the template editor works with: the templates, the
// settings (for the footer and the checks), a patient to preview with (the
// first in the list, or an example) and today's date.
type TemplateDesk struct {
	Templates []data.Template
	Settings  data.Settings
	Sample    data.Patient
	Today     data.Date
}

// ExamplePatient is who a preview shows when the practice has no patients.
var ExamplePatient = data.Patient{FirstName: "Anna", LastName: "Smith", Email: "anna@example.com"}

// TemplateDesk reads what the template editor needs.
func (w *Workflow) TemplateDesk(ctx context.Context) (TemplateDesk, error) {
	d := TemplateDesk{Sample: ExamplePatient}
	var err error
	if d.Templates, err = w.store.Templates(ctx); err != nil {
		return d, err
	}
	if ps, _ := w.store.Patients(ctx, data.PatientQuery{Limit: 1}); len(ps) == 1 {
		d.Sample = ps[0]
	}
	if d.Settings, err = w.store.Settings(ctx); err != nil {
		return d, err
	}
	dates, err := w.Dates(ctx)
	d.Today = dates.Today
	return d, err
}
