package data

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Schedule kinds.
const (
	ScheduleOnce     = "once"     // one date
	ScheduleSeason   = "season"   // every year from a day, optionally until a day
	ScheduleBirthday = "birthday" // daily: patients whose birthday is DaysBefore days ahead
	ScheduleRecall   = "recall"   // daily: patients whose last visit of Service was Months ago
	// ScheduleAppointment is daily: patients with an appointment booked
	// DaysBefore days ahead.
	ScheduleAppointment = "appointment"
)

// MaxFollowups is how many follow-up reminders a recall may have.
const MaxFollowups = 5

// Window is when emails may go out, in the practice's time zone.
type Window struct {
	Weekdays []time.Weekday `json:"weekdays,omitempty"` // empty: every day
	FromHour int            `json:"from_hour,omitempty"`
	ToHour   int            `json:"to_hour,omitempty"` // 0: until midnight
	// Closed are the practice's closed days: shut all day (set where the
	// window is used, never stored with it).
	Closed Closed `json:"-"`
}

// Schedule says when a campaign's occurrences are.
type Schedule struct {
	Kind       string `json:"kind"`
	Date       string `json:"date,omitempty"`        // once
	Month      int    `json:"month,omitempty"`       // season start
	Day        int    `json:"day,omitempty"`         // season start
	UntilMonth int    `json:"until_month,omitempty"` // season end (optional)
	UntilDay   int    `json:"until_day,omitempty"`   // season end (optional)
	DaysBefore int    `json:"days_before,omitempty"` // birthday
	Service    string `json:"service,omitempty"`     // recall
	Months     int    `json:"months,omitempty"`      // recall
	Window     Window `json:"window,omitempty"`
	// Followups remind a recall's patient again, Every days apart, while
	// they have not come in or booked; FollowupTemplates[i] is the
	// template of follow-up i+1 (0 or missing: the campaign's own).
	Followups         int     `json:"followups,omitempty"`
	Every             int     `json:"every_days,omitempty"`
	FollowupTemplates []int64 `json:"followup_templates,omitempty"`
	// Family: one email to an address several recipients share, naming
	// each of them (else one each).
	Family bool `json:"family,omitempty"`
	// BypassCap lets a care reminder past the frequency cap.
	BypassCap bool `json:"bypass_cap,omitempty"`

	// Closed are the practice's closed days and CatchUp how many days late
	// a missed birthday or recall email may go: the practice's settings,
	// set where the schedule is used, never stored with it.
	Closed  Closed `json:"-"`
	CatchUp int    `json:"-"`
}

// ParseSchedule reads and checks a stored schedule; "{}" or "" is none.
func ParseSchedule(text string) (Schedule, error) {
	var s Schedule
	if strings.TrimSpace(text) == "" || strings.TrimSpace(text) == "{}" {
		return s, nil
	}
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		return s, fmt.Errorf("the schedule cannot be read: %w", err)
	}
	return s, s.Validate()
}

// JSON is the schedule as stored.
func (s Schedule) JSON() string {
	b, _ := json.Marshal(s)
	return string(b)
}

func validDay(m, d int) bool {
	return m >= 1 && m <= 12 && d >= 1 && d <= time.Date(2024, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Validate says what is wrong with a schedule.
func (s Schedule) Validate() error {
	switch s.Kind {
	case "": // sent when the practice presses Send; the window still applies
	case ScheduleOnce:
		if _, err := ParseDate(s.Date); err != nil {
			return fmt.Errorf("the date: %v", err)
		}
	case ScheduleSeason:
		if !validDay(s.Month, s.Day) {
			return fmt.Errorf("the season needs a first day (month and day)")
		}
		if (s.UntilMonth != 0 || s.UntilDay != 0) && !validDay(s.UntilMonth, s.UntilDay) {
			return fmt.Errorf("the season's last day is not a day of the year")
		}
	case ScheduleBirthday:
		if s.DaysBefore < 0 || s.DaysBefore > 60 {
			return fmt.Errorf("birthday emails go 0 to 60 days before the birthday, not %d", s.DaysBefore)
		}
	case ScheduleRecall:
		if strings.TrimSpace(s.Service) == "" || s.Months < 1 || s.Months > 120 {
			return fmt.Errorf("a recall needs a service and 1 to 120 months")
		}
		if s.Followups < 0 || s.Followups > MaxFollowups {
			return fmt.Errorf("a recall has 0 to %d follow-up reminders, not %d", MaxFollowups, s.Followups)
		}
		if s.Followups > 0 && (s.Every < 1 || s.Every > 365) {
			return fmt.Errorf("follow-up reminders go 1 to 365 days apart")
		}
	case ScheduleAppointment:
		if s.DaysBefore < 0 || s.DaysBefore > 30 {
			return fmt.Errorf("appointment reminders go 0 to 30 days before the appointment, not %d", s.DaysBefore)
		}
	default:
		return fmt.Errorf("%q is not a kind of schedule", s.Kind)
	}
	if s.Window.FromHour < 0 || s.Window.FromHour > 23 || s.Window.ToHour < 0 || s.Window.ToHour > 24 ||
		(s.Window.ToHour != 0 && s.Window.ToHour <= s.Window.FromHour) {
		return fmt.Errorf("the send window's hours are not a range within a day")
	}
	return nil
}

// Occurrence is one run of a campaign: its key (what makes "at most once
// per patient" hold) and the days it may send.
type Occurrence struct {
	Key   string // "2026-10-01" (once), "season-2026"; daily runs: "birthday-2026-12-07", "recall-…", "appointment-…"
	Start Date
	End   Date
}

// Occurrences lists a schedule's occurrences that overlap [from, to].
// Birthday, recall and appointment campaigns run every open day (the
// birthday's, the reminder's or the appointment's step keeps each to once
// per patient); a date or a season's first day that falls on a closed day
// moves to the next open day.
func (s Schedule) Occurrences(from, to Date) []Occurrence {
	var out []Occurrence
	switch s.Kind {
	case ScheduleOnce:
		d, _ := ParseDate(s.Date)
		d = s.Closed.NextOpen(d)
		if !d.Before(from) && !to.Before(d) {
			out = append(out, Occurrence{Key: d.String(), Start: d, End: d})
		}
	case ScheduleSeason:
		for y := from.Year - 1; y <= to.Year; y++ {
			first := clampDay(y, s.Month, s.Day)
			start, end := s.Closed.NextOpen(first), first
			if s.UntilMonth != 0 {
				end = clampDay(y, s.UntilMonth, s.UntilDay)
				if end.Before(first) {
					end = clampDay(y+1, s.UntilMonth, s.UntilDay)
				}
			}
			if end.Before(start) {
				end = start
			}
			if !end.Before(from) && !to.Before(start) {
				out = append(out, Occurrence{Key: fmt.Sprintf("season-%d", y), Start: start, End: end})
			}
		}
	case ScheduleBirthday, ScheduleRecall, ScheduleAppointment:
		for d := from; !to.Before(d); d = d.AddDays(1) {
			if !s.Closed.Is(d) {
				out = append(out, Occurrence{Key: s.Kind + "-" + d.String(), Start: d, End: d})
			}
		}
	}
	return out
}

// Daily says whether the schedule runs every open day.
func (s Schedule) Daily() bool {
	return s.Kind == ScheduleBirthday || s.Kind == ScheduleRecall || s.Kind == ScheduleAppointment
}

// catchUp is how many days late a missed email may go.
func (s Schedule) catchUp() int {
	if s.CatchUp > 0 {
		return s.CatchUp
	}
	return 0
}

// BirthdaysOn is the days whose birthdays a birthday run of day sends:
// those whose email was due on day, on the closed days just before it,
// and on the CatchUp days before that.
func (s Schedule) BirthdaysOn(day Date) (from, to Date) {
	to = day.AddDays(s.DaysBefore)
	first := day.AddDays(-s.catchUp())
	for d := first.AddDays(-1); s.Closed.Is(d) && day.AddDays(-60).Before(d); d = d.AddDays(-1) {
		first = d
	}
	return first.AddDays(s.DaysBefore), to
}

// BirthdayStep is a patient's birthday email as a step: the birthday it
// is for, between from and to (false when none is), due daysBefore days
// before it.
func BirthdayStep(born, from, to Date, daysBefore int) (Step, bool) {
	if born.IsZero() {
		return Step{}, false
	}
	for y := from.Year; y <= to.Year; y++ {
		d := clampDay(y, int(born.Month), born.Day)
		if born.Month == 2 && born.Day == 29 && !isLeap(y) {
			d = Date{y, time.March, 1} // as ages count it
		}
		if !d.Before(from) && !to.Before(d) {
			return Step{Cycle: "b" + d.String(), Reminder: 1, Due: d.AddDays(-daysBefore)}, true
		}
	}
	return Step{}, false
}

// AppointmentsOn is the days whose appointments an appointment run of day
// reminds: DaysBefore days ahead, and the days after it up to the next
// open day (a reminder never goes on a closed day, so it goes earlier).
func (s Schedule) AppointmentsOn(day Date) (from, to Date) {
	from = day.AddDays(s.DaysBefore)
	to = from
	for d := day.AddDays(1); s.Closed.Is(d) && d.Before(day.AddDays(60)); d = d.AddDays(1) {
		to = d.AddDays(s.DaysBefore)
	}
	return from, to
}

// clampDay is month/day in year y; 29 February becomes 28 February in
// other years.
func clampDay(y, m, d int) Date {
	if m == 2 && d == 29 && !isLeap(y) {
		d = 28
	}
	return Date{y, time.Month(m), d}
}

// Due returns the occurrence running today, if any.
func (s Schedule) Due(today Date) (Occurrence, bool) {
	occ := s.Occurrences(today, today)
	if len(occ) == 0 {
		return Occurrence{}, false
	}
	return occ[0], true
}

// InWindow reports whether t (in the practice's zone) is inside the send
// window, and when the window next opens if not.
func (w Window) InWindow(t time.Time) (bool, time.Time) {
	open := func(t time.Time) bool {
		if w.Closed.Is(DateOf(t)) {
			return false
		}
		if len(w.Weekdays) > 0 {
			ok := false
			for _, d := range w.Weekdays {
				ok = ok || d == t.Weekday()
			}
			if !ok {
				return false
			}
		}
		to := w.ToHour
		if to == 0 {
			to = 24
		}
		return t.Hour() >= w.FromHour && t.Hour() < to
	}
	if open(t) {
		return true, t
	}
	// The next whole hour at which it is open, within two months (a
	// practice closed for a few weeks).
	next := t.Truncate(time.Hour).Add(time.Hour)
	for i := 0; i < 24*62; i++ {
		// Wall-clock hours, so a DST change does not shift the window.
		n := time.Date(next.Year(), next.Month(), next.Day(), next.Hour(), 0, 0, 0, t.Location())
		if open(n) {
			return false, n
		}
		next = next.Add(time.Hour)
	}
	return false, time.Time{}
}

// Audience is who an occurrence is for on a given day: the segment,
// narrowed for birthday campaigns to the birthdays of the day, of the
// closed days before it and of the CatchUp days before those (the
// birthday's step keeps it to one email per patient and birthday).
// Recall and appointment runs are narrowed by their steps (RecallDue,
// AppointmentsOn).
func (s Schedule) Audience(seg Rule, day Date) Rule {
	if s.Kind == ScheduleBirthday {
		from, to := s.BirthdaysOn(day)
		return Rule{Kind: KindAll, Rules: []Rule{seg, {Kind: KindBirthday, Op: "between", Date: from.String(), Until: to.String()}}}
	}
	return seg
}

// NewOnDay is who becomes due on a day, for the calendar: birthday and
// recall patients of that day only.
func (s Schedule) NewOnDay(seg Rule, day Date) Rule {
	switch s.Kind {
	case ScheduleBirthday:
		s.CatchUp = 0 // the day's own, and the closed days' before it
		from, to := s.BirthdaysOn(day)
		return Rule{Kind: KindAll, Rules: []Rule{seg, {Kind: KindBirthday, Op: "between", Date: from.String(), Until: to.String()}}}
	case ScheduleRecall:
		first := day
		for d := day.AddDays(-1); s.Closed.Is(d) && day.AddDays(-60).Before(d); d = d.AddDays(-1) {
			first = d // a closed day's recalls go on the next open day
		}
		return Rule{Kind: KindAll, Rules: []Rule{seg, {Kind: KindVisit, Service: s.Service, Op: VisitLastIn,
			Date: first.AddMonths(-s.Months).String(), Until: day.AddMonths(-s.Months).String()}}}
	case ScheduleAppointment:
		from, to := s.AppointmentsOn(day)
		return Rule{Kind: KindAll, Rules: []Rule{seg, {Kind: KindAppointment, Op: "between", Date: from.String(), Until: to.String()}}}
	}
	return seg
}
