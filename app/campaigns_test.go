package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"kindly/data"
	"kindly/internal/mailpittest"
	"kindly/mailer"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// The campaign screen shows the review, sends with progress, and the
// messages arrive in a real SMTP server.
func TestCampaignReviewAndSend(t *testing.T) {
	mp := mailpittest.Start(t)
	u, w := newTestUI(t, 120)
	defer onUI(nil, w.Close)
	ctx := context.Background()
	st := storeOf(u)
	configure(t, u, mp.SMTPPort)
	tpl := data.Template{Name: "Flu shot", Subject: mailer.Starters[0].Subject, Body: mailer.Starters[0].Body}
	st.SaveTemplate(ctx, &tpl)
	seg, _ := st.SegmentByName(ctx, "65+ without a flu shot this season")
	c := data.Campaign{Name: "Flu 2026", Purpose: data.PurposeCare, SegmentID: seg.ID, TemplateID: tpl.ID}
	if err := st.CreateCampaign(ctx, &c); err != nil {
		t.Fatal(err)
	}
	want, _ := st.RecipientCount(ctx, data.PurposeCare, seg.Rule)
	if want == 0 {
		t.Fatal("the demo has nobody to remind")
	}

	onUI(u, func() { u.Show("Campaigns") })
	s := u.campaigns
	waitFor(t, u, "the campaign list", func() bool { return len(s.rows) == 1 })
	onUI(u, func() { s.list.Select(0) })
	waitFor(t, u, "the review", func() bool { return strings.Contains(s.review.Text, "Sends to:") })
	onUI(u, func() {
		if mail := sampleText(s); !strings.Contains(mail, "Subject: Your flu shot at Sunny Clinic") || !strings.Contains(mail, "To: ") || strings.Contains(mail, "**") {
			t.Errorf("the sample email = %s", mail)
		}
		if s.send.Text != fmt.Sprintf("Send %d emails now", want) || s.send.Disabled() {
			t.Errorf("the Send button: %q, disabled %v", s.send.Text, s.send.Disabled())
		}
	})
	writeScreenshot(t, w, "campaign-review.png")
	onUI(u, func() { s.start(c.Name) })
	waitFor(t, u, "the send to finish", func() bool { return strings.HasPrefix(s.state.Text, "Done for this time:") })
	if got := mp.Count(t); got != want {
		t.Fatalf("mailpit has %d messages, want %d", got, want)
	}
	onUI(u, func() {
		if s.progress.Value != 1 {
			t.Errorf("progress %v", s.progress.Value)
		}
	})
	writeScreenshot(t, w, "campaign-sent.png")
}

func TestSettingsSaveAndTest(t *testing.T) {
	mp := mailpittest.Start(t)
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	onUI(u, func() { u.Show("Settings") })
	s := u.settings
	waitFor(t, u, "the settings to load", func() bool { return s.capCount.Text == "2" })
	onUI(u, func() {
		s.preset.SetSelected("Microsoft 365")
		if s.host.Text != "smtp.office365.com" || s.perMinute.Text != "30" || s.perDay.Text != "10000" || !strings.Contains(s.presetNote.Text, "December 2026") {
			t.Errorf("preset filled %q %q %q", s.host.Text, s.perMinute.Text, s.perDay.Text)
		}
		typeSettings(s, "Sunny Clinic", mp.SMTPPort)
		s.signature.SetText("Dr. Jane Doe and the team")
		s.zone.SetText("Europe/Berlin")
		s.perMinute.SetText("x")
		s.onSave()
		if !strings.Contains(s.status.Text, "whole number") {
			t.Errorf("status %q", s.status.Text)
		}
		s.perMinute.SetText("60")
		if s.imapHost.Text != "" {
			t.Errorf("the Other preset kept the inbox server %q", s.imapHost.Text)
		}
		s.imapHost.SetText("imap.sunny.example")
		s.moveHandled.SetChecked(true)
		s.onSave()
	})
	waitFor(t, u, "saving", func() bool { return s.status.Text != "Saving…" })
	onUI(u, func() {
		if s.status.Text != "Saved." {
			t.Fatalf("status %q", s.status.Text)
		}
	})
	st, err := u.work.Settings(t.Context())
	if err != nil || st.Mail.Port != mp.SMTPPort || st.Mail.PerMinute != 60 || st.Mail.Preset != "other" {
		t.Fatalf("settings %+v, %v", st, err)
	}
	if m := st.Mail; m.IMAPHost != "imap.sunny.example" || m.IMAPPort != 993 || m.IMAPTLS != data.TLSImplicit || m.InboxMoveTo != "Kindly" {
		t.Fatalf("the inbox: %+v", m)
	}
	if st.Practice.Signature != "Dr. Jane Doe and the team" {
		t.Fatalf("signature %q", st.Practice.Signature)
	}
	if loc, _ := storeOf(u).Location(context.Background()); loc.String() != "Europe/Berlin" {
		t.Fatalf("zone %v", loc)
	}
	onUI(u, func() { s.onTest() })
	waitFor(t, u, "the connection test", func() bool { return strings.HasPrefix(s.status.Text, "Signed in") })
	writeScreenshot(t, w, "settings.png")
}

// After a send, Reports draws the month and writes the send log.
func TestReportsAfterSend(t *testing.T) {
	u, w := newTestUI(t, 50)
	defer onUI(nil, w.Close)
	ctx := context.Background()
	c := data.Campaign{Name: "Flu", Purpose: data.PurposeCare}
	storeOf(u).CreateCampaign(ctx, &c)
	if _, err := storeOf(u).QueueCampaign(ctx, c, "x", data.Rule{Kind: data.KindAll}, data.QueueOptions{}, func(p data.Patient) (data.Rendered, error) {
		return data.Rendered{Subject: "s", Text: "t"}, nil
	}); err != nil {
		t.Fatal(err)
	}
	queued, err := storeOf(u).NextQueuedBatch(ctx, c.ID, "x", 100)
	if err != nil || len(queued) == 0 {
		t.Fatal(len(queued), err)
	}
	for _, m := range queued {
		if err := storeOf(u).MarkResult(ctx, m.ID, data.StatusSent, ""); err != nil {
			t.Fatal(err)
		}
	}
	onUI(u, func() { u.Show("Reports") })
	s := u.reports
	waitFor(t, u, "the chart", func() bool {
		if len(s.chart.Objects) != 1 {
			return false
		}
		_, isLabel := s.chart.Objects[0].(*widget.Label)
		return !isLabel
	})
	onUI(u, func() {
		if len(s.totals) != 1 || s.totals[0].Campaign != "Flu" || s.totals[0].Sent != len(queued) {
			t.Errorf("the table per campaign: %+v", s.totals)
		}
		if s.open.Visible() || s.reveal.Visible() {
			t.Error("Open and Show in folder before any export")
		}
	})
	onUI(nil, func() { w.Resize(fyne.NewSize(1024, 700)) })
	writeScreenshot(t, w, "reports-after-send.png")
	path := filepath.Join(t.TempDir(), "log.xlsx")
	onUI(u, func() { s.export(exportKinds[1].label, path) })
	waitFor(t, u, "the export", func() bool { return strings.Contains(s.status.Text, "written to") })
	onUI(u, func() {
		if !s.open.Visible() || !s.reveal.Visible() || s.written != path {
			t.Errorf("after the export: Open %v, Show in folder %v, file %q", s.open.Visible(), s.reveal.Visible(), s.written)
		}
	})
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		t.Fatalf("export: %v", err)
	}
	// A segment's members, chosen by name.
	if _, err := storeOf(u).SaveSegment(ctx, "Everyone", data.Rule{Kind: data.KindAll}); err != nil {
		t.Fatal(err)
	}
	onUI(u, func() { s.refresh() })
	waitFor(t, u, "the segment choice", func() bool { return slices.Contains(s.segment.Options, "Everyone") })
	members := filepath.Join(t.TempDir(), "everyone.xlsx")
	onUI(u, func() { s.segment.SetSelected("Everyone"); s.export(segmentExport, members) })
	waitFor(t, u, "the segment export", func() bool { return strings.Contains(s.status.Text, "Everyone written to") })
	onUI(u, func() {
		if s.progress.Visible() {
			t.Error("the progress bar stays after the export")
		}
	})
	if st, err := os.Stat(members); err != nil || st.Size() == 0 {
		t.Fatalf("segment export: %v", err)
	}
	writeScreenshot(t, w, "reports.png")
}

func TestTemplateEditor(t *testing.T) {
	mp := mailpittest.Start(t)
	u, w := newTestUI(t, 20)
	defer onUI(nil, w.Close)
	configure(t, u, mp.SMTPPort)
	onUI(u, func() { u.Show("Templates") })
	s := u.templates
	waitFor(t, u, "the sample patient", func() bool { return s.sample.ID != 0 })
	onUI(u, func() {
		s.name.SetText("Recall")
		s.subject.SetText("Your diabetes check")
		s.body.SetText("Hello {{frist_name}},\n")
		if !strings.Contains(s.problems.Text, "did you mean first_name") || !strings.Contains(s.problems.Text, `"diabetes"`) {
			t.Errorf("problems %q", s.problems.Text)
		}
		s.subject.SetText("Time for your check-up")
		s.body.SetText("Hello ,\nSee you soon.")
		s.body.CursorRow, s.body.CursorColumn = 0, 6
		s.onInsertField("first_name")
		if s.body.Text != "Hello {{first_name}},\nSee you soon." || s.problems.Text != "" || !strings.Contains(s.preview.Text, "Hello "+s.sample.FirstName+",") {
			t.Errorf("body %q problems %q preview %q", s.body.Text, s.problems.Text, s.preview.Text)
		}
		s.onSave()
	})
	waitFor(t, u, "saved", func() bool { return s.status.Text == "Saved." })
	if tpl, err := storeOf(u).TemplateByName(context.Background(), "recall"); err != nil || tpl.Subject != "Time for your check-up" {
		t.Fatalf("%+v %v", tpl, err)
	}
	other, _ := storeOf(u).Patients(context.Background(), data.PatientQuery{Offset: 5, Limit: 1})
	onUI(u, func() { s.onPreviewFor(other[0].LastName + " " + other[0].FirstName) })
	waitFor(t, u, "the preview for another patient", func() bool { return s.sample.ID == other[0].ID })
	// Saving again (which reloads the screen) keeps the patient chosen.
	onUI(u, func() { s.status.SetText(""); s.onSave() })
	waitFor(t, u, "saved again", func() bool { return s.status.Text == "Saved." })
	for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) { // the reload after saving lands meanwhile
		onUI(u, func() {
			if s.sample.ID != other[0].ID {
				t.Fatalf("saving reset the preview to %s", s.sample.DisplayName())
			}
		})
	}
	onUI(u, func() {
		if !strings.Contains(s.preview.Text, "To: "+other[0].Email) {
			t.Errorf("preview %q", s.preview.Text)
		}
	})
	onUI(u, func() { s.onTest() })
	waitFor(t, u, "the test", func() bool { return strings.HasPrefix(s.status.Text, "Test sent") })
	if got := mp.Messages(t); len(got) != 1 || got[0].To[0].Address != "front@sunny.example" {
		t.Fatalf("test message: %+v", got)
	}
	writeScreenshot(t, w, "templates.png")
}

func TestCalendarMonth(t *testing.T) {
	u, w := newTestUI(t, 1000)
	defer onUI(nil, w.Close)
	ctx := context.Background()
	if err := storeOf(u).SaveSettings(ctx, data.Settings{TimeZone: "America/New_York", Cap: data.DefaultCap,
		Mail: data.MailAccount{Preset: "gmail", Host: "smtp.gmail.com", Port: 587, TLS: data.TLSStartTLS, From: "a@b.example", PerMinute: 20, PerDay: 50}}); err != nil {
		t.Fatal(err)
	}
	seg, _ := storeOf(u).SegmentByName(ctx, "65+ without a flu shot this season")
	bd, _ := storeOf(u).SegmentByName(ctx, "Birthdays in the next 30 days")
	tpl := data.Template{Name: "T", Subject: "s", Body: "b"}
	storeOf(u).SaveTemplate(ctx, &tpl)
	today, _ := storeOf(u).Today(context.Background())
	next := data.Date{Year: today.Year, Month: today.Month, Day: 1}.AddMonths(1)
	for _, c := range []data.Campaign{
		{Name: "Flu", Purpose: data.PurposeCare, SegmentID: seg.ID, TemplateID: tpl.ID, Schedule: data.Schedule{Kind: data.ScheduleSeason, Month: int(next.Month), Day: 3}.JSON()},
		{Name: "Birthdays", Purpose: data.PurposeCare, SegmentID: bd.ID, TemplateID: tpl.ID, Schedule: data.Schedule{Kind: data.ScheduleBirthday}.JSON()},
	} {
		if err := storeOf(u).CreateCampaign(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	onUI(u, func() { u.Show("Calendar") })
	s := u.calendar
	onUI(u, func() { s.month = next; s.refresh() })
	waitFor(t, u, "the flu season in the grid", func() bool {
		for _, o := range s.grid.Objects {
			if st, ok := o.(*fyne.Container); ok {
				for _, b := range st.Objects[1].(*fyne.Container).Objects {
					if text, ok := cellText(b); ok && strings.HasPrefix(text, "Flu ") {
						return true
					}
				}
			}
		}
		return false
	})
	onUI(u, func() {
		if !strings.Contains(s.notes.Text, "exceed 50/day") || !strings.Contains(s.notes.Text, "finishes") {
			t.Errorf("notes %q", s.notes.Text)
		}
	})
	writeScreenshot(t, w, "calendar.png")
	// Tapping a campaign in the calendar opens it.
	onUI(u, func() { u.openCampaign("Flu") })
	cs := u.campaigns
	waitFor(t, u, "the campaign opened from the calendar", func() bool { return cs.title.Text == "Flu" })
}

func TestCalendarYear(t *testing.T) {
	u, w := newTestUI(t, 600)
	defer onUI(nil, w.Close)
	ctx := context.Background()
	seg, _ := storeOf(u).SegmentByName(ctx, "Diabetes program")
	tpl := data.Template{Name: "T", Subject: "s", Body: "b"}
	storeOf(u).SaveTemplate(ctx, &tpl)
	for _, c := range []data.Campaign{
		{Name: "Flu", Purpose: data.PurposeCare, SegmentID: seg.ID, TemplateID: tpl.ID, Schedule: data.Schedule{Kind: data.ScheduleSeason, Month: 10, Day: 1}.JSON()},
		{Name: "Birthdays", Purpose: data.PurposeCare, SegmentID: seg.ID, TemplateID: tpl.ID, Schedule: data.Schedule{Kind: data.ScheduleBirthday, DaysBefore: 3}.JSON()},
	} {
		storeOf(u).CreateCampaign(ctx, &c)
	}
	onUI(u, func() { u.Show("Calendar") })
	s := u.calendar
	onUI(u, func() { s.month = data.Date{Year: 2027, Month: 1, Day: 1}; s.view.SetSelected("Year") })
	waitFor(t, u, "the year", func() bool { return s.title.Text == "2027" && len(s.grid.Objects) == 12 })
	months, err := storeOf(u).CalendarYear(ctx, 2027)
	if err != nil {
		t.Fatal(err)
	}
	birthdays := 0
	for _, m := range months {
		for _, e := range m.Entries {
			if e.Campaign == "Birthdays" {
				birthdays += e.Audience
			}
		}
	}
	flu, _ := storeOf(u).RecipientCount(ctx, data.PurposeCare, seg.Rule)
	october := 0
	for _, e := range months[9].Entries {
		if e.Campaign == "Flu" {
			october = e.Audience
		}
	}
	// The season starts in October with every member; birthdays spread each member over the year once.
	if october != flu || birthdays != flu {
		t.Fatalf("october %+v, birthdays over the year %d (members %d)", months[9], birthdays, flu)
	}
	writeScreenshot(t, w, "calendar-year.png")
}

// A run that was being sent when Kindly closed is sent on by itself when
// the window opens again; a paused one waits.
func TestResumeSendingAfterRestart(t *testing.T) {
	mp := mailpittest.Start(t)
	u, w := newTestUI(t, 60)
	defer onUI(nil, w.Close)
	ctx := context.Background()
	st := storeOf(u)
	configure(t, u, mp.SMTPPort)
	tpl := data.Template{Name: "Hello", Subject: "Hello {{first_name}}", Body: "Dear {{first_name}}"}
	st.SaveTemplate(ctx, &tpl)
	seg, err := st.SaveSegment(ctx, "Everyone", data.Rule{Kind: data.KindAll})
	if err != nil {
		t.Fatal(err)
	}
	var runs []data.Campaign
	for _, name := range []string{"Interrupted", "Paused"} {
		c := data.Campaign{Name: name, Purpose: data.PurposeCare, SegmentID: seg.ID, TemplateID: tpl.ID}
		if err := st.CreateCampaign(ctx, &c); err != nil {
			t.Fatal(err)
		}
		if _, err := u.work.Queue(ctx, name); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, c)
	}
	st.SetCampaignStatus(ctx, runs[0].ID, data.CampaignSending) // as a run left it when the app closed
	st.SetCampaignStatus(ctx, runs[1].ID, data.CampaignPaused)
	queued := func(c data.Campaign) int {
		counts, _ := st.OutboxCounts(ctx, c.ID, "")
		return counts[data.StatusQueued]
	}
	want := queued(runs[0])
	if want == 0 || queued(runs[1]) == 0 {
		t.Fatal("nothing queued")
	}
	s := u.campaigns
	background(u, u.work.Interrupted, u.onInterruptedRuns) // what Start does when the window opens
	last := ""
	waitFor(t, u, "the resumed run to finish", func() bool {
		if s.state.Text != last {
			last = s.state.Text
			t.Log(last)
		}
		return strings.HasPrefix(s.state.Text, "Done for this time:")
	})
	if got := mp.Count(t); got != want {
		t.Fatalf("%d emails sent, want the %d queued", got, want)
	}
	if queued(runs[0]) != 0 || queued(runs[1]) == 0 {
		t.Fatalf("after the resume: %d still queued in the interrupted run, %d in the paused one", queued(runs[0]), queued(runs[1]))
	}
}

// The practice decides about uncertain emails in the window: they arrived.
func TestUncertainEmailsDecidedInTheWindow(t *testing.T) {
	u, w := newTestUI(t, 30)
	defer onUI(nil, w.Close)
	ctx := context.Background()
	seg, err := storeOf(u).SaveSegment(ctx, "Everyone", data.Rule{Kind: data.KindAll})
	if err != nil {
		t.Fatal(err)
	}
	tpl, _ := storeOf(u).TemplateByName(ctx, "Flu shot")
	c := data.Campaign{Name: "Flu", Purpose: data.PurposeCare, SegmentID: seg.ID, TemplateID: tpl.ID}
	if err := storeOf(u).CreateCampaign(ctx, &c); err != nil {
		t.Fatal(err)
	}
	configure(t, u, 25)
	q, err := u.work.Queue(ctx, "Flu")
	if err != nil || q.Queued < 2 {
		t.Fatal(q, err)
	}
	batch, _ := storeOf(u).NextQueuedBatch(ctx, c.ID, q.Occurrence, 2)
	for _, m := range batch {
		storeOf(u).ClaimForSending(ctx, m.ID, data.PurposeCare)
		storeOf(u).MarkResult(ctx, m.ID, data.StatusUncertain, "the mail server took the email but its answer never came")
	}
	s := u.campaigns
	onUI(u, func() { u.openCampaign("Flu") })
	waitFor(t, u, "the campaign", func() bool { return s.selected == "Flu" })
	var dlg *uncertainDialog
	onUI(u, func() {
		dlg = showUncertain(s, "Flu", mustUncertain(t, u, "Flu"))
		if len(dlg.checks) != 2 {
			t.Fatalf("%d uncertain emails shown", len(dlg.checks))
		}
		dlg.checks[1].SetChecked(false)
		dlg.decide(dlg.chosen(), true)
	})
	waitFor(t, u, "the decision", func() bool { return s.status.Text == `1 uncertain email of "Flu" marked as arrived.` })
	left, _ := u.work.Uncertain(ctx, "Flu")
	if len(left) != 1 || left[0].ID != batch[1].ID {
		t.Fatalf("left uncertain: %+v", left)
	}
}

func mustUncertain(t *testing.T, u *UI, name string) []data.OutboxEntry {
	t.Helper()
	list, err := u.work.Uncertain(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// Settings says which Kindly this is (support asks first).
func TestSettingsShowsTheVersion(t *testing.T) {
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	onUI(u, func() {
		if got := u.settings.version.Text; got != "Kindly (development build)" { // the test app has no metadata
			t.Errorf("version %q", got)
		}
	})
	m := fyne.AppMetadata{Name: "Kindly", Version: "1.2.3", Build: 7, Custom: map[string]string{"revision": "abc123"}}
	if got := versionLine(m); got != "Kindly 1.2.3 (build 7, revision abc123)" {
		t.Errorf("version line %q", got)
	}
}

// sampleText is the Email tab's text: the header and the rendered email.
func sampleText(s *campaignsScreen) string {
	var b strings.Builder
	for _, o := range s.email.Objects {
		switch x := o.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *widget.RichText:
			b.WriteString(x.String() + "\n")
		}
	}
	return b.String()
}
