package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	ics "github.com/arran4/golang-ical"

	"kindly/data"
	"kindly/mailer"
)

// scheduleFlags adds the schedule options to a flag set.
type scheduleFlags struct {
	once, season, until, weekdays, hours string
	birthday, months                     int
	recall                               string
	bypassCap                            bool
}

func (f *scheduleFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.once, "once", "", "send once on DATE (YYYY-MM-DD)")
	fs.StringVar(&f.season, "season", "", "send every year from MM-DD")
	fs.StringVar(&f.until, "until", "", "with --season: the season's last day, MM-DD")
	fs.IntVar(&f.birthday, "birthday", -1, "send N days before each patient's birthday")
	fs.StringVar(&f.recall, "recall", "", "send a recall for SERVICE --months N after the last visit")
	fs.IntVar(&f.months, "months", 0, "with --recall: months after the last visit")
	fs.StringVar(&f.weekdays, "weekdays", "", "send window days, e.g. mon-fri or mon,wed,fri")
	fs.StringVar(&f.hours, "hours", "", "send window hours, e.g. 9-17")
	fs.BoolVar(&f.bypassCap, "bypass-cap", false, "care reminders only: not held back by the frequency cap")
}

func monthDay(s string) (int, int, error) {
	var m, d int
	if _, err := fmt.Sscanf(s, "%d-%d", &m, &d); err != nil {
		return 0, 0, fmt.Errorf("%q is not a day of the year like 10-01", s)
	}
	return m, d, nil
}

var dayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

func (f *scheduleFlags) schedule() (data.Schedule, error) {
	var s data.Schedule
	kinds := 0
	if f.once != "" {
		s.Kind, s.Date = data.ScheduleOnce, f.once
		kinds++
	}
	if f.season != "" {
		s.Kind = data.ScheduleSeason
		var err error
		if s.Month, s.Day, err = monthDay(f.season); err != nil {
			return s, err
		}
		if f.until != "" {
			if s.UntilMonth, s.UntilDay, err = monthDay(f.until); err != nil {
				return s, err
			}
		}
		kinds++
	}
	if f.birthday >= 0 {
		s.Kind, s.DaysBefore = data.ScheduleBirthday, f.birthday
		kinds++
	}
	if f.recall != "" {
		s.Kind, s.Service, s.Months = data.ScheduleRecall, f.recall, f.months
		kinds++
	}
	if kinds > 1 {
		return s, fmt.Errorf("choose one of --once, --season, --birthday and --recall")
	}
	if f.weekdays != "" {
		for _, part := range strings.Split(strings.ToLower(f.weekdays), ",") {
			if a, b, ok := strings.Cut(part, "-"); ok {
				from, ok1 := dayNames[a]
				to, ok2 := dayNames[b]
				if !ok1 || !ok2 {
					return s, fmt.Errorf("%q is not a range of days like mon-fri", part)
				}
				for d := from; ; d = (d + 1) % 7 {
					s.Window.Weekdays = append(s.Window.Weekdays, d)
					if d == to {
						break
					}
				}
			} else if d, ok := dayNames[part]; ok {
				s.Window.Weekdays = append(s.Window.Weekdays, d)
			} else {
				return s, fmt.Errorf("%q is not a day like mon", part)
			}
		}
	}
	if f.hours != "" {
		a, b, ok := strings.Cut(f.hours, "-")
		from, err1 := strconv.Atoi(a)
		to, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil {
			return s, fmt.Errorf("%q is not a range of hours like 9-17", f.hours)
		}
		s.Window.FromHour, s.Window.ToHour = from, to
	}
	s.BypassCap = f.bypassCap
	return s, s.Validate()
}

func cmdCalendar(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("calendar", flag.ContinueOnError)
	today, err := e.store.Today()
	if err != nil {
		return err
	}
	fromS := fs.String("from", today.String(), "first day")
	toS := fs.String("to", today.AddDays(30).String(), "last day")
	asJSON := fs.Bool("json", false, "print JSON")
	icsOut := fs.String("ics", "", "also write the occurrences to this .ics file")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	from, err := data.ParseDate(*fromS)
	if err != nil {
		return err
	}
	to, err := data.ParseDate(*toS)
	if err != nil {
		return err
	}
	if to.Before(from) || from.AddDays(731).Before(to) {
		return fmt.Errorf("choose a range of up to two years, --to after --from")
	}
	entries, err := e.store.Calendar(ctx, from, to)
	if err != nil {
		return err
	}
	capa := data.Capacity{}
	if st, err := mailer.LoadSettings(e.store); err == nil {
		capa.PerDay, capa.PerMinute = st.PerDay, st.PerMinute
	}
	days := data.PlanCapacity(entries, from, to, capa)
	if *icsOut != "" {
		if err := writeICS(entries, *icsOut); err != nil {
			return err
		}
	}
	if *asJSON {
		var busy []data.DayPlan
		for _, d := range days {
			if d.Planned+d.Carried > 0 {
				busy = append(busy, d)
			}
		}
		return writeJSON(e.stdout, busy)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DAY\tCAMPAIGN\tOCCURRENCE\tAUDIENCE\tCAPACITY")
	for _, d := range days {
		for _, en := range d.Entries {
			if en.Audience == 0 && en.Occurrence != "" && (strings.HasPrefix(en.Occurrence, "birthday") || strings.HasPrefix(en.Occurrence, "recall")) {
				continue // nobody due that day
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", d.Day, en.Campaign, en.Occurrence, en.Audience, d.Verdict)
		}
	}
	return tw.Flush()
}

// writeICS exports occurrences as all-day events for Outlook or Google Calendar.
func writeICS(entries []data.PlanEntry, path string) error {
	cal := ics.NewCalendar()
	cal.SetMethod(ics.MethodPublish)
	cal.SetProductId("-//Kindly//Campaign calendar//EN")
	cal.SetName("Kindly campaigns")
	for _, en := range entries {
		if en.Audience == 0 && (strings.HasPrefix(en.Occurrence, "birthday") || strings.HasPrefix(en.Occurrence, "recall")) {
			continue
		}
		ev := cal.AddEvent(fmt.Sprintf("%s-%s-%s@kindly", strings.ReplaceAll(en.Campaign, " ", "_"), en.Occurrence, en.Day))
		ev.SetDtStampTime(time.Now().UTC())
		ev.SetAllDayStartAt(en.Day.Time(time.UTC))
		ev.SetAllDayEndAt(en.End.AddDays(1).Time(time.UTC))
		ev.SetSummary(fmt.Sprintf("%s: %d emails", en.Campaign, en.Audience))
		ev.SetDescription(fmt.Sprintf("Kindly campaign %q (%s), occurrence %s, audience today %d.", en.Campaign, en.Purpose, en.Occurrence, en.Audience))
	}
	return os.WriteFile(path, []byte(cal.Serialize()), 0o600)
}
