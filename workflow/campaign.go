package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"kindly/data"
	"kindly/mailer"
)

// Campaign is a campaign with what sending it needs: its segment, its
// checked template and its schedule.
type Campaign struct {
	data.Campaign
	Segment  data.Segment
	Template mailer.Template
	Schedule data.Schedule
	// Followups are the templates of a recall's follow-up reminders, the
	// campaign's own where none was chosen.
	Followups []mailer.Template
}

// ErrNothingDue says no occurrence of a scheduled campaign runs today.
var ErrNothingDue = errors.New("nothing of this campaign is due today")

// campaignNamed loads a campaign by name, or says there is none.
func (w *Workflow) campaignNamed(ctx context.Context, name string) (data.Campaign, error) {
	c, err := w.store.CampaignByName(ctx, name)
	return c, named(err, "campaign", name)
}

// named words a "not found" for the practice: there is no such campaign.
func named(err error, kind, name string) error {
	if errors.Is(err, data.ErrNotFound) {
		return data.Problemf(data.KindNotFound, data.HintList, kind, fmt.Sprintf("there is no %s called %q", kind, name), err)
	}
	return err
}

// Campaign loads a campaign by name with its segment, template and schedule,
// and checks the template.
func (w *Workflow) Campaign(ctx context.Context, name string) (Campaign, error) {
	c, err := w.campaignNamed(ctx, name)
	if err != nil {
		return Campaign{}, err
	}
	cp := Campaign{Campaign: c}
	if c.SegmentID == 0 || c.TemplateID == 0 {
		return cp, fmt.Errorf("the campaign %q needs a segment and a template first", c.Name)
	}
	if cp.Segment, err = w.store.SegmentByID(ctx, c.SegmentID); err != nil {
		return cp, err
	}
	t, err := w.store.TemplateByID(ctx, c.TemplateID)
	if err != nil {
		return cp, err
	}
	cp.Template = mailer.Template{Name: t.Name, Subject: t.Subject, Body: t.Body}
	if err := cp.Template.Validate(); err != nil {
		return cp, fmt.Errorf("the template %q of %q: %w", t.Name, c.Name, err)
	}
	if cp.Schedule, err = data.ParseSchedule(c.Schedule); err != nil {
		return cp, err
	}
	for i := 0; i < cp.Schedule.Followups; i++ {
		f := cp.Template
		if i < len(cp.Schedule.FollowupTemplates) && cp.Schedule.FollowupTemplates[i] != 0 {
			t, err := w.store.TemplateByID(ctx, cp.Schedule.FollowupTemplates[i])
			if err != nil {
				return cp, err
			}
			f = mailer.Template{Name: t.Name, Subject: t.Subject, Body: t.Body}
			if err := f.Validate(); err != nil {
				return cp, fmt.Errorf("the template %q of %q: %w", t.Name, c.Name, err)
			}
		}
		cp.Followups = append(cp.Followups, f)
	}
	return cp, w.practiceDays(ctx, &cp.Schedule)
}

// practiceDays gives a schedule the practice's closed days and how late a
// missed email may go.
func (w *Workflow) practiceDays(ctx context.Context, s *data.Schedule) error {
	today, err := w.store.Today(ctx)
	if err != nil {
		return err
	}
	st, err := w.store.Settings(ctx)
	if err != nil {
		return err
	}
	s.CatchUp = st.Recalls.CatchUpDays
	s.Closed, err = w.store.ClosedSet(ctx, today.AddDays(-400), today.AddDays(800))
	s.Window.Closed = s.Closed
	return err
}

// TemplateFor is the template of a reminder: the first, or a follow-up.
func (cp Campaign) TemplateFor(reminder int) mailer.Template {
	if reminder >= 2 && reminder-2 < len(cp.Followups) {
		return cp.Followups[reminder-2]
	}
	return cp.Template
}

// dayRun is who the campaign's run of a day is for, and which birthday,
// reminder or appointment each one's email is.
func (w *Workflow) dayRun(ctx context.Context, cp Campaign, day data.Date) (data.DayRun, error) {
	return w.store.DayRun(ctx, cp.Campaign, cp.Schedule, cp.Segment.Rule, day)
}

// message writes a recipient's email of a run: the reminder's template,
// the appointment's day, time and service.
func (cp Campaign) message(run data.DayRun, p data.Patient, pr data.Practice, today data.Date) (mailer.Message, error) {
	var more map[string]string
	if a, ok := run.Appointments[p.ID]; ok {
		day := a
		day.Time = ""
		more = map[string]string{"appointment_date": day.When(), "appointment_time": a.Time, "appointment_service": a.Service}
	}
	return cp.TemplateFor(run.Steps[p.ID].Reminder).RenderWith(p, pr, today, more)
}

// templates are every template the campaign's emails use.
func (cp Campaign) templates() []mailer.Template {
	return append([]mailer.Template{cp.Template}, cp.Followups...)
}

// afterRun is the campaign's status once an occurrence is sent or
// cancelled: recurring campaigns wait for their next occurrence.
func (cp Campaign) afterRun() data.CampaignStatus {
	if cp.Schedule.Kind != "" && cp.Schedule.Kind != data.ScheduleOnce {
		return data.CampaignScheduled
	}
	return data.CampaignDone
}

// occurrenceToday is the key of today's occurrence: the date for a
// campaign sent by hand, else the schedule's occurrence due today.
func (w *Workflow) occurrenceToday(ctx context.Context, cp Campaign, today data.Date) (string, error) {
	if cp.Status == data.CampaignDone && cp.Schedule.Kind == "" {
		// Sent once: a Send on another day goes on with that same send (new
		// members only), never to everyone again.
		if last, err := w.store.LastOccurrence(ctx, cp.ID); err != nil || last != "" {
			return last, err
		}
	}
	if cp.Schedule.Kind == "" {
		return today.String(), nil
	}
	due, ok := cp.Schedule.Due(today)
	if !ok {
		return "", data.Problemf(data.KindNothingDue, data.HintCalendar, cp.Name, fmt.Sprintf("nothing of %q is due today", cp.Name), ErrNothingDue)
	}
	return due.Key, nil
}

// CampaignSpec is a campaign as the practice writes it: names, not ids,
// and the schedule as typed.
type CampaignSpec struct {
	Name     string
	Purpose  string // data.PurposeCare or data.PurposePromotion
	Segment  string
	Template string
	Schedule ScheduleText
}

// CampaignSpec is a stored campaign as a spec, to edit.
func (w *Workflow) CampaignSpec(ctx context.Context, name string) (CampaignSpec, error) {
	c, err := w.campaignNamed(ctx, name)
	if err != nil {
		return CampaignSpec{}, err
	}
	spec := CampaignSpec{Name: c.Name, Purpose: c.Purpose}
	if c.SegmentID != 0 {
		seg, err := w.store.SegmentByID(ctx, c.SegmentID)
		if err != nil {
			return spec, err
		}
		spec.Segment = seg.Name
	}
	if c.TemplateID != 0 {
		t, err := w.store.TemplateByID(ctx, c.TemplateID)
		if err != nil {
			return spec, err
		}
		spec.Template = t.Name
	}
	sched, err := data.ParseSchedule(c.Schedule)
	if err != nil {
		return spec, err
	}
	spec.Schedule = ScheduleTextOf(sched)
	var names []string
	for _, id := range sched.FollowupTemplates {
		name := ""
		if id != 0 {
			t, err := w.store.TemplateByID(ctx, id)
			if err != nil {
				return spec, err
			}
			name = t.Name
		}
		names = append(names, name)
	}
	spec.Schedule.FollowupTemplates = strings.Join(names, ", ")
	return spec, nil
}

// SaveCampaign creates a campaign (create) or changes the one of that name:
// purpose, segment, template and schedule, checked together.
func (w *Workflow) SaveCampaign(ctx context.Context, spec CampaignSpec, create bool) (data.Campaign, error) {
	sched, err := spec.Schedule.Schedule()
	if err != nil {
		return data.Campaign{}, &data.ValidationError{Field: "schedule", Message: "When: " + err.Error()}
	}
	if spec.Purpose == "" {
		spec.Purpose = data.PurposeCare
	}
	if sched.BypassCap && spec.Purpose != data.PurposeCare {
		return data.Campaign{}, &data.ValidationError{Field: "schedule", Message: "Only care reminders may pass the frequency cap."}
	}
	if strings.TrimSpace(spec.Segment) == "" || strings.TrimSpace(spec.Template) == "" {
		return data.Campaign{}, &data.ValidationError{Field: "segment", Message: "Please choose who gets it (a segment) and the email (a template)."}
	}
	c := data.Campaign{Name: spec.Name}
	if !create {
		if c, err = w.campaignNamed(ctx, spec.Name); err != nil {
			return c, err
		}
	}
	seg, err := w.store.SegmentByName(ctx, spec.Segment)
	if err != nil {
		return c, &data.ValidationError{Field: "segment", Message: fmt.Sprintf("There is no segment called %q.", spec.Segment)}
	}
	tpl, err := w.store.TemplateByName(ctx, spec.Template)
	if err != nil {
		return c, &data.ValidationError{Field: "template", Message: fmt.Sprintf("There is no template called %q.", spec.Template)}
	}
	if sched.FollowupTemplates, err = w.followupTemplates(ctx, spec.Schedule.FollowupTemplates, sched.Followups); err != nil {
		return c, err
	}
	c.Purpose, c.SegmentID, c.TemplateID, c.Schedule = spec.Purpose, seg.ID, tpl.ID, sched.JSON()
	if create {
		err = w.store.CreateCampaign(ctx, &c)
	} else {
		err = w.store.UpdateCampaign(ctx, &c)
	}
	return c, err
}

// followupTemplates reads the follow-ups' templates by name ("" keeps the
// campaign's own: 0), no more than there are follow-ups.
func (w *Workflow) followupTemplates(ctx context.Context, typed string, followups int) ([]int64, error) {
	names := templateNames(typed)
	if len(names) > followups {
		return nil, &data.ValidationError{Field: "schedule", Message: fmt.Sprintf("%s named for %s.",
			data.Count(len(names), "follow-up template is", "follow-up templates are"), data.Count(followups, "follow-up", "follow-ups"))}
	}
	var ids []int64
	for _, n := range names {
		var id int64
		if n != "" {
			t, err := w.store.TemplateByName(ctx, n)
			if err != nil {
				return nil, &data.ValidationError{Field: "template", Message: fmt.Sprintf("There is no template called %q.", n)}
			}
			id = t.ID
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// CampaignRow is a campaign in a list.
type CampaignRow struct {
	Name    string              `json:"name"`
	Purpose string              `json:"purpose"`
	Status  data.CampaignStatus `json:"status"`
}

// Campaigns lists the campaigns by name.
func (w *Workflow) Campaigns(ctx context.Context) ([]CampaignRow, error) {
	cs, err := w.store.Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	rows := []CampaignRow{}
	for _, c := range cs {
		rows = append(rows, CampaignRow{c.Name, c.Purpose, c.Status})
	}
	return rows, nil
}

// PurposeRule says in words who a purpose of email goes to.
func PurposeRule(purpose string) string {
	if purpose == data.PurposePromotion {
		return "promotion: only patients who opted in to promotions"
	}
	return "care reminder: everyone with an address who did not opt out"
}

// CampaignChoices are what a campaign can use: the segments with their
// size today (when they can be counted) and the templates' names.
type CampaignChoices struct {
	Segments  []SegmentInfo
	Templates []string
}

// CampaignChoices reads the segments and templates a campaign form offers.
func (w *Workflow) CampaignChoices(ctx context.Context) (CampaignChoices, error) {
	var c CampaignChoices
	var err error
	if c.Segments, err = w.Segments(ctx); err != nil {
		return c, err
	}
	tpls, err := w.store.Templates(ctx)
	for _, t := range tpls {
		c.Templates = append(c.Templates, t.Name)
	}
	return c, err
}

// ReportFigures are the figures of the Reports screen: every campaign's
// messages per month, and the segments a report can be made for.
type ReportFigures struct {
	Monthly  []data.MonthlyStats
	Segments []string
}

// ReportFigures reads the Reports screen's figures.
func (w *Workflow) ReportFigures(ctx context.Context) (ReportFigures, error) {
	var f ReportFigures
	segs, err := w.store.SegmentList(ctx)
	if err != nil {
		return f, err
	}
	for _, s := range segs {
		f.Segments = append(f.Segments, s.Name)
	}
	f.Monthly, err = w.store.CampaignMonthlyStats(ctx)
	return f, err
}
