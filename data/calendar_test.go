package data

import (
	"context"
	"testing"
	"time"
)

func TestPlanCapacity(t *testing.T) {
	entries := []PlanEntry{
		{Day: d("2026-10-01"), Campaign: "Flu recall", Audience: 1400},
		{Day: d("2026-10-01"), Campaign: "Birthdays", Audience: 12},
		{Day: d("2026-10-02"), Campaign: "Birthdays", Audience: 10},
	}
	c := Capacity{PerDay: 1000, PerMinute: 30, Window: Window{FromHour: 8, ToHour: 18}}
	days := PlanCapacity(entries, d("2026-10-01"), d("2026-10-03"), c)
	if days[0].Verdict != "Flu recall 1400 + Birthdays 12 exceed 1000/day on 1 Oct; finishes 2 Oct 08:15" {
		t.Errorf("day 1: %q", days[0].Verdict)
	}
	if days[1].Carried != 412 || days[1].Left != 0 || days[1].Verdict != "fits" || days[2].Verdict != "" {
		t.Errorf("days: %+v", days)
	}
	// A weekend window carries Saturday's planned emails to Monday.
	weekdays := Capacity{PerDay: 500, Window: Window{Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}}}
	days = PlanCapacity([]PlanEntry{{Day: d("2026-10-03"), Campaign: "Promo", Audience: 300}}, d("2026-10-03"), d("2026-10-06"), weekdays)
	if days[0].Capacity != 0 || days[2].Left != 0 || days[0].Verdict != "Promo 300 exceed 0/day on 3 Oct; finishes 5 Oct" {
		t.Errorf("weekend: %+v", days)
	}
}

func TestCalendarAudiences(t *testing.T) {
	s, _ := segmentFixture(t)
	ctx := context.Background()
	seniors, err := s.SaveSegment(ctx, "Seniors", Rule{Kind: KindAll, Rules: []Rule{{Kind: KindAge, Min: ptr(65)}}})
	if err != nil {
		t.Fatal(err)
	}
	everyone, _ := s.SaveSegment(ctx, "Everyone", Rule{Kind: KindAll})
	for _, c := range []Campaign{
		{Name: "Flu", Purpose: PurposeCare, SegmentID: seniors.ID, Schedule: Schedule{Kind: ScheduleSeason, Month: 12, Day: 1}.JSON()},
		{Name: "Birthdays", Purpose: PurposeCare, SegmentID: everyone.ID, Schedule: Schedule{Kind: ScheduleBirthday, DaysBefore: 1}.JSON()},
		{Name: "Unplanned", Purpose: PurposeCare, SegmentID: everyone.ID},
	} {
		if err := s.CreateCampaign(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Calendar(ctx, d("2026-11-25"), d("2026-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	// Birthdays every day (turns65tomorrow on 25 Nov, for the 26th; senior-jabbed
	// on 3 Dec is outside), and the flu season on 1 December: seniors with an
	// address who allow care reminders (senior and senior-jabbed).
	var summary []string
	for _, e := range got {
		if e.Audience > 0 {
			summary = append(summary, e.Day.String()+" "+e.Campaign+" "+e.Occurrence)
		}
	}
	want := []string{"2026-11-25 Birthdays birthday-2026-11-25", "2026-12-01 Flu season-2026"}
	if len(got) != 8 || len(summary) != 2 || summary[0] != want[0] || summary[1] != want[1] {
		t.Fatalf("calendar: %d entries, with audience: %q", len(got), summary)
	}
	if got[len(got)-1].Audience != 2 {
		t.Fatalf("flu audience %d", got[len(got)-1].Audience)
	}
}
