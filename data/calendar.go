package data

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// PlanEntry is one campaign occurrence starting on a day, with its audience.
type PlanEntry struct {
	Day        Date   `json:"day"`
	Campaign   string `json:"campaign"`
	Purpose    string `json:"purpose"`
	Occurrence string `json:"occurrence"`
	Audience   int    `json:"audience"`            // recipients who may get it, counted today
	Followups  int    `json:"followups,omitempty"` // of them, a recall's follow-up reminders
	// Late are those due on earlier days (closed, or Kindly not opened),
	// caught up: how many per day.
	Late []LateDay `json:"late,omitempty"`
	End  Date      `json:"end"`
}

// Calendar lists the occurrences of every scheduled campaign starting from
// from to to, with their audience. Birthday, recall and appointment
// campaigns occur every open day, with that day's patients (a recall's
// follow-ups too, and the appointments a run reminds); nothing occurs on
// a closed day.
func (s *Store) Calendar(ctx context.Context, from, to Date) ([]PlanEntry, error) {
	cs, err := s.Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	closed, err := s.ClosedSet(ctx, from, to)
	if err != nil {
		return nil, err
	}
	var out []PlanEntry
	for _, c := range cs {
		sched, err := ParseSchedule(c.Schedule)
		if err != nil {
			return nil, fmt.Errorf("campaign %q: %w", c.Name, err)
		}
		if sched.Kind == "" || c.SegmentID == 0 {
			continue
		}
		sched.Closed = closed
		seg, err := s.SegmentByID(ctx, c.SegmentID)
		if err != nil {
			return nil, err
		}
		followups, err := s.followupsPerDay(ctx, c, sched)
		if err != nil {
			return nil, fmt.Errorf("campaign %q: %w", c.Name, err)
		}
		for _, o := range sched.Occurrences(from, to) {
			if o.Start.Before(from) {
				continue // began before the range: it is running, not starting
			}
			n, err := s.RecipientCount(ctx, c.Purpose, sched.NewOnDay(seg.Rule, o.Start))
			if err != nil {
				return nil, fmt.Errorf("campaign %q: %w", c.Name, err)
			}
			e := PlanEntry{Day: o.Start, End: o.End, Campaign: c.Name, Purpose: c.Purpose, Occurrence: o.Key, Audience: n}
			e.Followups = followups[o.Start]
			for d := o.Start.AddDays(-1); closed.Is(d) && o.Start.AddDays(-60).Before(d); d = d.AddDays(-1) {
				e.Followups += followups[d] // a closed day's follow-ups go on the next open day
			}
			e.Audience += e.Followups
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Day.Before(out[j].Day) })
	return out, nil
}

// followupsPerDay counts a recall's follow-up reminders falling due on
// each day ahead: a reminder sent (or queued) Every days before, not the
// last one, whose patient has not come in since.
func (s *Store) followupsPerDay(ctx context.Context, c Campaign, sched Schedule) (map[Date]int, error) {
	out := map[Date]int{}
	if sched.Kind != ScheduleRecall || sched.Followups == 0 {
		return out, nil
	}
	loc, err := s.Location(ctx)
	if err != nil {
		return nil, err
	}
	r := newRecallSQL(s.eng, sched.Service, sched.Months)
	err = s.eachRow(ctx, "count the follow-ups", `SELECT coalesce(o.sent_at, o.queued_at) FROM outbox o JOIN patients p ON p.id = o.patient_id
		LEFT JOIN recall_holds h ON h.campaign_id = o.campaign_id AND h.patient_id = p.id
		WHERE o.campaign_id = ? AND o.status IN ('queued', 'sending', 'sent') AND o.reminder < ? AND o.cycle = `+r.cycle+`
		AND NOT EXISTS (SELECT 1 FROM outbox o2 WHERE o2.campaign_id = o.campaign_id AND o2.patient_id = o.patient_id
			AND o2.cycle = o.cycle AND o2.reminder > o.reminder)`, flat(c.ID, 1+sched.Followups, r.times(4)), func(row scanner) error {
		var at string
		if err := row.Scan(&at); err != nil {
			return err
		}
		if t, err := time.Parse(time.RFC3339, at); err == nil {
			out[DateOf(t.In(loc)).AddDays(sched.Every)]++
		}
		return nil
	})
	return out, err
}

// LateDay is how many emails due on a day are caught up later.
type LateDay struct {
	Day   Date `json:"day"`
	Count int  `json:"count"`
}

// DayPlan is one day's planned volume against what the mailbox can send.
type DayPlan struct {
	Day      Date        `json:"day"`
	Entries  []PlanEntry `json:"entries"`
	Planned  int         `json:"planned"`  // new emails starting that day
	Carried  int         `json:"carried"`  // left over from earlier days
	Capacity int         `json:"capacity"` // what the mailbox can send that day
	Left     int         `json:"left"`     // still unsent at the end of the day
	Verdict  string      `json:"verdict"`
}

// Capacity is what the mailbox can carry: its limits and the send window.
type Capacity struct {
	PerDay    int // 0: no daily limit
	PerMinute int // 0: no per-minute limit
	Window    Window
	Closed    Closed // no email goes out on a closed day
}

func (c Capacity) day(d Date) int {
	if c.Closed.Is(d) {
		return 0
	}
	if len(c.Window.Weekdays) > 0 {
		ok := false
		for _, w := range c.Window.Weekdays {
			ok = ok || w == d.Time(time.UTC).Weekday()
		}
		if !ok {
			return 0
		}
	}
	capacity := c.PerDay
	if c.PerMinute > 0 {
		to := c.Window.ToHour
		if to == 0 {
			to = 24
		}
		byMinute := c.PerMinute * (to - c.Window.FromHour) * 60
		if capacity == 0 || byMinute < capacity {
			capacity = byMinute
		}
	}
	if capacity == 0 {
		capacity = 1 << 30
	}
	return capacity
}

// PlanCapacity lays the entries over the days from..to and says, day by
// day, whether the mailbox can carry them, and when an overflow finishes.
func PlanCapacity(entries []PlanEntry, from, to Date, c Capacity) []DayPlan {
	var days []DayPlan
	carried := 0
	for d := from; !to.Before(d); d = d.AddDays(1) {
		dp := DayPlan{Day: d, Carried: carried, Capacity: c.day(d)}
		for _, e := range entries {
			if e.Day == d {
				dp.Entries = append(dp.Entries, e)
				dp.Planned += e.Audience
			}
		}
		total := carried + dp.Planned
		dp.Left = max(total-dp.Capacity, 0)
		carried = dp.Left
		days = append(days, dp)
	}
	// Verdicts, now that every day's leftovers are known.
	for i := range days {
		dp := &days[i]
		if dp.Left == 0 {
			if dp.Planned+dp.Carried > 0 {
				dp.Verdict = "fits"
			}
			continue
		}
		var parts []string
		for _, e := range dp.Entries {
			parts = append(parts, fmt.Sprintf("%s %d", e.Campaign, e.Audience))
		}
		if dp.Carried > 0 {
			parts = append(parts, fmt.Sprintf("%d left from before", dp.Carried))
		}
		finish := "after " + to.String()
		for j := i + 1; j < len(days); j++ {
			if days[j].Left == 0 {
				finish = finishTime(days[j], c)
				break
			}
		}
		dp.Verdict = fmt.Sprintf("%s exceed %d/day on %s; finishes %s", strings.Join(parts, " + "), dp.Capacity, shortDay(dp.Day), finish)
	}
	return days
}

func shortDay(d Date) string { return fmt.Sprintf("%d %s", d.Day, d.Month.String()[:3]) }

// finishTime estimates when the last email of a day goes out.
func finishTime(dp DayPlan, c Capacity) string {
	n := dp.Carried + dp.Planned
	if c.PerMinute <= 0 {
		return shortDay(dp.Day)
	}
	minutes := (n + c.PerMinute - 1) / c.PerMinute
	t := dp.Day.Time(time.UTC).Add(time.Duration(c.Window.FromHour)*time.Hour + time.Duration(minutes)*time.Minute)
	return fmt.Sprintf("%s %s", shortDay(dp.Day), t.Format("15:04"))
}

// MonthPlan is one month of the year view: each campaign's emails that month.
type MonthPlan struct {
	Month   Date        `json:"month"` // the 1st
	Entries []PlanEntry `json:"entries"`
	Total   int         `json:"total"`
}

// CalendarYear sums each campaign's audience per month of a year. Birthday
// and recall campaigns are counted per month (not per day), so a year of
// them is 24 queries, not 730.
func (s *Store) CalendarYear(ctx context.Context, year int) ([]MonthPlan, error) {
	cs, err := s.Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	months := make([]MonthPlan, 12)
	for i := range months {
		months[i].Month = Date{year, time.Month(i + 1), 1}
	}
	for _, c := range cs {
		sched, err := ParseSchedule(c.Schedule)
		if err != nil || sched.Kind == "" || c.SegmentID == 0 {
			continue
		}
		seg, err := s.SegmentByID(ctx, c.SegmentID)
		if err != nil {
			return nil, err
		}
		for i := range months {
			first := months[i].Month
			last := first.AddMonths(1).AddDays(-1)
			rule, key, ok := sched.monthRule(seg.Rule, first, last)
			if !ok {
				continue
			}
			n, err := s.RecipientCount(ctx, c.Purpose, rule)
			if err != nil {
				return nil, err
			}
			if n > 0 {
				months[i].Entries = append(months[i].Entries, PlanEntry{Day: first, End: last, Campaign: c.Name, Purpose: c.Purpose, Occurrence: key, Audience: n})
				months[i].Total += n
			}
		}
	}
	return months, nil
}

// monthRule is who a schedule emails in a month (first to last), and the
// month's key in the year's plan; false when nothing of it starts then.
// Birthday, recall and appointment campaigns are counted per month, not
// per day.
func (sched Schedule) monthRule(seg Rule, first, last Date) (Rule, string, bool) {
	switch sched.Kind {
	case ScheduleBirthday:
		return Rule{Kind: KindAll, Rules: []Rule{seg, {Kind: KindBirthday, Op: "between",
			Date: first.AddDays(sched.DaysBefore).String(), Until: last.AddDays(sched.DaysBefore).String()}}}, "birthdays", true
	case ScheduleRecall:
		return Rule{Kind: KindAll, Rules: []Rule{seg, {Kind: KindVisit, Service: sched.Service, Op: VisitLastIn,
			Date: first.AddMonths(-sched.Months).String(), Until: last.AddMonths(-sched.Months).String()}}}, fmt.Sprintf("recall-%04d-%02d", first.Year, int(first.Month)), true
	case ScheduleAppointment:
		return Rule{Kind: KindAll, Rules: []Rule{seg, {Kind: KindAppointment, Op: "between",
			Date: first.AddDays(sched.DaysBefore).String(), Until: last.AddDays(sched.DaysBefore).String()}}}, fmt.Sprintf("appointment-%04d-%02d", first.Year, int(first.Month)), true
	}
	occ := sched.Occurrences(first, last)
	if len(occ) == 0 || occ[0].Start.Before(first) {
		return Rule{}, "", false
	}
	return seg, occ[0].Key, true
}

// DaySent is how many emails of a campaign went out on a day (the
// practice's day), bounced ones included: they were sent.
type DaySent struct {
	Day      Date
	Campaign string
	Sent     int
}

// SentPerDay counts the emails sent from from to to (the practice's days),
// per day and campaign, for the calendar's past days.
func (s *Store) SentPerDay(ctx context.Context, from, to Date) ([]DaySent, error) {
	loc, err := s.Location(ctx)
	if err != nil {
		return nil, err
	}
	start := from.Time(loc).UTC().Format(time.RFC3339)
	end := to.AddDays(1).Time(loc).UTC().Format(time.RFC3339)
	counts := map[DaySent]int{}
	var order []DaySent
	err = s.eachRow(ctx, "count the emails sent", `SELECT c.name, o.sent_at FROM outbox o JOIN campaigns c ON c.id = o.campaign_id
		WHERE o.status IN ('sent', 'bounced') AND o.sent_at >= ? AND o.sent_at < ? ORDER BY o.sent_at`, []any{start, end},
		func(row scanner) error {
			var name, at string
			if err := row.Scan(&name, &at); err != nil {
				return err
			}
			t, err := time.Parse(time.RFC3339, at)
			if err != nil {
				return nil // a stamp Kindly did not write: not counted
			}
			k := DaySent{Day: DateOf(t.In(loc)), Campaign: name}
			if _, seen := counts[k]; !seen {
				order = append(order, k)
			}
			counts[k]++
			return nil
		})
	out := make([]DaySent, len(order))
	for i, k := range order {
		k.Sent = counts[k]
		out[i] = k
	}
	return out, err
}
