package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"kindly/data"
	"kindly/mailer"
)

// TestScreenshotTour renders each screen with demo data. With
// KINDLY_SCREENSHOTS=docs/screenshots (see README) it writes the PNGs the
// README shows.
func TestScreenshotTour(t *testing.T) {
	u, w := newTestUI(t, 2000)
	defer onUI(nil, w.Close)
	ctx := context.Background()
	st := storeOf(u)
	settings := data.Settings{Practice: data.Practice{Name: "Sunny Family Practice", Address: "1 Main Street, Springfield", Phone: "555-0100", Email: "front@sunny.example"},
		TimeZone: "America/New_York", Cap: data.DefaultCap, Recalls: data.Recalls{CatchUpDays: data.DefaultCatchUpDays},
		Mail: data.MailAccount{Preset: "workspace", Host: "smtp.gmail.com", Port: 587, TLS: data.TLSStartTLS,
			User: "front@sunny.example", From: "Sunny Family Practice <front@sunny.example>", PerMinute: 60, PerDay: 2000}}
	if err := st.SaveSettings(ctx, settings); err != nil {
		t.Fatal(err)
	}
	tpl := data.Template{Name: "Flu shot", Subject: mailer.Starters[0].Subject, Body: mailer.Starters[0].Body}
	st.SaveTemplate(ctx, &tpl)
	seg, _ := st.SegmentByName(ctx, "65+ without a flu shot this season")
	c := data.Campaign{Name: "Flu shots 2026", Purpose: data.PurposeCare, SegmentID: seg.ID, TemplateID: tpl.ID,
		Schedule: data.Schedule{Kind: data.ScheduleSeason, Month: 10, Day: 1, UntilMonth: 11, UntilDay: 30}.JSON()}
	st.CreateCampaign(ctx, &c)

	p := u.patients
	waitFor(t, u, "patients", func() bool { return strings.HasSuffix(p.count.Text, "patients") && len(p.pages[0]) > 0 })
	writeScreenshot(t, w, "patients.png")

	onUI(u, func() { u.Show("Segments") })
	sg := u.segments
	waitFor(t, u, "segments", func() bool { return len(sg.rows) == 5 })
	onUI(u, func() { sg.list.Select(0) })
	waitFor(t, u, "the builder's count", func() bool { return strings.HasSuffix(sg.count.Text, "patients today") })
	writeScreenshot(t, w, "segments.png")

	onUI(u, func() { u.Show("Today") })
	td := u.today
	waitFor(t, u, "today", func() bool { return td.limits.Text != "" })
	writeScreenshot(t, w, "today.png")

	onUI(u, func() { u.Show("Templates") })
	tp := u.templates
	waitFor(t, u, "templates", func() bool { return tp.preview.Text != "" })
	writeScreenshot(t, w, "templates.png")

	onUI(u, func() { u.Show("Calendar") })
	cal := u.calendar
	waitFor(t, u, "the calendar", func() bool { return cal.notes.Text != "" })
	writeScreenshot(t, w, "calendar.png")

	onUI(u, func() { u.Show("Campaigns") })
	cs := u.campaigns
	waitFor(t, u, "campaigns", func() bool { return len(cs.rows) == 1 })
	onUI(u, func() { cs.list.Select(0) })
	waitFor(t, u, "the review", func() bool { return strings.Contains(cs.review.Text, "Sends to:") })
	writeScreenshot(t, w, "campaign-review.png")

	onUI(u, func() { u.Show("Reports") })
	writeScreenshot(t, w, "reports.png")

	onUI(u, func() { u.Show("Settings") })
	ss := u.settings
	waitFor(t, u, "settings", func() bool { return ss.host.Text == "smtp.gmail.com" })
	writeScreenshot(t, w, "settings.png")

	onUI(u, func() { u.Show("Patients") })
	var wiz *importWizard
	onUI(u, func() {
		wiz = newImportWizard(u, filepath.Join("..", "reports", "testdata", "patients-messy.xlsx"), nil)
	})
	waitFor(t, u, "the first sheet", func() bool { return wiz.table != nil || strings.Contains(wiz.summary.Text, "header") })
	onUI(u, func() { wiz.sheet.SetSelected("Patients") })
	waitFor(t, u, "the dry run", func() bool { return strings.Contains(wiz.summary.Text, "to add") })
	writeScreenshot(t, w, "import.png")
	onUI(u, func() { wiz.dlg.Hide() })

	onUI(u, func() {
		showPatientForm(u, p.pages[0][0], []string{"newsletter"}, nil)
	})
	writeScreenshot(t, w, "patient-form.png")
}
