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
	if err := t.Validate(); err != nil && !strings.HasPrefix(err.Error(), "name") {
		problems = append(problems, err.Error())
	}
	if missing := mailer.MissingPractice(t, st.Practice); len(missing) > 0 {
		problems = append(problems, "Emails cannot go out yet: the practice's details are empty ("+strings.Join(missing, ", ")+"); fill them in Settings.")
	}
	return append(problems, mailer.SubjectWarnings(t.Subject, st.SubjectWords...)...)
}

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
