package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"kindly/data"
	"kindly/mailer"
	"kindly/workflow"
)

// The patient's page shows the recall (due, reminders, next or why not)
// and the appointments; Change… pauses it with the reason.
func TestPatientPageRecall(t *testing.T) {
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	u, w := newTestUIAt(t, 0, now)
	defer onUI(nil, w.Close)
	ctx := context.Background()
	s := storeOf(u)
	p := data.Patient{FirstName: "Anna", LastName: "Meier", Email: "anna@example.com"}
	if err := s.CreatePatient(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if err := u.work.AddVisit(ctx, data.Visit{PatientID: p.ID, Date: data.Date{Year: 2025, Month: 12, Day: 1}, Service: "Check-up"}); err != nil {
		t.Fatal(err)
	}
	if _, err := u.work.SaveSegment(ctx, "Everyone", data.Rule{Kind: data.KindAll}); err != nil {
		t.Fatal(err)
	}
	if _, err := u.work.SaveTemplate(ctx, mailer.Template{Name: "Recall", Subject: "Check-up", Body: "Dear {{first_name}}"}); err != nil {
		t.Fatal(err)
	}
	if _, err := u.work.SaveCampaign(ctx, workflow.CampaignSpec{Name: "Check-up recall", Segment: "Everyone", Template: "Recall",
		Schedule: workflow.ScheduleText{Kind: data.ScheduleRecall, Service: "Check-up", Months: "12", Followups: "1", Every: "14"}}, true); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(t.TempDir(), "appts.csv")
	os.WriteFile(csv, []byte("Email,Date,Time,Service,Status\nanna@example.com,2026-12-20,10:15,Check-up,booked\n"), 0o600)
	if _, err := u.work.Import(ctx, workflow.ImportRequest{Kind: workflow.ImportAppointments, File: csv}, nil); err != nil {
		t.Fatal(err)
	}
	var f *patientForm
	onUI(u, func() { f = showPatientForm(u, p, nil, nil) })
	text := ""
	waitFor(t, u, "the recall", func() bool { text = overlayText(w); return strings.Contains(text, "Check-up recall: due") })
	if !strings.Contains(text, "no reminder while an appointment is booked (for Dec 20, 2026)") || !strings.Contains(text, "Dec 20, 2026 10:15, Check-up (booked)") {
		t.Errorf("the page says %q", text)
	}
	onUI(u, func() { // down to the recalls
		walkObjects(w.Canvas().Overlays().Top(), func(o any) {
			if sc, ok := o.(*container.Scroll); ok {
				sc.ScrollToBottom()
			}
		})
	})
	writeScreenshot(t, w, "patient-recall.png")
	var line workflow.RecallLine
	onUI(u, func() {
		lines, _ := u.work.PatientRecalls(ctx, p.ID)
		line = lines[0]
		f.changeRecall(line)
	})
	onUI(u, func() {
		// The change dialog: off for good, with the reason.
		top := w.Canvas().Overlays().Top()
		var entries []*escEntry
		walkObjects(top, func(o any) {
			if e, ok := o.(*escEntry); ok {
				entries = append(entries, e)
			}
		})
		if len(entries) != 3 {
			t.Fatalf("%d entries in the change dialog", len(entries))
		}
		entries[1].SetText("2027-03-01")
		entries[2].SetText("abroad until March")
	})
	onUI(u, func() { tapButton(t, w, "Save") })
	waitFor(t, u, "the pause", func() bool { return strings.Contains(overlayText(w), "paused until Mar 1, 2027: abroad until March") })
}

// walkObjects calls fn for every object under o, widgets' parts too.
func walkObjects(o fyne.CanvasObject, fn func(any)) {
	if o == nil {
		return
	}
	fn(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walkObjects(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walkObjects(c, fn)
		}
	}
}

// Settings → Reminders: the country, consent, the catch-up are saved; the
// closed days dialog closes a day and fills in the public holidays.
func TestSettingsRemindersAndClosedDays(t *testing.T) {
	u, w := newTestUIAt(t, 0, time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC))
	defer onUI(nil, w.Close)
	onUI(nil, func() { w.Resize(fyne.NewSize(1024, 700)) })
	onUI(u, func() { u.Show("Settings") })
	s := u.settings
	waitFor(t, u, "the settings", func() bool { return s.catchUp.Text != "" })
	onUI(u, func() {
		typeSettings(s, "Praxis Sonne", 2525)
		s.country.SetSelected(countryNames["DE"] + " (DE)")
		s.careOptIn.SetSelected(labelOf(careOptInOptions, data.CareOptInYes))
		s.catchUp.SetText("5")
		s.optOutAll.SetChecked(true)
		s.onSave()
	})
	waitFor(t, u, "saved", func() bool {
		return strings.HasPrefix(s.status.Text, "Saved") || strings.HasPrefix(s.status.Text, "Not saved")
	})
	st, _ := storeOf(u).Settings(context.Background())
	if st.Recalls != (data.Recalls{Country: "DE", CareOptIn: data.CareOptInYes, CatchUpDays: 5, OptOutWholeAddress: true}) {
		t.Fatalf("saved %+v (%s)", st.Recalls, s.status.Text)
	}
	onUI(u, func() { // down to Reminders
		walkObjects(s.box, func(o any) {
			if sc, ok := o.(*container.Scroll); ok && sc.Direction == container.ScrollVerticalOnly {
				sc.ScrollToBottom()
			}
		})
	})
	writeScreenshot(t, w, "settings-reminders.png")
	onUI(u, func() { s.onClosedDays() })
	onUI(u, func() {
		var entries []*fitEntry
		walkObjects(w.Canvas().Overlays().Top(), func(o any) {
			if e, ok := o.(*fitEntry); ok {
				entries = append(entries, e)
			}
		})
		entries[0].SetText("2026-12-31")
		entries[1].SetText("Staff training")
		tapButton(t, w, "Close that day")
	})
	waitFor(t, u, "the closed day", func() bool { return strings.Contains(overlayText(w), "Closed on Dec 31, 2026") })
	onUI(u, func() { tapButton(t, w, "Add public holidays") })
	waitFor(t, u, "the holidays", func() bool { return strings.Contains(overlayText(w), "public holidays of 2026 added") })
	days, _ := storeOf(u).ClosedDays(context.Background(), data.Date{Year: 2026, Month: 1, Day: 1}, data.Date{Year: 2026, Month: 12, Day: 31})
	if len(days) < 10 || days[len(days)-1].Name != "Staff training" {
		t.Errorf("closed days: %+v", days)
	}
	waitFor(t, u, "the list", func() bool { return strings.Contains(overlayText(w), "Neujahrstag (public holiday)") })
	writeScreenshot(t, w, "settings-closed-days.png")
}

// The import wizard reads an appointment list (Open Dental's column names)
// and imports it: the patient is found, the appointment saved.
func TestImportWizardAppointments(t *testing.T) {
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	ctx := context.Background()
	p := data.Patient{FirstName: "Anna", LastName: "Meier", Email: "anna@example.com", ExternalID: "1042"}
	if err := storeOf(u).CreatePatient(ctx, &p); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(t.TempDir(), "appointments.csv")
	os.WriteFile(csv, []byte("AptNum,PatNum,AptDateTime,ProvAbbr,ProcDescript,AptStatus\n5001,1042,12/20/2026 10:15,DrJ,Cleaning,Scheduled\n"), 0o600)
	var wiz *importWizard
	done := make(chan struct{}, 1)
	onUI(u, func() { wiz = newImportWizardFor(u, workflow.ImportAppointments, csv, func() { done <- struct{}{} }) })
	waitFor(t, u, "the dry run", func() bool { return !wiz.importB.Disabled() })
	onUI(u, func() {
		if got := wiz.summary.Text; !strings.Contains(got, "1 to add") {
			t.Errorf("dry run: %q", got)
		}
		wiz.onImport()
	})
	waitFor(t, u, "the import", func() bool { return received(done) })
	as, _ := storeOf(u).Appointments(ctx, p.ID)
	if len(as) != 1 || as[0].StartsAt() != "2026-12-20 10:15" || as[0].Service != "Cleaning" || as[0].ExternalID != "5001" {
		t.Errorf("saved %+v", as)
	}
}
