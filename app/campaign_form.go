package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/workflow"
)

var scheduleKinds = [][2]string{{"", "when I press Send"}, {data.ScheduleOnce, "once, on a date"}, {data.ScheduleSeason, "every year, in a season"},
	{data.ScheduleBirthday, "before each patient's birthday"}, {data.ScheduleRecall, "a recall after the last visit"},
	{data.ScheduleAppointment, "before each booked appointment"}}

var purposes = [][2]string{{data.PurposeCare, "care reminder"}, {data.PurposePromotion, "promotion"}}

// formChoices are the segments and templates a campaign can use, with
// each segment's size today (when known).
type formChoices struct {
	segments, templates []string
	counts              map[string]int
}

// segmentOptions are the segments as the form lists them: "Flu 60+ (236
// patients)", each label with its name.
func (c formChoices) segmentOptions() [][2]string {
	out := make([][2]string, len(c.segments))
	for i, name := range c.segments {
		out[i] = [2]string{name, name}
		if n, ok := c.counts[name]; ok {
			out[i][1] = name + " (" + workflow.Patients(n) + ")"
		}
	}
	return out
}

// campaignForm creates or edits a campaign: purpose, segment, template,
// schedule and send window. The workflow checks and saves it.
type campaignForm struct {
	ui                                    *UI
	create                                bool
	name                                  *escEntry
	purpose, segment, template, schedKind *widget.Select
	date, from, until, days, service      *escEntry
	months, hours, weekdays               *escEntry
	apptDays, followups, every, followTpl *escEntry
	bypass, family                        *widget.Check
	message                               *widget.Label
	segmentOpts                           [][2]string
	form                                  *widget.Form
	holder                                *fyne.Container               // holds form; a new one for each schedule
	whenItems                             map[string][]*widget.FormItem // the fields of each schedule
	dlg                                   dialog.Dialog
	onSaved                               func(name string)
}

// showCampaignForm opens the form on spec: a new campaign when create.
func showCampaignForm(u *UI, spec workflow.CampaignSpec, create bool, choices formChoices, onSaved func(name string)) *campaignForm {
	f := &campaignForm{ui: u, create: create, onSaved: onSaved}
	f.name = newEscEntry(u)
	f.name.SetPlaceHolder("e.g. Flu shots October")
	f.purpose = widget.NewSelect(labels(purposes), nil)
	f.segmentOpts = choices.segmentOptions()
	f.segment = widget.NewSelect(labels(f.segmentOpts), nil)
	f.template = widget.NewSelect(choices.templates, nil)
	f.schedKind = widget.NewSelect(labels(scheduleKinds), func(string) { f.showWhen() })
	entry := func(hint string) *escEntry { e := newEscEntry(u); e.SetPlaceHolder(hint); return e }
	f.date, f.from, f.until = entry("YYYY-MM-DD"), entry("first day, MM-DD (e.g. 10-01)"), entry("last day, MM-DD (optional)")
	f.days, f.service, f.months = entry("days before the birthday"), entry("service, e.g. annual physical"), entry("months after the last visit")
	f.hours = entry("e.g. 9-17 (empty: any time)")
	f.weekdays = entry("e.g. mon-fri (empty: every day)")
	f.apptDays = entry("days before the appointment, e.g. 2")
	f.followups, f.every = entry("0 to 5 (empty: none)"), entry("days between reminders, e.g. 14")
	f.followTpl = entry("e.g. Second reminder, Last reminder (empty: this email)")
	f.bypass = widget.NewCheck("Care reminder may pass the frequency cap", nil)
	f.family = widget.NewCheck("One email per family: recipients who share an address get one email naming each", nil)
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Importance = widget.DangerImportance
	// Each schedule shows its own fields only.
	f.whenItems = map[string][]*widget.FormItem{
		data.ScheduleOnce:     {widget.NewFormItem("Date", f.date)},
		data.ScheduleSeason:   {widget.NewFormItem("Season from", f.from), widget.NewFormItem("Season until", f.until)},
		data.ScheduleBirthday: {widget.NewFormItem("Days before the birthday", f.days)},
		data.ScheduleRecall: {widget.NewFormItem("Recall: service", f.service), widget.NewFormItem("Months after the visit", f.months),
			widget.NewFormItem("Follow-up reminders", f.followups), widget.NewFormItem("Days between reminders", f.every),
			widget.NewFormItem("Follow-ups' emails", f.followTpl)},
		data.ScheduleAppointment: {widget.NewFormItem("Days before", f.apptDays)},
	}
	f.holder = container.NewStack()
	f.fill(spec)
	form := f.holder
	title, confirm := "New campaign", "Create"
	if !create {
		title, confirm = "Edit "+spec.Name, "Save"
		f.name.Disable() // the name identifies the campaign in the send log
	}
	f.dlg = dialog.NewCustomConfirm(title, confirm, "Cancel", container.NewBorder(nil, f.message, nil, nil, container.NewVScroll(form)),
		func(ok bool) {
			if ok {
				f.onSave()
			}
		}, u.window)
	f.dlg.Resize(dialogSize(u.window, 620, 700))
	f.dlg.Show()
	return f
}

// fill shows a campaign in the form.
func (f *campaignForm) fill(spec workflow.CampaignSpec) {
	f.name.SetText(spec.Name)
	f.purpose.SetSelected(labelOf(purposes, spec.Purpose))
	f.segment.SetSelected(labelOf(f.segmentOpts, spec.Segment))
	f.template.SetSelected(spec.Template)
	t := spec.Schedule
	f.schedKind.SetSelected(labelOf(scheduleKinds, t.Kind))
	f.date.SetText(t.Date)
	f.from.SetText(t.From)
	f.until.SetText(t.Until)
	f.days.SetText(t.DaysBefore)
	f.service.SetText(t.Service)
	f.months.SetText(t.Months)
	f.hours.SetText(t.Hours)
	f.weekdays.SetText(t.Weekdays)
	f.bypass.SetChecked(t.BypassCap)
	f.apptDays.SetText(t.BeforeAppointment)
	f.followups.SetText(t.Followups)
	f.every.SetText(t.Every)
	f.followTpl.SetText(t.FollowupTemplates)
	f.family.SetChecked(t.Family)
	f.showWhen()
}

// showWhen shows the fields of the chosen schedule, and only those.
func (f *campaignForm) showWhen() {
	if f.holder == nil {
		return
	}
	items := []*widget.FormItem{widget.NewFormItem("Name", f.name), widget.NewFormItem("Purpose", f.purpose),
		widget.NewFormItem("Who (segment)", f.segment), widget.NewFormItem("Email (template)", f.template), widget.NewFormItem("When", f.schedKind)}
	items = append(items, f.whenItems[valueOf(scheduleKinds, f.schedKind.Selected)]...)
	items = append(items, widget.NewFormItem("Send window: hours", f.hours), widget.NewFormItem("Send window: days", f.weekdays),
		widget.NewFormItem("", f.bypass), widget.NewFormItem("", f.family))
	f.form = widget.NewForm(items...) // a Form does not lay out items changed in place
	f.holder.Objects = []fyne.CanvasObject{f.form}
	f.holder.Refresh()
}

// spec is the campaign as typed.
func (f *campaignForm) spec() workflow.CampaignSpec {
	return workflow.CampaignSpec{Name: f.name.Text, Purpose: valueOf(purposes, f.purpose.Selected),
		Segment: valueOf(f.segmentOpts, f.segment.Selected), Template: f.template.Selected,
		Schedule: workflow.ScheduleText{Kind: valueOf(scheduleKinds, f.schedKind.Selected), Date: f.date.Text, From: f.from.Text,
			Until: f.until.Text, DaysBefore: f.days.Text, Service: f.service.Text, Months: f.months.Text,
			Weekdays: f.weekdays.Text, Hours: f.hours.Text, BypassCap: f.bypass.Checked,
			BeforeAppointment: f.apptDays.Text, Followups: f.followups.Text, Every: f.every.Text, FollowupTemplates: f.followTpl.Text,
			Family: f.family.Checked}}
}

func (f *campaignForm) onSave() {
	spec := f.spec()
	background(f.ui, func(ctx context.Context) (data.Campaign, error) {
		return f.ui.work.SaveCampaign(ctx, spec, f.create)
	}, func(c data.Campaign, err error) {
		if err != nil {
			f.message.SetText(errorText(err)) // the form stays open with what was typed
			f.dlg.Show()
			return
		}
		if f.onSaved != nil {
			f.onSaved(c.Name)
		}
	})
}
