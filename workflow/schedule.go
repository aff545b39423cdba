package workflow

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"kindly/data"
)

// ScheduleText is a campaign's schedule as the practice types it, in the
// window's form or as command-line options; Schedule reads it once for both.
type ScheduleText struct {
	Kind       string // "" (sent when the practice presses Send) or a data.Schedule kind
	Date       string // once: YYYY-MM-DD
	From       string // season: first day, MM-DD
	Until      string // season: last day, MM-DD (optional)
	DaysBefore string // birthday: days before the birthday
	Service    string // recall: the service, e.g. "annual physical"
	Months     string // recall: months after the last visit
	Weekdays   string // send window days: "mon-fri", "mon,wed,fri"; "" every day
	Hours      string // send window hours: "9-17"; "" any time
	BypassCap  bool   // care reminders only: not held back by the frequency cap
	// Recall follow-ups: how many, how many days apart, and the template
	// of each ("Second reminder, Third reminder"; none or "": the campaign's).
	Followups         string
	Every             string
	FollowupTemplates string
	// BeforeAppointment: an appointment reminder, days before each booked
	// appointment.
	BeforeAppointment string
	// Family: one email to an address several recipients share.
	Family bool
}

// InferKind sets Kind from the one schedule that has values (as the
// command line's options give it); more than one is an error.
func (t *ScheduleText) InferKind() error {
	var kinds []string
	for kind, set := range map[string]bool{data.ScheduleOnce: t.Date != "", data.ScheduleSeason: t.From != "" || t.Until != "",
		data.ScheduleBirthday: t.DaysBefore != "", data.ScheduleRecall: t.Service != "" || t.Months != "",
		data.ScheduleAppointment: t.BeforeAppointment != ""} {
		if set {
			kinds = append(kinds, kind)
		}
	}
	if len(kinds) > 1 {
		return fmt.Errorf("choose one schedule: once, season, birthday, recall or before each appointment")
	}
	if len(kinds) == 1 {
		t.Kind = kinds[0]
	}
	return nil
}

// Schedule reads and checks the typed schedule; the fields of other kinds
// than Kind are ignored.
func (t ScheduleText) Schedule() (data.Schedule, error) {
	s := data.Schedule{Kind: t.Kind, BypassCap: t.BypassCap, Family: t.Family}
	var err error
	switch t.Kind {
	case data.ScheduleOnce:
		s.Date = strings.TrimSpace(t.Date)
	case data.ScheduleSeason:
		if s.Month, s.Day, err = monthDay(t.From); err != nil {
			return s, err
		}
		if strings.TrimSpace(t.Until) != "" {
			if s.UntilMonth, s.UntilDay, err = monthDay(t.Until); err != nil {
				return s, err
			}
		}
	case data.ScheduleBirthday:
		if s.DaysBefore, err = whole(t.DaysBefore, "the days before the birthday"); err != nil {
			return s, err
		}
	case data.ScheduleRecall:
		s.Service = strings.TrimSpace(t.Service)
		if s.Months, err = whole(t.Months, "the months after the last visit"); err != nil {
			return s, err
		}
		if strings.TrimSpace(t.Followups) != "" {
			if s.Followups, err = whole(t.Followups, "the number of follow-up reminders"); err != nil {
				return s, err
			}
		}
		if s.Followups > 0 {
			if s.Every, err = whole(t.Every, "the days between reminders"); err != nil {
				return s, err
			}
		}
	case data.ScheduleAppointment:
		if s.DaysBefore, err = whole(t.BeforeAppointment, "the days before the appointment"); err != nil {
			return s, err
		}
	}
	if s.Window.Weekdays, err = weekdays(t.Weekdays); err != nil {
		return s, err
	}
	if s.Window.FromHour, s.Window.ToHour, err = hours(t.Hours); err != nil {
		return s, err
	}
	return s, s.Validate()
}

// ScheduleTextOf is a stored schedule as the practice would type it.
func ScheduleTextOf(s data.Schedule) ScheduleText {
	t := ScheduleText{Kind: s.Kind, Date: s.Date, Service: s.Service, BypassCap: s.BypassCap, Family: s.Family}
	if s.Kind == data.ScheduleAppointment {
		t.BeforeAppointment = strconv.Itoa(s.DaysBefore)
	}
	if s.Followups > 0 {
		t.Followups, t.Every = strconv.Itoa(s.Followups), strconv.Itoa(s.Every)
	}
	if s.Month != 0 {
		t.From = fmt.Sprintf("%02d-%02d", s.Month, s.Day)
	}
	if s.UntilMonth != 0 {
		t.Until = fmt.Sprintf("%02d-%02d", s.UntilMonth, s.UntilDay)
	}
	if s.Kind == data.ScheduleBirthday {
		t.DaysBefore = strconv.Itoa(s.DaysBefore)
	}
	if s.Months != 0 {
		t.Months = strconv.Itoa(s.Months)
	}
	t.Weekdays = weekdaysText(s.Window.Weekdays)
	if s.Window.FromHour != 0 || s.Window.ToHour != 0 {
		t.Hours = fmt.Sprintf("%d-%d", s.Window.FromHour, s.Window.ToHour)
	}
	return t
}

func whole(s, what string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%s must be a whole number, not %q", what, s)
	}
	return n, nil
}

func monthDay(s string) (int, int, error) {
	var m, d int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d-%d", &m, &d); err != nil {
		return 0, 0, fmt.Errorf("%q is not a day of the year like 10-01", s)
	}
	return m, d, nil
}

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// dayNamed reads a day's name: "mon", "tues", "Monday".
func dayNamed(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for d := time.Sunday; d <= time.Saturday; d++ {
		if len(s) >= 3 && strings.HasPrefix(strings.ToLower(d.String()), s) {
			return d, true
		}
	}
	return 0, false
}

// weekdays reads "mon-fri" or "mon,wed,fri" (full names too).
func weekdays(s string) ([]time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return nil, nil
	}
	var out []time.Weekday
	for _, part := range strings.Split(s, ",") {
		if a, b, ok := strings.Cut(part, "-"); ok {
			from, ok1 := dayNamed(a)
			to, ok2 := dayNamed(b)
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("%q is not a range of days like mon-fri", part)
			}
			for d := from; ; d = (d + 1) % 7 {
				out = append(out, d)
				if d == to {
					break
				}
			}
		} else if d, ok := dayNamed(part); ok {
			out = append(out, d)
		} else {
			return nil, fmt.Errorf("%q is not a day like mon", part)
		}
	}
	return out, nil
}

// weekdaysText writes days as weekdays reads them: "mon-fri" for a run.
func weekdaysText(days []time.Weekday) string {
	if len(days) == 0 {
		return ""
	}
	run := true
	for i := 1; i < len(days); i++ {
		run = run && days[i] == (days[i-1]+1)%7
	}
	if run && len(days) > 2 {
		return dayNames[days[0]] + "-" + dayNames[days[len(days)-1]]
	}
	var names []string
	for _, d := range days {
		names = append(names, dayNames[d])
	}
	return strings.Join(names, ",")
}

// hours reads a send window's hours like "9-17".
func hours(s string) (int, int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(s, "-")
	from, err1 := strconv.Atoi(strings.TrimSpace(a))
	to, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("the send window's hours %q are not a range like 9-17", s)
	}
	return from, to, nil
}

// templateNames splits "Second reminder, Third reminder" into names.
func templateNames(s string) []string {
	var out []string
	for _, n := range strings.Split(s, ",") {
		out = append(out, strings.TrimSpace(n))
	}
	if len(out) == 1 && out[0] == "" {
		return nil
	}
	return out
}
