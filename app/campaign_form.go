package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/reports"
)

var scheduleKinds = [][2]string{{"", "when I press Send"}, {data.ScheduleOnce, "once, on a date"}, {data.ScheduleSeason, "every year, in a season"},
	{data.ScheduleBirthday, "before each patient's birthday"}, {data.ScheduleRecall, "a recall after the last visit"}}

// campaignForm creates a campaign: purpose, segment, template, schedule, window.
type campaignForm struct {
	ui                                    *UI
	name                                  *widget.Entry
	purpose, segment, template, schedKind *widget.Select
	date, from, until, days, service      *widget.Entry
	months, hours                         *widget.Entry
	weekdaysOnly, bypass                  *widget.Check
	message                               *widget.Label
	dlg                                   dialog.Dialog
	onSaved                               func()
	editing                               *data.Campaign // nil for a new campaign
}

func showCampaignForm(u *UI, segments, templates []string, onSaved func()) *campaignForm {
	return showCampaignFormFor(u, nil, "", "", segments, templates, onSaved)
}

// showCampaignFormFor edits c (with its segment and template names), or
// creates a campaign when c is nil.
func showCampaignFormFor(u *UI, c *data.Campaign, segName, tplName string, segments, templates []string, onSaved func()) *campaignForm {
	f := &campaignForm{ui: u, onSaved: onSaved, editing: c}
	f.name = widget.NewEntry()
	f.name.SetPlaceHolder("e.g. Flu shots October")
	f.purpose = widget.NewSelect([]string{"care reminder", "promotion"}, nil)
	f.purpose.SetSelected("care reminder")
	f.segment = widget.NewSelect(segments, nil)
	f.template = widget.NewSelect(templates, nil)
	f.schedKind = widget.NewSelect(labels(scheduleKinds), nil)
	f.schedKind.SetSelectedIndex(0)
	entry := func(hint string) *widget.Entry { e := widget.NewEntry(); e.SetPlaceHolder(hint); return e }
	f.date, f.from, f.until = entry("YYYY-MM-DD"), entry("first day, MM-DD (e.g. 10-01)"), entry("last day, MM-DD (optional)")
	f.days, f.service, f.months = entry("days before the birthday"), entry("service, e.g. annual physical"), entry("months after the last visit")
	f.hours = entry("e.g. 9-17 (empty: any time)")
	f.weekdaysOnly = widget.NewCheck("Monday to Friday only", nil)
	f.bypass = widget.NewCheck("Care reminder may pass the frequency cap", nil)
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Importance = widget.DangerImportance
	form := widget.NewForm(
		widget.NewFormItem("Name", f.name), widget.NewFormItem("Purpose", f.purpose), widget.NewFormItem("Who (segment)", f.segment),
		widget.NewFormItem("Email (template)", f.template), widget.NewFormItem("When", f.schedKind),
		widget.NewFormItem("Date (once)", f.date), widget.NewFormItem("Season from", f.from), widget.NewFormItem("Season until", f.until),
		widget.NewFormItem("Birthday: days before", f.days), widget.NewFormItem("Recall: service", f.service), widget.NewFormItem("Recall: months", f.months),
		widget.NewFormItem("Send window: hours", f.hours), widget.NewFormItem("", f.weekdaysOnly), widget.NewFormItem("", f.bypass))
	title, confirm := "New campaign", "Create"
	if c != nil {
		title, confirm = "Edit "+c.Name, "Save"
		f.fill(*c, segName, tplName)
	}
	f.dlg = dialog.NewCustomConfirm(title, confirm, "Cancel", container.NewBorder(nil, f.message, nil, nil, container.NewVScroll(form)),
		func(ok bool) {
			if ok {
				f.onCreate()
			}
		}, u.window)
	f.dlg.Resize(dialogSize(u.window, 620, 700))
	f.dlg.Show()
	return f
}

// fill shows an existing campaign in the form.
func (f *campaignForm) fill(c data.Campaign, segName, tplName string) {
	f.name.SetText(c.Name)
	f.name.Disable() // the name identifies the campaign in the send log
	if c.Purpose == data.PurposePromotion {
		f.purpose.SetSelected("promotion")
	}
	f.segment.SetSelected(segName)
	f.template.SetSelected(tplName)
	sched, _ := data.ParseSchedule(c.Schedule)
	f.schedKind.SetSelected(labelOf(scheduleKinds, sched.Kind))
	f.date.SetText(sched.Date)
	if sched.Month != 0 {
		f.from.SetText(fmt.Sprintf("%02d-%02d", sched.Month, sched.Day))
	}
	if sched.UntilMonth != 0 {
		f.until.SetText(fmt.Sprintf("%02d-%02d", sched.UntilMonth, sched.UntilDay))
	}
	if sched.Kind == data.ScheduleBirthday {
		f.days.SetText(strconv.Itoa(sched.DaysBefore))
	}
	f.service.SetText(sched.Service)
	if sched.Months != 0 {
		f.months.SetText(strconv.Itoa(sched.Months))
	}
	if sched.Window.ToHour != 0 {
		f.hours.SetText(fmt.Sprintf("%d-%d", sched.Window.FromHour, sched.Window.ToHour))
	}
	f.weekdaysOnly.SetChecked(len(sched.Window.Weekdays) == 5)
	f.bypass.SetChecked(sched.BypassCap)
}

func (f *campaignForm) schedule() (data.Schedule, error) {
	s := data.Schedule{Kind: valueOf(scheduleKinds, f.schedKind.Selected), BypassCap: f.bypass.Checked}
	md := func(e *widget.Entry) (int, int, error) {
		var m, d int
		if _, err := fmt.Sscanf(strings.TrimSpace(e.Text), "%d-%d", &m, &d); err != nil {
			return 0, 0, fmt.Errorf("%q is not a day like 10-01", e.Text)
		}
		return m, d, nil
	}
	var err error
	switch s.Kind {
	case data.ScheduleOnce:
		s.Date = strings.TrimSpace(f.date.Text)
	case data.ScheduleSeason:
		if s.Month, s.Day, err = md(f.from); err != nil {
			return s, err
		}
		if strings.TrimSpace(f.until.Text) != "" {
			if s.UntilMonth, s.UntilDay, err = md(f.until); err != nil {
				return s, err
			}
		}
	case data.ScheduleBirthday:
		s.DaysBefore, _ = strconv.Atoi(strings.TrimSpace(f.days.Text))
	case data.ScheduleRecall:
		s.Service = strings.TrimSpace(f.service.Text)
		s.Months, _ = strconv.Atoi(strings.TrimSpace(f.months.Text))
	}
	if h := strings.TrimSpace(f.hours.Text); h != "" {
		a, b, ok := strings.Cut(h, "-")
		from, err1 := strconv.Atoi(strings.TrimSpace(a))
		to, err2 := strconv.Atoi(strings.TrimSpace(b))
		if !ok || err1 != nil || err2 != nil {
			return s, fmt.Errorf("send window hours %q are not like 9-17", h)
		}
		s.Window.FromHour, s.Window.ToHour = from, to
	}
	if f.weekdaysOnly.Checked {
		s.Window.Weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	}
	return s, s.Validate()
}

func (f *campaignForm) onCreate() {
	fail := func(msg string) { f.message.SetText(msg); f.dlg.Show() }
	sched, err := f.schedule()
	if err != nil {
		fail("When: " + err.Error())
		return
	}
	if f.segment.Selected == "" || f.template.Selected == "" {
		fail("Please choose who gets it (a segment) and the email (a template).")
		return
	}
	c := data.Campaign{Name: f.name.Text}
	if f.editing != nil {
		c = *f.editing
	}
	c.Purpose, c.Schedule = data.PurposeCare, sched.JSON()
	if f.purpose.Selected == "promotion" {
		c.Purpose = data.PurposePromotion
		if sched.BypassCap {
			fail("Only care reminders may pass the frequency cap.")
			return
		}
	}
	segName, tplName := f.segment.Selected, f.template.Selected
	go func() {
		ctx := context.Background()
		seg, err := f.ui.store.SegmentByName(ctx, segName)
		if err == nil {
			c.SegmentID = seg.ID
			var t data.Template
			if t, err = f.ui.store.TemplateByName(ctx, tplName); err == nil {
				c.TemplateID = t.ID
				if f.editing != nil {
					err = f.ui.store.UpdateCampaign(ctx, &c)
				} else {
					err = f.ui.store.CreateCampaign(ctx, &c)
				}
			}
		}
		f.ui.do(func() {
			if err != nil {
				fail(errorText(err))
				return
			}
			if f.onSaved != nil {
				f.onSaved()
			}
		})
	}()
}

// exportResults writes the selected campaign's send log to path.
func (s *campaignsScreen) exportResults(c data.Campaign, path string) {
	go func() {
		n, err := reports.ExportLog(context.Background(), s.ui.store, c.Name, path)
		s.ui.do(func() {
			if err != nil {
				s.ui.showError(err)
				return
			}
			s.status.SetText(fmt.Sprintf("Results of %s (%d rows) written to %s", c.Name, n, path))
		})
	}()
}
