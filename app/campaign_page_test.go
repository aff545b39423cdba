package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/internal/mailpittest"
	"kindly/mailer"
	"kindly/workflow"
)

// The campaign page in each state, at 1024x700: one status line, the
// actions the state allows, the recipients with reasons, the email as
// the patient sees it, and a confirmation that says the number.
func TestCampaignPageStates(t *testing.T) {
	mp := mailpittest.Start(t)
	u, w := newTestUI(t, 300)
	defer onUI(nil, w.Close)
	onUI(nil, func() { w.Resize(fyne.NewSize(1024, 700)) })
	ctx := context.Background()
	st := storeOf(u)
	configure(t, u, mp.SMTPPort)
	tpl := data.Template{Name: "Flu shot", Subject: mailer.Starters[0].Subject, Body: mailer.Starters[0].Body}
	st.SaveTemplate(ctx, &tpl)
	seg, _ := st.SegmentByName(ctx, "65+ without a flu shot this season")
	for _, c := range []data.Campaign{{Name: "Flu shots", Purpose: data.PurposeCare, SegmentID: seg.ID, TemplateID: tpl.ID},
		{Name: "Flu next season", Purpose: data.PurposeCare, SegmentID: seg.ID, TemplateID: tpl.ID,
			Schedule: data.Schedule{Kind: data.ScheduleSeason, Month: 10, Day: 1, UntilMonth: 10, UntilDay: 31}.JSON()}} {
		if err := st.CreateCampaign(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	s := u.campaigns
	onUI(u, func() { u.Show("Campaigns") })
	waitFor(t, u, "the list", func() bool { return len(s.rows) == 2 })
	onUI(u, func() {
		if !s.send.Disabled() || !s.edit.Disabled() || !s.cancel.Disabled() || s.detail.Visible() {
			t.Error("with nothing chosen, the actions are off and the page asks to choose")
		}
	})
	choose := func(name string) workflow.Review {
		t.Helper()
		onUI(u, func() {
			for i, r := range s.rows {
				if r.Name == name {
					s.list.UnselectAll()
					s.list.Select(i)
				}
			}
		})
		waitFor(t, u, "the review of "+name, func() bool { return s.lastReview.Campaign == name && s.state.Text == s.lastReview.StateText })
		return s.lastReview
	}

	// Ready: the number on the button, the recipients, the email.
	rv := choose("Flu shots")
	if rv.State != workflow.StateReady || rv.ToSend == 0 {
		t.Fatalf("ready: %+v", rv)
	}
	onUI(u, func() {
		if s.send.Text != "Send "+workflow.Emails(rv.ToSend)+" now" || s.send.Disabled() || !s.pause.Disabled() || !s.cancel.Disabled() || s.progress.Visible() {
			t.Errorf("ready: send %q (off %v), pause off %v, cancel off %v, bar %v", s.send.Text, s.send.Disabled(), s.pause.Disabled(), s.cancel.Disabled(), s.progress.Visible())
		}
	})
	writeScreenshot(t, w, "campaign-ready.png")
	onUI(u, func() { s.tabs.SelectIndex(1) })
	onUI(u, func() {
		if len(s.recipients.all) != rv.ToSend+rv.Skipping || s.recipients.count.Text != workflow.RecipientsLine(s.recipients.all) ||
			!strings.Contains(s.recipients.count.Text, "the next send: "+workflow.Patients(rv.ToSend)+" get it") {
			t.Errorf("recipients: %d rows, %q", len(s.recipients.all), s.recipients.count.Text)
		}
		s.recipients.skipped.SetChecked(true)
		for _, r := range s.recipients.shown {
			if r.Gets || r.Reason == "" {
				t.Errorf("only skipped, each with a reason: %+v", r)
			}
		}
		s.recipients.skipped.SetChecked(false)
	})
	writeScreenshot(t, w, "campaign-recipients.png")
	onUI(u, func() { s.tabs.SelectIndex(2) })
	onUI(u, func() {
		if mail := sampleText(s); strings.Contains(mail, "**") || !strings.Contains(mail, "Subject: ") {
			t.Errorf("email: %s", mail)
		}
	})
	writeScreenshot(t, w, "campaign-email.png")
	onUI(u, func() { s.tabs.SelectIndex(0); s.onSend() })
	onUI(u, func() {
		if text := overlayText(w); !strings.Contains(text, "Send "+workflow.Emails(rv.ToSend)+" now?") {
			t.Errorf("the confirmation: %s", text)
		}
	})
	writeScreenshot(t, w, "campaign-confirm.png")
	onUI(u, func() { tapButton(t, w, "Not now") })

	// Paused (queued, not sent): Go on, Cancel, the bar.
	if _, err := u.work.Queue(ctx, "Flu shots"); err != nil {
		t.Fatal(err)
	}
	c, _ := u.work.Campaign(ctx, "Flu shots")
	st.SetCampaignStatus(ctx, c.ID, data.CampaignPaused)
	onUI(u, func() { s.reload() })
	waitFor(t, u, "paused", func() bool {
		return s.lastReview.State == workflow.StatePaused && s.state.Text == s.lastReview.StateText
	})
	onUI(u, func() {
		if !strings.HasPrefix(s.send.Text, "Go on (") || s.cancel.Disabled() || !s.progress.Visible() {
			t.Errorf("paused: send %q, cancel off %v, bar %v", s.send.Text, s.cancel.Disabled(), s.progress.Visible())
		}
	})
	writeScreenshot(t, w, "campaign-paused.png")

	// Sent: done, Send off, the bar full; another campaign shows its own state.
	onUI(u, func() { s.start("Flu shots") })
	waitFor(t, u, "done", func() bool {
		return s.lastReview.State == workflow.StateDone && s.stop == nil && s.state.Text == s.lastReview.StateText
	})
	onUI(u, func() {
		if !s.send.Disabled() || !s.cancel.Disabled() || s.progress.Visible() || !strings.HasPrefix(s.state.Text, "Done for this time: ") {
			t.Errorf("done: send off %v, cancel off %v, bar %v, %q", s.send.Disabled(), s.cancel.Disabled(), s.progress.Visible(), s.state.Text)
		}
	})
	writeScreenshot(t, w, "campaign-done.png")
	rv = choose("Flu next season")
	onUI(u, func() {
		if rv.State != workflow.StateScheduled || !s.send.Disabled() || s.status.Text != "" || strings.Contains(s.state.Text, "Done") {
			t.Errorf("scheduled: %q %q, send off %v", s.state.Text, s.status.Text, s.send.Disabled())
		}
	})
	writeScreenshot(t, w, "campaign-scheduled.png")

	// Blocked: an empty practice detail stops it, and says which.
	sts, _ := u.work.Settings(ctx)
	sts.Practice.Phone = ""
	if err := u.work.SaveSettings(ctx, sts, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateCampaign(ctx, &data.Campaign{Name: "Recall", Purpose: data.PurposeCare, SegmentID: seg.ID, TemplateID: tpl.ID}); err != nil {
		t.Fatal(err)
	}
	onUI(u, func() { s.refresh() })
	waitFor(t, u, "the new campaign", func() bool { return len(s.rows) == 3 })
	rv = choose("Recall")
	onUI(u, func() {
		if rv.State != workflow.StateBlocked || !s.send.Disabled() || !strings.Contains(s.state.Text, "phone number") {
			t.Errorf("blocked: %q, send off %v", s.state.Text, s.send.Disabled())
		}
	})
	writeScreenshot(t, w, "campaign-blocked.png")
}

// The campaign form shows the fields of the chosen schedule only, and the
// segments with their size today.
func TestCampaignFormShowsItsScheduleFields(t *testing.T) {
	u, w := newTestUI(t, 100)
	defer onUI(nil, w.Close)
	var c formChoices
	onUI(u, func() {})
	c, err := u.campaigns.choices(context.Background())
	if err != nil || len(c.segments) == 0 {
		t.Fatalf("choices %+v, %v", c, err)
	}
	onUI(u, func() {
		f := showCampaignForm(u, workflow.CampaignSpec{Purpose: data.PurposeCare, Segment: c.segments[0]}, true, c, nil)
		want := c.segments[0] + " (" + workflow.Patients(c.counts[c.segments[0]]) + ")"
		if f.segment.Selected != want || f.spec().Segment != c.segments[0] {
			t.Errorf("segment shown %q (want %q), saved as %q", f.segment.Selected, want, f.spec().Segment)
		}
		shows := func(e fyne.CanvasObject) bool {
			for _, it := range f.form.Items {
				if it.Widget == e {
					return true
				}
			}
			return false
		}
		fields := []fyne.CanvasObject{f.date, f.from, f.until, f.days, f.service, f.months, f.followups, f.every, f.followTpl, f.apptDays}
		for _, e := range fields {
			if shows(e) {
				t.Error("a campaign sent by hand shows schedule fields")
			}
		}
		for kind, items := range f.whenItems {
			f.schedKind.SetSelected(labelOf(scheduleKinds, kind))
			n := 0
			for _, e := range fields {
				if shows(e) {
					n++
				}
			}
			if n != len(items) || !shows(items[0].Widget) {
				t.Errorf("%s: the form shows %d schedule fields, want its own %d", kind, n, len(items))
			}
		}
		f.schedKind.SetSelected(labelOf(scheduleKinds, data.ScheduleRecall))
		f.service.SetText("Check-up")
		f.months.SetText("12")
		f.followups.SetText("2")
		f.every.SetText("14")
		f.followTpl.SetText("Second reminder")
		writeScreenshot(t, w, "campaign-form-recall.png")
		f.schedKind.SetSelected(labelOf(scheduleKinds, data.ScheduleSeason))
		writeScreenshot(t, w, "campaign-form.png")
		f.dlg.Hide()
	})
}

// Settings at 1024x700: Save is in view without scrolling, and every grey
// hint says it is an example.
func TestSettingsSaveInViewAndHintsAreExamples(t *testing.T) {
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	onUI(nil, func() { w.Resize(fyne.NewSize(1024, 700)) })
	onUI(u, func() { u.Show("Settings") })
	s := u.settings
	waitFor(t, u, "the settings", func() bool { return s.capCount.Text != "" })
	onUI(u, func() {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(s.save)
		if !s.save.Visible() || pos.Y <= 0 || pos.Y+s.save.Size().Height > 700 {
			t.Errorf("Save at %v, size %v: not in view", pos, s.save.Size())
		}
		for _, e := range []*widget.Entry{&s.name.Entry, &s.address.Entry, &s.phone.Entry, &s.email.Entry, &s.zone.Entry, &s.signature.Entry, &s.words.Entry,
			&s.host.Entry, &s.port.Entry, &s.user.Entry, &s.from.Entry, &s.perMinute.Entry, &s.perDay.Entry, &s.capCount.Entry, &s.capDays.Entry,
			&s.imapHost.Entry, &s.catchUp.Entry} {
			if e.PlaceHolder != "" && !strings.HasPrefix(e.PlaceHolder, "e.g. ") {
				t.Errorf("the hint %q does not say it is an example", e.PlaceHolder)
			}
		}
	})
	writeScreenshot(t, w, "settings-save-in-view.png")
}

// Escape closes the dialog on top, doing nothing else.
func TestEscapeClosesDialogs(t *testing.T) {
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	confirmed := false
	onUI(u, func() {
		dialog.ShowConfirm("Delete?", "Really?", func(ok bool) { confirmed = ok }, w)
		if w.Canvas().Overlays().Top() == nil {
			t.Fatal("no dialog")
		}
		w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
		if w.Canvas().Overlays().Top() != nil || confirmed {
			t.Errorf("Escape left the dialog open (or confirmed it: %v)", confirmed)
		}
		// Also from inside a field that has the focus (it gets every key).
		f := showPatientForm(u, data.Patient{}, nil, nil)
		w.Canvas().Focus(f.first)
		test.Type(f.first, "Ada")
		w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		if w.Canvas().Overlays().Top() != nil {
			t.Error("Escape in a field left the patient form open")
		}
	})
}

// The calendar marks today and shows what went out on past days; the year
// view does not push the sidebar.
func TestCalendarTodayAndPastSends(t *testing.T) {
	mp := mailpittest.Start(t)
	u, w := newTestUI(t, 300)
	defer onUI(nil, w.Close)
	onUI(nil, func() { w.Resize(fyne.NewSize(1024, 700)) })
	ctx := context.Background()
	configure(t, u, mp.SMTPPort)
	tpl := data.Template{Name: "Flu shot", Subject: mailer.Starters[0].Subject, Body: mailer.Starters[0].Body}
	storeOf(u).SaveTemplate(ctx, &tpl)
	seg, _ := storeOf(u).SegmentByName(ctx, "65+ without a flu shot this season")
	c := data.Campaign{Name: "Flu shots 2026", Purpose: data.PurposeCare, SegmentID: seg.ID, TemplateID: tpl.ID}
	if err := storeOf(u).CreateCampaign(ctx, &c); err != nil {
		t.Fatal(err)
	}
	res, err := u.work.Send(ctx, c.Name, workflow.SendOptions{})
	if err != nil || res.Sent == 0 {
		t.Fatalf("send: %+v, %v", res, err)
	}
	sidebar := float32(0)
	onUI(u, func() { sidebar = u.sidebar.Size().Width; u.Show("Calendar") })
	s := u.calendar
	want := fmt.Sprintf("Flu shots 2026 · %d sent", res.Sent)
	var today *fyne.Container
	waitFor(t, u, "today's cell", func() bool {
		for _, o := range s.grid.Objects {
			if st, ok := o.(*fyne.Container); ok && len(st.Objects) == 2 {
				cell := st.Objects[1].(*fyne.Container)
				if l, ok := cell.Objects[0].(*widget.Label); ok && strings.HasSuffix(l.Text, "· today") {
					today = cell
					return true
				}
			}
		}
		return false
	})
	onUI(u, func() {
		found := false
		for _, o := range today.Objects {
			if text, ok := cellText(o); ok && text == want {
				found = true
			}
		}
		if !found {
			t.Errorf("today's cell does not show %q", want)
		}
	})
	writeScreenshot(t, w, "calendar-today.png")
	onUI(u, func() { s.view.SetSelected("Year") })
	waitFor(t, u, "the year", func() bool { return len(s.grid.Objects) == 12 })
	onUI(u, func() {
		if got := u.sidebar.Size().Width; got != sidebar {
			t.Errorf("the year view moved the sidebar from %v to %v", sidebar, got)
		}
	})
}

// The patient form reads dates as the importer does (in the practice's
// order), shows errors next to the field, confirms the save, shows a new
// patient despite a search, and offers Undo after archiving.
func TestPatientFormEdges(t *testing.T) {
	u, w := newTestUI(t, 50)
	defer onUI(nil, w.Close)
	ctx := context.Background()
	st, _ := u.work.Settings(ctx)
	st.TimeZone = "Europe/Berlin" // day first: 14.03.1958, 4/3/1958 is 4 March
	if err := u.work.SaveSettings(ctx, st, ""); err != nil {
		t.Fatal(err)
	}
	read := u.datesRead
	onUI(u, u.loadDateStyle) // as Settings does after a save
	waitFor(t, u, "the time zone read again", func() bool { return u.datesRead > read })
	p := u.patients
	onUI(u, func() { u.Show("Patients"); p.search.SetText("smith") })
	var f *patientForm
	onUI(u, func() {
		p.onNewPatient()
		f = p.form
		test.Type(f.first, "Ada")
		test.Type(f.last, "Lovelace")
		test.Type(f.born, "31/02/1958")
		if f.born.Validate() == nil {
			t.Error("31/02/1958 passed")
		}
		f.born.SetText("4/3/1958")
		test.Type(f.email, "ada@")
		f.dlg.Hide() // as its Save button does
		f.onSave()
	})
	waitFor(t, u, "the error at the email", func() bool {
		return f.email.Validate() != nil && strings.Contains(f.message.Text, "not an email address")
	})
	onUI(u, func() { f.email.SetText("ada@example.com"); f.dlg.Hide(); f.onSave() })
	waitFor(t, u, "the confirmation", func() bool { return u.notice.box.Visible() && u.notice.text.Text == "Lovelace, Ada added." })
	onUI(u, func() {
		if p.search.Text != "ada@example.com" {
			t.Errorf("the search hides the new patient: %q", p.search.Text)
		}
	})
	ps, _ := storeOf(u).Patients(ctx, data.PatientQuery{Search: "lovelace"})
	if len(ps) != 1 || ps[0].BirthDate.String() != "1958-03-04" {
		t.Fatalf("saved %+v", ps)
	}
	onUI(u, func() {
		if got := u.dates.day(ps[0].BirthDate); got != "4 Mar 1958" { // one format, the practice's (Berlin: day first)
			t.Errorf("the window writes the birth date as %q", got)
		}
	})
	// Archive, then Undo.
	onUI(u, func() { f = showPatientForm(u, ps[0], nil, p.reload); f.onArchive() })
	waitFor(t, u, "the archive notice", func() bool { return strings.Contains(u.notice.text.Text, "archived") && u.notice.undo.Visible() })
	if got, _ := storeOf(u).Patient(ctx, ps[0].ID); !got.Archived {
		t.Fatal("not archived")
	}
	onUI(u, func() { test.Tap(u.notice.undo) })
	waitFor(t, u, "the undo", func() bool { return strings.HasSuffix(u.notice.text.Text, "is as before.") })
	if got, _ := storeOf(u).Patient(ctx, ps[0].ID); got.Archived {
		t.Fatal("Undo left the patient archived")
	}
	writeScreenshot(t, w, "patient-archived-undo.png")
}

// A producer reporting as fast as it can queues one hand-over at a time,
// never one per report, and the last value always arrives.
func TestProgressNeverFloodsTheWindow(t *testing.T) {
	var queued []func() // the window's event queue, as fyne.Do fills it
	u := &UI{ctx: context.Background(), post: func(fn func()) { queued = append(queued, fn) }}
	applied, last := 0, 0
	l := newLatest(u, func(v int) { applied++; last = v })
	for i := 1; i <= 100000; i++ {
		l.put(i)
	}
	if len(queued) != 1 {
		t.Errorf("%d hand-overs wait for the window after 100,000 reports", len(queued))
	}
	for _, fn := range queued {
		fn()
	}
	if applied != 1 || last != 100000 {
		t.Errorf("applied %d times, last %d", applied, last)
	}
	l.put(7) // the next report after the window caught up goes through
	if len(queued) != 2 {
		t.Error("a report after the hand-over was dropped")
	}
}

// Tables grow with the window (no empty band on a big screen), dropdowns
// are as wide as their longest choice, and the chart has a scale.
func TestTablesStretchDropdownsFitChartHasAScale(t *testing.T) {
	u, w := newTestUI(t, 50)
	defer onUI(nil, w.Close)
	p := u.patients
	onUI(u, func() { u.Show("Patients") })
	width := func() float32 {
		var sum float32
		onUI(u, func() {
			for _, w := range p.grid.(*fyne.Container).Layout.(*columnsLayout).set { // what the layout set
				sum += w
			}
		})
		return sum
	}
	onUI(nil, func() { w.Resize(fyne.NewSize(1920, 1080)) })
	wide := width()
	onUI(nil, func() { w.Resize(fyne.NewSize(1024, 700)) })
	small := width()
	if wide < 1400 || small >= wide {
		t.Errorf("the patient table's columns: %v wide at 1920, %v at 1024", wide, small)
	}

	c := newConditionEditor(data.Rule{Kind: data.KindVisit, Op: data.VisitNotWithin, Months: 12}, func() {}, func() []string { return nil })
	for _, o := range c.params.Objects {
		if g, ok := o.(*fyne.Container); ok && len(g.Objects) == 1 && g.Objects[0] == c.op {
			need := fyne.MeasureText("not within the last N months", theme.TextSize(), fyne.TextStyle{}).Width
			if g.MinSize().Width < need {
				t.Errorf("the dropdown is %v wide, its longest choice needs %v", g.MinSize().Width, need)
			}
		}
	}

	chart := monthlyChart([]data.MonthlyStats{{Campaign: "Flu", Month: "2026-10", Sent: 236, Failed: 3}})
	var texts []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *canvas.Text:
			texts = append(texts, x.Text)
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(x.Content)
		}
	}
	walk(chart)
	got := strings.Join(texts, "|")
	for _, want := range []string{"500", "250", "0", "236", "Oct 2026"} {
		if !strings.Contains("|"+got+"|", "|"+want+"|") {
			t.Errorf("the chart lacks %q: %s", want, got)
		}
	}
}

// cellText is the text of a cellButton.
func cellText(o fyne.CanvasObject) (string, bool) {
	chip := findChip(o) // the campaign's colour bar beside a button under its name and count
	if chip == nil {
		return "", false
	}
	lines := chip.Objects[0].(*fyne.Container).Objects[1].(*fyne.Container).Objects
	return lines[0].(*widget.Label).Text + " · " + lines[1].(*widget.Label).Text, true
}
