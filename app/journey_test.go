package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kindly/data"
	"kindly/internal/mailpittest"
	"kindly/workflow"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestJourney is the path of someone who never saw Kindly, through the
// window only: set up the practice and mailbox, import a spreadsheet,
// build "65+ without a flu shot this season", write the email, create the
// October flu campaign, review and send it (to Mailpit), export the results.
func TestJourney(t *testing.T) {
	mp := mailpittest.Start(t)
	october := time.Date(2026, 10, 5, 14, 0, 0, 0, time.UTC) // a Monday, 10:00 in New York
	u, w := newTestUIAt(t, 0, october)
	defer onUI(nil, w.Close)
	shot := func(name string) { writeScreenshot(t, w, "journey-"+name+".png") }

	// 1. Welcome, then Settings: the practice and the mail account.
	today := u.today
	waitFor(t, u, "the welcome", func() bool { return today.welcome.Visible() })
	shot("1-welcome")
	onUI(u, func() { u.Show("Settings") })
	st := u.settings
	waitFor(t, u, "settings", func() bool { return st.capCount.Text != "" })
	onUI(u, func() { typeSettings(st, "Sunny Family Practice", mp.SMTPPort); st.onSave() })
	waitFor(t, u, "saved settings", func() bool { return st.status.Text == "Saved." })
	shot("2-settings")

	// 2. Import the practice system's spreadsheet.
	onUI(u, func() { u.Show("Patients") })
	var wiz *importWizard
	imported := make(chan struct{}, 1)
	onUI(u, func() {
		wiz = newImportWizard(u, filepath.Join("..", "reports", "testdata", "patients-messy.xlsx"), func() { imported <- struct{}{} })
	})
	waitFor(t, u, "the dry run", func() bool { return strings.Contains(wiz.summary.Text, "7 to add") })
	shot("3-import")
	onUI(u, func() { wiz.onImport() })
	waitFor(t, u, "the import", func() bool { return received(imported) })
	onUI(u, func() { wiz.dlg.Hide() })

	// 3. The email.
	onUI(u, func() { u.Show("Templates") })
	tp := u.templates
	waitFor(t, u, "the templates screen", func() bool { return tp.sample.LastName != "" && tp.sample.ID != 0 })
	onUI(u, func() {
		tp.name.SetText("Flu shot")
		tp.subject.SetText("Your flu shot at {{practice_name}}")
		tp.body.SetText("Dear {{name | \"patient\"}},\n\nflu season is here. Call {{practice_phone}} to book your flu shot.\n\nKind regards,\n{{practice_name}}")
		tp.onSave()
	})
	waitFor(t, u, "the saved template", func() bool { return tp.status.Text == "Saved." })
	shot("4-template")

	// 4. The segment.
	onUI(u, func() { u.Show("Segments") })
	sg := u.segments
	onUI(u, func() {
		sg.name.SetText("65+ without a flu shot this season")
		sg.editor.add(data.Rule{Kind: data.KindAge})
		sg.editor.children[0].(*conditionEditor).n1.SetText("65")
		sg.editor.add(data.Rule{Kind: data.KindAge})
		v := sg.editor.children[1].(*conditionEditor)
		v.kind.SetSelected("Last visit")
		v.text.SetText("flu shot")
		v.op.SetSelected("not since the 1st of")
		v.month.SetSelected("September")
		sg.editor.add(data.Rule{Kind: data.KindAge})
		e := sg.editor.children[2].(*conditionEditor)
		e.kind.SetSelected("Email address")
	})
	// Anna Smith (born 1950, with an address); O'Brien (1960) has none.
	waitFor(t, u, "the live count", func() bool { return sg.count.Text == "1 patient today" })
	onUI(u, func() { sg.onSave() })
	waitFor(t, u, "the saved segment", func() bool { return sg.saveMsg.Text == "Saved." })
	shot("5-segment")

	// 5. The October flu campaign.
	onUI(u, func() { u.Show("Campaigns") })
	cs := u.campaigns
	var form *campaignForm
	onUI(u, func() {
		form = showCampaignForm(u, workflow.CampaignSpec{Purpose: data.PurposeCare}, true,
			formChoices{segments: []string{"65+ without a flu shot this season"}, templates: []string{"Flu shot"}}, cs.onSaved)
		form.name.SetText("Flu shots October")
		form.segment.SetSelected("65+ without a flu shot this season")
		form.template.SetSelected("Flu shot")
		form.schedKind.SetSelected("every year, in a season")
		form.from.SetText("10-01")
		form.until.SetText("10-31")
		form.hours.SetText("9-17")
		form.weekdays.SetText("mon-fri")
	})
	shot("6-campaign-form")
	onUI(u, func() { form.dlg.Hide(); form.onSave() })
	waitFor(t, u, "the new campaign", func() bool { return len(cs.rows) == 1 })
	onUI(u, func() {
		if cs.rows[0].Status != data.CampaignScheduled {
			t.Errorf("a complete campaign with a schedule is %q", cs.rows[0].Status)
		}
	})

	// 6. Today: the first day's checklist is done and gone; the campaign is
	// due, and its button opens the review; then send.
	onUI(u, func() { u.Show("Today") })
	var due *widget.Button
	waitFor(t, u, "today's due campaign", func() bool {
		due = nil
		for _, row := range today.dueRows.Objects {
			r := row.(*fyne.Container)
			if l := r.Objects[0].(*widget.Label); strings.Contains(l.Text, "Flu shots October (the 2026 season): 1 patient") {
				due = r.Objects[1].(*widget.Button)
			}
		}
		return due != nil
	})
	onUI(u, func() {
		if len(today.setup.Objects) != 0 {
			t.Errorf("the checklist stays after every step is done: %d rows", len(today.setup.Objects))
		}
	})
	shot("6b-today")
	onUI(u, func() { cs.selected = ""; test.Tap(due) })
	waitFor(t, u, "the campaign opened from Today", func() bool { return cs.selected == "Flu shots October" })
	waitFor(t, u, "the review", func() bool { return strings.Contains(cs.review.Text, "Sends to: 1 patient") })
	onUI(u, func() {
		if mail := sampleText(cs); !strings.Contains(mail, "To: anna.smith@example.com") || !strings.Contains(mail, "Dear Anna,") {
			t.Errorf("the sample email: %s", mail)
		}
	})
	shot("7-review")
	onUI(u, func() { cs.start(cs.selected) })
	waitFor(t, u, "the send", func() bool { return strings.HasPrefix(cs.state.Text, "Done for this time:") })
	got := mp.Messages(t)
	if len(got) != 1 || got[0].To[0].Address != "anna.smith@example.com" || got[0].Subject != "Your flu shot at Sunny Family Practice" {
		t.Fatalf("mailpit: %+v", got)
	}
	shot("8-sent")

	// 7. Export the results.
	results := filepath.Join(t.TempDir(), "results.xlsx")
	onUI(u, func() { cs.exportResults(cs.selected, results) })
	waitFor(t, u, "the export", func() bool { return strings.HasPrefix(cs.status.Text, "Results of") })
	if fi, err := os.Stat(results); err != nil || fi.Size() == 0 {
		t.Fatalf("results: %v", err)
	}
}

func TestCampaignEdit(t *testing.T) {
	u, w := newTestUI(t, 50)
	defer onUI(nil, w.Close)
	ctx := t.Context()
	seg, _ := storeOf(u).SegmentByName(ctx, "Diabetes program")
	tpl := data.Template{Name: "Check-up", Subject: "s", Body: "b"}
	storeOf(u).SaveTemplate(ctx, &tpl)
	c := data.Campaign{Name: "Diabetes recall", Purpose: data.PurposeCare, SegmentID: seg.ID, TemplateID: tpl.ID,
		Schedule: data.Schedule{Kind: data.ScheduleRecall, Service: "blood test", Months: 6}.JSON()}
	if err := storeOf(u).CreateCampaign(ctx, &c); err != nil {
		t.Fatal(err)
	}
	saved := make(chan string, 1)
	spec, err := u.work.CampaignSpec(ctx, c.Name)
	if err != nil {
		t.Fatal(err)
	}
	var f *campaignForm
	onUI(u, func() {
		f = showCampaignForm(u, spec, false, formChoices{segments: []string{seg.Name}, templates: []string{tpl.Name}}, func(name string) { saved <- name })
		if f.service.Text != "blood test" || f.months.Text != "6" || f.schedKind.Selected != "a recall after the last visit" {
			t.Errorf("form shows %q %q %q", f.service.Text, f.months.Text, f.schedKind.Selected)
		}
		f.months.SetText("12")
		f.hours.SetText("8-12")
		f.dlg.Hide()
		f.onSave()
	})
	waitFor(t, u, "the saved campaign", func() bool { return received(saved) })
	got, _ := storeOf(u).CampaignByName(ctx, "Diabetes recall")
	sched, _ := data.ParseSchedule(got.Schedule)
	if sched.Months != 12 || sched.Window.FromHour != 8 || sched.Window.ToHour != 12 || got.ID != c.ID {
		t.Fatalf("saved %+v %+v", got, sched)
	}
}
