package mailer

import (
	"context"
	"errors"

	"kindly/data"
)

// Campaign is a campaign with what sending it needs: its segment, its
// checked template and its schedule.
type Campaign struct {
	data.Campaign
	Segment  data.Segment
	Template Template
	Schedule data.Schedule
}

// ErrIncomplete says a campaign lacks a segment or a template.
var ErrIncomplete = errors.New("the campaign needs a segment and a template first")

// ErrNothingDue says no occurrence of a scheduled campaign runs today.
var ErrNothingDue = errors.New("nothing of this campaign is due today; the calendar shows when it is")

// LoadCampaign loads a campaign's segment, template and schedule, and
// checks the template.
func LoadCampaign(ctx context.Context, s *data.Store, c data.Campaign) (Campaign, error) {
	cp := Campaign{Campaign: c}
	if c.SegmentID == 0 || c.TemplateID == 0 {
		return cp, ErrIncomplete
	}
	var err error
	if cp.Segment, err = s.SegmentByID(ctx, c.SegmentID); err != nil {
		return cp, err
	}
	t, err := s.TemplateByID(ctx, c.TemplateID)
	if err != nil {
		return cp, err
	}
	cp.Template = Template{Name: t.Name, Subject: t.Subject, Body: t.Body}
	if err := cp.Template.Validate(); err != nil {
		return cp, err
	}
	cp.Schedule, err = data.ParseSchedule(c.Schedule)
	return cp, err
}

// Audience is who the campaign is for on a day.
func (cp Campaign) Audience(day data.Date) data.Rule {
	return cp.Schedule.Audience(cp.Segment.Rule, day)
}

// QueueToday queues today's occurrence - the date for an unscheduled
// campaign, else the schedule's occurrence due today - with every
// patient's rendered email, and returns its key.
func (cp Campaign) QueueToday(ctx context.Context, s *data.Store, pr Practice, today data.Date) (string, data.QueueResult, error) {
	occ := today.String()
	if cp.Schedule.Kind != "" {
		due, ok := cp.Schedule.Due(today)
		if !ok {
			return "", data.QueueResult{}, ErrNothingDue
		}
		occ = due.Key
	}
	res, err := s.QueueCampaign(ctx, cp.Campaign, occ, cp.Audience(today), data.QueueOptions{BypassCap: cp.Schedule.BypassCap},
		func(p data.Patient) (data.Rendered, error) {
			m, err := cp.Template.Render(p, pr, today)
			return data.Rendered{Subject: m.Subject, Text: m.Text, HTML: m.HTML}, err
		})
	return occ, res, err
}

// StatusAfterRun is the campaign's status once an occurrence is sent:
// recurring campaigns come back with their next occurrence.
func (cp Campaign) StatusAfterRun() string {
	if cp.Schedule.Kind != "" && cp.Schedule.Kind != data.ScheduleOnce {
		return "scheduled"
	}
	return "done"
}
