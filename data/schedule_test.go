package data

import (
	"context"
	"strings"
	"testing"
	"time"
)

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestOccurrences(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sched    Schedule
		from, to string
		want     string // "key start..end" joined by "; "
	}{
		{"one-off inside", Schedule{Kind: ScheduleOnce, Date: "2026-12-01"}, "2026-11-01", "2026-12-31", "2026-12-01 2026-12-01..2026-12-01"},
		{"one-off outside", Schedule{Kind: ScheduleOnce, Date: "2027-01-01"}, "2026-11-01", "2026-12-31", ""},
		{"flu season each year", Schedule{Kind: ScheduleSeason, Month: 10, Day: 1, UntilMonth: 11, UntilDay: 30}, "2026-11-20", "2027-10-05",
			"season-2026 2026-10-01..2026-11-30; season-2027 2027-10-01..2027-11-30"},
		{"season over new year", Schedule{Kind: ScheduleSeason, Month: 12, Day: 15, UntilMonth: 1, UntilDay: 15}, "2027-01-05", "2027-01-05",
			"season-2026 2026-12-15..2027-01-15"},
		{"season on 29 February, other years the 28th", Schedule{Kind: ScheduleSeason, Month: 2, Day: 29}, "2027-01-01", "2028-12-31",
			"season-2027 2027-02-28..2027-02-28; season-2028 2028-02-29..2028-02-29"},
		{"birthday key is the birthday's year", Schedule{Kind: ScheduleBirthday, DaysBefore: 7}, "2026-12-24", "2026-12-26",
			"birthday-2026-12-24 2026-12-24..2026-12-24; birthday-2026-12-25 2026-12-25..2026-12-25; birthday-2026-12-26 2026-12-26..2026-12-26"},
		{"no daily run on a closed day", Schedule{Kind: ScheduleBirthday, Closed: Closed{d("2026-12-25"): "Christmas"}}, "2026-12-24", "2026-12-26",
			"birthday-2026-12-24 2026-12-24..2026-12-24; birthday-2026-12-26 2026-12-26..2026-12-26"},
		{"a season starting on a closed day starts on the next open day", Schedule{Kind: ScheduleSeason, Month: 10, Day: 3,
			Closed: Closed{d("2026-10-03"): "Tag der Deutschen Einheit", d("2026-10-04"): "Sunday"}}, "2026-09-01", "2026-10-31",
			"season-2026 2026-10-05..2026-10-05"},
		{"recall runs daily", Schedule{Kind: ScheduleRecall, Service: "annual physical", Months: 12}, "2026-11-30", "2026-12-01",
			"recall-2026-11-30 2026-11-30..2026-11-30; recall-2026-12-01 2026-12-01..2026-12-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.sched.Validate(); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range tc.sched.Occurrences(d(tc.from), d(tc.to)) {
				got = append(got, o.Key+" "+o.Start.String()+".."+o.End.String())
			}
			if strings.Join(got, "; ") != tc.want {
				t.Errorf("got  %q\nwant %q", strings.Join(got, "; "), tc.want)
			}
		})
	}
}

func TestScheduleValidation(t *testing.T) {
	for _, s := range []Schedule{
		{Kind: ScheduleOnce, Date: "2026-02-30"},
		{Kind: ScheduleSeason, Month: 2, Day: 30},
		{Kind: ScheduleBirthday, DaysBefore: -1},
		{Kind: ScheduleRecall, Months: 12},
		{Kind: ScheduleOnce, Date: "2026-10-01", Window: Window{FromHour: 17, ToHour: 9}},
		{Kind: "weekly"},
	} {
		if err := s.Validate(); err == nil {
			t.Errorf("%+v was accepted", s)
		}
	}
	s, err := ParseSchedule(`{"kind":"season","month":10,"day":1,"window":{"weekdays":[1,2,3,4,5],"from_hour":9,"to_hour":17}}`)
	if err != nil || s.Window.FromHour != 9 || len(s.Window.Weekdays) != 5 {
		t.Fatalf("%+v %v", s, err)
	}
}

// The send window is in the practice's wall-clock hours, across DST changes.
func TestSendWindow(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	weekdays9to17 := Window{Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, FromHour: 9, ToHour: 17}
	for _, tc := range []struct {
		name string
		at   time.Time
		open bool
		next string
	}{
		{"Monday 10:00 is open", time.Date(2026, 11, 23, 10, 0, 0, 0, ny), true, "2026-11-23 10:00 EST"},
		{"Friday 17:30 waits for Monday 9:00", time.Date(2026, 11, 27, 17, 30, 0, 0, ny), false, "2026-11-30 09:00 EST"},
		{"DST starts (8 March 2026): Sunday night waits for Monday 9:00 EDT", time.Date(2026, 3, 8, 1, 30, 0, 0, ny), false, "2026-03-09 09:00 EDT"},
		{"DST ends in Berlin (25 October 2026): Saturday evening waits for Monday 9:00 CET", time.Date(2026, 10, 24, 20, 0, 0, 0, berlin), false, "2026-10-26 09:00 CET"},
		{"the day before New Year's Day, late", time.Date(2026, 12, 31, 23, 0, 0, 0, ny), false, "2027-01-01 09:00 EST"},
	} {
		open, next := weekdays9to17.InWindow(tc.at)
		if open != tc.open || next.Format("2006-01-02 15:04 MST") != tc.next {
			t.Errorf("%s: open %v next %s, want %v %s", tc.name, open, next.Format("2006-01-02 15:04 MST"), tc.open, tc.next)
		}
	}
}

func queueAll(t *testing.T, s *Store, c Campaign, occ string, audience Rule, opt QueueOptions) QueueResult {
	t.Helper()
	res, err := s.QueueCampaign(context.Background(), c, occ, audience, opt, func(p Patient) (Rendered, error) {
		return Rendered{Subject: "Hello " + p.FirstName, Text: "text"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func outboxReasons(t *testing.T, s *Store, c Campaign) map[string]string {
	t.Helper()
	out := map[string]string{}
	s.EachOutboxEntry(context.Background(), c.ID, func(e OutboxEntry) error {
		out[strings.SplitN(e.PatientName, ",", 2)[0]] = e.Status + ": " + e.Reason
		return nil
	})
	return out
}

// Consent by purpose and the frequency cap apply when an occurrence is
// queued; whoever is left out gets a skipped row with the reason.
func TestQueueConsentAndCap(t *testing.T) {
	s, _ := segmentFixture(t)
	ctx := context.Background()
	everyone := Rule{Kind: KindAll}
	promo := Campaign{Name: "Botox offer", Purpose: PurposePromotion}
	care := Campaign{Name: "Flu", Purpose: PurposeCare}
	care2 := Campaign{Name: "Recall", Purpose: PurposeCare}
	for _, c := range []*Campaign{&promo, &care, &care2} {
		if err := s.CreateCampaign(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	res := queueAll(t, s, promo, "2026-11-25", everyone, QueueOptions{})
	if res.Queued != 1 || res.Skipped != 6 {
		t.Fatalf("promotion: %+v", res)
	}
	want := map[string]string{
		"senior-jabbed":   "queued: ",
		"senior":          "skipped: no consent to promotions (not opted in)",
		"turns65today":    "skipped: no email address",
		"child":           "skipped: no consent to promotions (not opted in)",
		"nobirth":         "skipped: opted out: marked do-not-contact",
		"leapling":        "skipped: opted out of promotions",
		"turns65tomorrow": "skipped: no consent to promotions (not opted in)",
	}
	if got := outboxReasons(t, s, promo); len(got) != len(want) {
		t.Fatalf("promotion rows: %v", got)
	} else {
		for k, v := range want {
			if got[k] != v {
				t.Errorf("promotion, %s: %q, want %q", k, got[k], v)
			}
		}
	}
	// Queueing the same occurrence again changes nothing.
	if again := queueAll(t, s, promo, "2026-11-25", everyone, QueueOptions{}); again != (QueueResult{}) {
		t.Fatalf("again: %+v", again)
	}

	// Care reminders: everyone with an address who did not opt out.
	res = queueAll(t, s, care, "season-2026", everyone, QueueOptions{})
	if res.Queued != 4 || res.Skipped != 3 {
		t.Fatalf("care: %+v", res)
	}
	// senior-jabbed now has 2 emails in 30 days: the cap (2 per 30 days) holds them back...
	res = queueAll(t, s, care2, "recall-2026-11", everyone, QueueOptions{})
	if got := outboxReasons(t, s, care2)["senior-jabbed"]; got != "skipped: frequency cap: already 2 emails in the last 30 days" || res.Queued != 3 {
		t.Fatalf("cap: %q, %+v", got, res)
	}
	// ...unless the care reminder bypasses it; and a stricter cap is configurable.
	care3 := Campaign{Name: "Urgent recall", Purpose: PurposeCare}
	s.CreateCampaign(ctx, &care3)
	queueAll(t, s, care3, "x", everyone, QueueOptions{BypassCap: true})
	if got := outboxReasons(t, s, care3)["senior-jabbed"]; got != "queued: " {
		t.Fatalf("bypass: %q", got)
	}
	s.SaveSettings(ctx, Settings{Cap: Cap{Count: 1, Days: 30}})
	promo2 := Campaign{Name: "Promo 2", Purpose: PurposePromotion}
	s.CreateCampaign(ctx, &promo2)
	queueAll(t, s, promo2, "x", everyone, QueueOptions{BypassCap: true}) // promotions never bypass
	if got := outboxReasons(t, s, promo2)["senior-jabbed"]; !strings.HasPrefix(got, "skipped: frequency cap") {
		t.Fatalf("promotion bypass: %q", got)
	}
}

// Birthday campaigns: daily runs, one email per patient and birthday
// year, leap-day birthdays on 1 March in other years, across the new year.
func TestBirthdayAudience(t *testing.T) {
	s, _ := segmentFixture(t)
	ctx := context.Background()
	c := Campaign{Name: "Birthdays", Purpose: PurposeCare}
	s.CreateCampaign(ctx, &c)
	sched := Schedule{Kind: ScheduleBirthday, DaysBefore: 0, BypassCap: true, CatchUp: 6}
	everyone := Rule{Kind: KindAll}
	run := func(day string) QueueResult {
		today := d(day)
		now := today.Time(time.UTC).Add(17 * time.Hour)
		s.Now = func() time.Time { return now }
		occ, _ := sched.Due(today)
		r, err := s.DayRun(ctx, c, sched, everyone, today)
		if err != nil {
			t.Fatal(err)
		}
		return queueAll(t, s, c, occ.Key, r.Audience, r.Options)
	}
	if r := run("2027-02-28"); r.Queued != 0 {
		t.Fatalf("28 Feb 2027: %+v", r)
	}
	if r := run("2027-03-01"); r.Queued != 1 {
		t.Fatalf("1 Mar 2027 (leapling): %+v", r)
	}
	if r := run("2027-03-02"); r.Queued != 0 {
		t.Fatalf("the next day must not send again: %+v", r)
	}
	// Missed days are caught up within a week; across the new year each
	// birthday year is its own occurrence. (The child, born 2 January, opted
	// out of care reminders: considered once a year, skipped with the reason.)
	if r := run("2027-01-04"); r.Queued != 0 || r.Skipped != 1 {
		t.Fatalf("4 Jan 2027 (child, 2 days late): %+v", r)
	}
	if r := run("2027-01-05"); r.Skipped != 0 {
		t.Fatalf("the next day must not consider the child again: %+v", r)
	}
	if r := run("2028-01-02"); r.Skipped != 1 {
		t.Fatalf("next year the child is considered again: %+v", r)
	}
}

// Recall: patients whose last visit of the service was N months ago, once
// per recall cycle; a newer visit (or a future appointment) moves them out.
func TestRecallAudience(t *testing.T) {
	s, ids := segmentFixture(t)
	ctx := context.Background()
	sched := Schedule{Kind: ScheduleRecall, Service: "annual physical", Months: 12, CatchUp: 31}
	c := Campaign{Name: "Physicals", Purpose: PurposeCare}
	s.CreateCampaign(ctx, &c)
	due := func() []string {
		r, err := s.DayRun(ctx, c, sched, Rule{Kind: KindAll}, d("2026-11-25"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for id := range r.Steps {
			for n, pid := range ids {
				if pid == id {
					names = append(names, n)
				}
			}
		}
		return names
	}
	got := due()
	if strings.Join(got, " ") != "senior-jabbed" { // last physical 2025-11-01
		t.Fatalf("due for recall: %q", got)
	}
	// A booked appointment (a future visit) takes them out.
	v := Visit{PatientID: ids["senior-jabbed"], Date: d("2026-12-10"), Service: "Annual physical"}
	s.AddVisit(ctx, &v)
	if got := due(); len(got) != 0 {
		t.Fatalf("after booking: %q", got)
	}
}
