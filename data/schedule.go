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
)

// Window is when emails may go out, in the practice's time zone.
type Window struct {
	Weekdays []time.Weekday `json:"weekdays,omitempty"` // empty: every day
	FromHour int            `json:"from_hour,omitempty"`
	ToHour   int            `json:"to_hour,omitempty"` // 0: until midnight
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
	// BypassCap lets a care reminder past the frequency cap.
	BypassCap bool `json:"bypass_cap,omitempty"`
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
	Key   string // "2026-10-01" (once), "season-2026", "birthday-2026", "recall-2026-11"
	Start Date
	End   Date
}

// Occurrences lists a schedule's occurrences that overlap [from, to].
// Birthday and recall campaigns occur every day.
func (s Schedule) Occurrences(from, to Date) []Occurrence {
	var out []Occurrence
	switch s.Kind {
	case ScheduleOnce:
		d, _ := ParseDate(s.Date)
		if !d.Before(from) && !to.Before(d) {
			out = append(out, Occurrence{Key: d.String(), Start: d, End: d})
		}
	case ScheduleSeason:
		for y := from.Year - 1; y <= to.Year; y++ {
			start := clampDay(y, s.Month, s.Day)
			end := start
			if s.UntilMonth != 0 {
				end = clampDay(y, s.UntilMonth, s.UntilDay)
				if end.Before(start) {
					end = clampDay(y+1, s.UntilMonth, s.UntilDay)
				}
			}
			if !end.Before(from) && !to.Before(start) {
				out = append(out, Occurrence{Key: fmt.Sprintf("season-%d", y), Start: start, End: end})
			}
		}
	case ScheduleBirthday:
		// Daily runs; one email per patient and birthday year.
		for d := from; !to.Before(d); d = d.AddDays(1) {
			out = append(out, Occurrence{Key: fmt.Sprintf("birthday-%d", d.AddDays(s.DaysBefore).Year), Start: d, End: d})
		}
	case ScheduleRecall:
		// Daily runs; one email per patient and recall month (a recall cycle:
		// a new visit moves the patient's next recall).
		for d := from; !to.Before(d); d = d.AddDays(1) {
			out = append(out, Occurrence{Key: fmt.Sprintf("recall-%04d-%02d", d.Year, int(d.Month)), Start: d, End: d})
		}
	}
	return out
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
	// The next whole hour at which it is open, within two weeks.
	next := t.Truncate(time.Hour).Add(time.Hour)
	for i := 0; i < 24*14; i++ {
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
// narrowed for birthday and recall campaigns to the patients due by then.
// A week (birthdays) or the month (recalls) is caught up, so a day the
// app was not opened loses no one; the occurrence key keeps it to one
// email per patient.
func (s Schedule) Audience(seg Rule, day Date) Rule { return s.audience(seg, day, true) }

// NewOnDay is who becomes due on a day, for the calendar: birthday and
// recall patients of that day only.
func (s Schedule) NewOnDay(seg Rule, day Date) Rule { return s.audience(seg, day, false) }

func (s Schedule) audience(seg Rule, day Date, catchUp bool) Rule {
	switch s.Kind {
	case ScheduleBirthday:
		target := day.AddDays(s.DaysBefore)
		from := target
		if catchUp {
			from = target.AddDays(-6)
		}
		return Rule{Kind: KindAll, Rules: []Rule{seg, {Kind: KindBirthday, Op: "between", Date: from.String(), Until: target.String()}}}
	case ScheduleRecall:
		due := day.AddMonths(-s.Months)
		from := due
		if catchUp {
			from = Date{day.Year, day.Month, 1}.AddMonths(-s.Months)
		}
		return Rule{Kind: KindAll, Rules: []Rule{seg, {Kind: KindVisit, Service: s.Service, Op: VisitLastIn,
			Date: from.String(), Until: due.String()}}}
	}
	return seg
}
