package workflow

import (
	"context"
	"fmt"
	"strings"

	"kindly/data"
)

// RecallLine is a patient's recall of one recall campaign, in words, for
// the patient's page and `kindly recall PATIENT`.
type RecallLine struct {
	Campaign string `json:"campaign"`
	Due      string `json:"due"`   // "due 3 June 2027 (12 months after the last annual physical)"
	Sent     string `json:"sent"`  // "reminder 1 sent 3 June 2027; reminder 2 sent 17 June 2027"
	Next     string `json:"next"`  // "next reminder 1 July 2027", or why there is none
	State    string `json:"state"` // "waiting", "reminding", "booked", "stopped", "paused", "not due"
	Hold     data.RecallHold
}

// PatientRecalls says where a patient stands in each recall campaign: due
// when, reminders sent and when, the next one, or why it stopped.
func (w *Workflow) PatientRecalls(ctx context.Context, patientID int64) ([]RecallLine, error) {
	dates, err := w.Dates(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := w.store.Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	var out []RecallLine
	for _, c := range cs {
		sched, err := data.ParseSchedule(c.Schedule)
		if err != nil || sched.Kind != data.ScheduleRecall {
			continue
		}
		st, err := w.store.RecallOf(ctx, c.ID, patientID, recallOptions(sched), dates.Today)
		if err != nil {
			return nil, err
		}
		out = append(out, recallLine(c.Name, sched, st, dates))
	}
	return out, nil
}

func recallOptions(s data.Schedule) data.RecallOptions {
	return data.RecallOptions{Service: s.Service, Months: s.Months, Reminder: 1 + s.Followups, Every: s.Every}
}

// recallLine words a recall's state.
func recallLine(name string, s data.Schedule, st data.RecallState, dates Dates) RecallLine {
	l := RecallLine{Campaign: name, Hold: st.Hold, State: "waiting"}
	switch {
	case st.Due.IsZero():
		l.Due, l.State = "no "+s.Service+" visit yet: not due", "not due"
	case st.ByHand:
		l.Due = "due " + dates.Day(st.Due) + " (set by hand)"
	default:
		l.Due = fmt.Sprintf("due %s (%s after the last %s)", dates.Day(st.Due), data.Count(s.Months, "month", "months"), s.Service)
	}
	var sent []string
	var last data.RecallReminder
	for _, r := range st.Reminders {
		sent = append(sent, fmt.Sprintf("reminder %d %s %s", r.Number, words(r.Status), dates.At(r.At)))
		last = r
	}
	l.Sent = strings.Join(sent, "; ")
	total := 1 + s.Followups
	switch {
	case !st.Hold.OffUntil.IsZero() && !st.Hold.OffUntil.Before(dates.Today):
		l.State = "paused"
		l.Next = "paused for good: " + st.Hold.Reason
		if st.Hold.OffUntil != data.Forever {
			l.Next = fmt.Sprintf("paused until %s: %s", dates.Day(st.Hold.OffUntil), st.Hold.Reason)
		}
	case st.Booked.ID != 0:
		l.State, l.Next = "booked", "no reminder while an appointment is booked (for "+dates.Day(st.Booked.Day)+")"
	case st.Due.IsZero():
	case len(st.Reminders) == 0 && dates.Today.Before(st.Due):
		l.Next = "first reminder on " + dates.Day(st.Due)
	case len(st.Reminders) == 0:
		l.State, l.Next = "reminding", "first reminder with the next run"
	case last.Status != data.StatusSent && last.Status != data.StatusQueued && last.Status != data.StatusSending:
		l.State, l.Next = "stopped", fmt.Sprintf("stopped: reminder %d was %s (%s)", last.Number, words(last.Status), last.Reason)
	case last.Number >= total:
		l.State, l.Next = "stopped", fmt.Sprintf("stopped: all %s sent", data.Count(total, "reminder", "reminders"))
	default:
		next := data.DateOf(last.At.In(dates.Location)).AddDays(s.Every)
		l.State, l.Next = "reminding", fmt.Sprintf("reminder %d on %s, unless the patient comes in or books", last.Number+1, dates.Day(next))
	}
	return l
}

// words is an outbox status as the practice reads it.
func words(status string) string {
	switch status {
	case data.StatusSent:
		return "sent"
	case data.StatusQueued, data.StatusSending:
		return "queued"
	}
	return status
}

// SetRecall sets a patient's own recall of a campaign: a due date, a
// pause until a day (data.Forever: for good) with the reason, or back to
// its usual course (a zero hold). It is in the audit log.
func (w *Workflow) SetRecall(ctx context.Context, campaign string, patientID int64, h data.RecallHold) error {
	c, err := w.campaignNamed(ctx, campaign)
	if err != nil {
		return err
	}
	if sched, _ := data.ParseSchedule(c.Schedule); sched.Kind != data.ScheduleRecall {
		return &data.ValidationError{Field: "campaign", Message: fmt.Sprintf("%q is not a recall campaign.", c.Name)}
	}
	if _, err := w.store.Patient(ctx, patientID); err != nil {
		return err
	}
	return w.store.SetRecallHold(ctx, c.ID, patientID, h)
}

// ClosedDays lists the practice's closed days from one day to another.
func (w *Workflow) ClosedDays(ctx context.Context, from, to data.Date) ([]data.ClosedDay, error) {
	return w.store.ClosedDays(ctx, from, to)
}

// CloseDay marks a day closed: no email goes out, and a yearly or
// birthday email of that day goes on the next open day.
func (w *Workflow) CloseDay(ctx context.Context, day data.Date, name string) error {
	return w.store.SetClosedDay(ctx, day, name)
}

// OpenDay opens a closed day again.
func (w *Workflow) OpenDay(ctx context.Context, day data.Date) error {
	ok, err := w.store.OpenDay(ctx, day)
	if err == nil && !ok {
		err = data.Problemf(data.KindNotFound, data.HintNone, "closed day", fmt.Sprintf("%s is not a closed day", day), data.ErrNotFound)
	}
	return err
}

// AddPublicHolidays fills in the public holidays of the practice's country
// for a year as closed days, and says how many were new.
func (w *Workflow) AddPublicHolidays(ctx context.Context, year int) (int, error) {
	st, err := w.store.Settings(ctx)
	if err != nil {
		return 0, err
	}
	if st.Country() == "" {
		return 0, &data.ValidationError{Field: "practice.country", Message: "Choose the practice's country first."}
	}
	return w.store.AddPublicHolidays(ctx, st.Country(), year)
}

// PatientNamed finds the one patient a typed name, email, phone or
// practice id means; several matches are an error that says so.
func (w *Workflow) PatientNamed(ctx context.Context, typed string) (data.Patient, error) {
	if strings.TrimSpace(typed) == "" {
		return data.Patient{}, &data.ValidationError{Field: "patient", Message: "Say which patient: a name, an email or a practice id."}
	}
	if p, err := w.store.PatientByExternalID(ctx, strings.TrimSpace(typed)); err == nil {
		return p, nil
	}
	ps, err := w.store.Patients(ctx, data.PatientQuery{Search: typed, Limit: 2, IncludeArchived: true})
	switch {
	case err != nil:
		return data.Patient{}, err
	case len(ps) == 0:
		return data.Patient{}, data.Problemf(data.KindNotFound, data.HintNone, "patient", fmt.Sprintf("no patient matches %q", typed), data.ErrNotFound)
	case len(ps) > 1:
		return data.Patient{}, &data.ValidationError{Field: "patient",
			Message: fmt.Sprintf("Several patients match %q; give more of the name, the email or the practice id.", typed)}
	}
	return ps[0], nil
}

// Appointments lists a patient's appointments, the latest first.
func (w *Workflow) Appointments(ctx context.Context, patientID int64) ([]data.Appointment, error) {
	return w.store.Appointments(ctx, patientID)
}

// AppointmentLine is an appointment in words: "Tue 8 Dec 2026 09:30,
// Cleaning (booked)".
func AppointmentLine(a data.Appointment, dates Dates) string {
	s := dates.Day(a.Day)
	if a.Time != "" {
		s += " " + a.Time
	}
	if a.Service != "" {
		s += ", " + a.Service
	}
	if a.Provider != "" {
		s += " with " + a.Provider
	}
	return s + " (" + strings.ReplaceAll(a.Status, "_", "-") + ")"
}
