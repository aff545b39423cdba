// Package workflow is every job the practice does, written once: the
// window (app) and the command line (cli) both call it, so the two cannot
// drift apart. It is their one door to data, reports and mailer, knows
// nothing of screens or flags, and writes every sentence and number the
// practice reads; the front ends only lay them out.
package workflow

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	"kindly/data"
	"kindly/data/demo"
	"kindly/mailer"
)

// Workflow runs the practice's jobs on its database.
type Workflow struct {
	store *data.Store
	// inboxTLS is the TLS the inbox is read with (nil: the system's; tests
	// trust their own server).
	inboxTLS *tls.Config
	opt      Options
}

// SetInboxTLS sets the TLS the inbox is read with (tests with their own server).
func (w *Workflow) SetInboxTLS(c *tls.Config) { w.inboxTLS = c }

// New is the workflow over a practice's database.
func New(s *data.Store) *Workflow { return &Workflow{store: s} }

// ErrInterrupted is the cause a job's context ends with when Kindly itself
// is closing (the window closes): a run being sent stays "sending" and goes
// on by itself at the next start, where a pause by the practice waits.
var ErrInterrupted = errors.New("the window is closing")

// EnsureStarters gives a new database the starter templates.
func (w *Workflow) EnsureStarters(ctx context.Context) error {
	ts, err := w.store.Templates(ctx)
	if err != nil || len(ts) > 0 {
		return err
	}
	for _, s := range mailer.Starters {
		t := data.Template{Name: s.Name, Subject: s.Subject, Body: s.Body}
		if err := w.store.SaveTemplate(ctx, &t); err != nil {
			return err
		}
	}
	return nil
}

// DemoPatients is how many sample patients "try with sample patients" adds.
const DemoPatients = 2000

// Demo adds n realistic sample patients with visits and example segments;
// the same seed gives the same practice.
func (w *Workflow) Demo(ctx context.Context, n int, seed uint64, addToPatients bool, progress func(done, total int)) error {
	if n < 1 || n > 1_000_000 {
		return fmt.Errorf("choose between 1 and 1,000,000 sample patients, not %d", n)
	}
	if !addToPatients {
		have, err := w.store.CountPatients(ctx, data.PatientQuery{IncludeArchived: true})
		if err != nil {
			return err
		}
		if have > 0 {
			return fmt.Errorf("this database already holds %d patients; sample patients go into an empty one (use another --db), or add them anyway with --add", have)
		}
	}
	return demo.Fill(ctx, w.store, demo.Options{Patients: n, Seed: seed, Progress: progress})
}

// DemoSummary says what the sample practice holds: as in a real practice,
// some sample patients are archived (moved away or deceased), and the
// patient list does not show them unless asked to.
func (w *Workflow) DemoSummary(ctx context.Context) (string, error) {
	all, err := w.store.CountPatients(ctx, data.PatientQuery{IncludeArchived: true})
	if err != nil {
		return "", err
	}
	active, err := w.store.CountPatients(ctx, data.PatientQuery{})
	if err != nil {
		return "", err
	}
	if archived := all - active; archived > 0 {
		return fmt.Sprintf("%s: %s and %s (moved away or deceased, as in a real practice: they get no email and are not in the patient list)",
			data.Count(all, "sample patient", "sample patients"), data.Count(active, "active", "active"), data.Count(archived, "archived", "archived")), nil
	}
	return data.Count(all, "sample patient", "sample patients"), nil
}

// DemoIfEmpty adds DemoPatients sample patients to a database without
// patients, and says whether it did.
func (w *Workflow) DemoIfEmpty(ctx context.Context, progress func(done, total int)) (bool, error) {
	n, err := w.store.CountPatients(ctx, data.PatientQuery{IncludeArchived: true})
	if err != nil || n > 0 {
		return false, err
	}
	if err := w.Demo(ctx, DemoPatients, 1, false, progress); err != nil {
		return false, err
	}
	return true, w.demoCampaigns(ctx)
}

// demoCampaigns gives the sample practice example campaigns - the flu
// season, birthdays, the annual recall - so the calendar and Today show
// something on the first try. Nothing is sent until the practice sets up
// its mail account and presses Send (or the schedule comes due with one).
func (w *Workflow) demoCampaigns(ctx context.Context) error {
	if err := w.EnsureStarters(ctx); err != nil {
		return err
	}
	for _, spec := range []CampaignSpec{
		{Name: "Flu shots", Purpose: data.PurposeCare, Segment: "65+ without a flu shot this season", Template: "Flu shot",
			Schedule: ScheduleText{Kind: data.ScheduleSeason, From: "10-01", Until: "11-30", Weekdays: "mon-fri", Hours: "9-17"}},
		{Name: "Birthday wishes", Purpose: data.PurposeCare, Segment: "Birthdays in the next 30 days", Template: "Birthday",
			Schedule: ScheduleText{Kind: data.ScheduleBirthday, DaysBefore: "0", Hours: "9-17"}},
		{Name: "Annual recall", Purpose: data.PurposeCare, Segment: "Annual physical due", Template: "Annual recall",
			Schedule: ScheduleText{Kind: data.ScheduleRecall, Service: "annual physical", Months: "12", Weekdays: "mon-fri", Hours: "9-17"}},
	} {
		if _, err := w.SaveCampaign(ctx, spec, true); err != nil {
			return fmt.Errorf("cannot make the example campaign %q: %w", spec.Name, err)
		}
	}
	return nil
}

// DeletePatient removes a patient for good, after a backup; the audit log
// notes it.
func (w *Workflow) DeletePatient(ctx context.Context, id int64) error {
	backup, err := w.store.Backup(ctx, "before delete")
	if err != nil {
		return err
	}
	if err := w.store.DeletePatient(ctx, id); err != nil {
		w.store.DiscardBackup(backup) // nothing changed
		return err
	}
	return nil
}
