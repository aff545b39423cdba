package data

import (
	"context"
	"strings"
	"testing"
)

// An opt-out from an address a family shares opts out only the patient it
// answers, unless the practice says it speaks for all who share it.
func TestOptOutFromASharedAddress(t *testing.T) {
	for _, whole := range []bool{false, true} {
		s := newTestStore(t)
		ctx := context.Background()
		ids := sentOutbox(t, s, PurposePromotion, "family@example.org", "family@example.org", "eve@example.org")
		if whole {
			st, _ := s.Settings(ctx)
			st.Recalls.OptOutWholeAddress = true
			if err := s.SaveSettings(ctx, st); err != nil {
				t.Fatal(err)
			}
		}
		out, err := s.ApplyFinding(ctx, Finding{Kind: FindingOptOut, OutboxIDs: []int64{ids["family@example.org"]}, Address: "family@example.org"})
		if err != nil || !out.OptedOut {
			t.Fatalf("%+v %v", out, err)
		}
		ps, _ := s.Patients(ctx, PatientQuery{Limit: 10})
		out2 := 0
		for _, p := range ps {
			if p.PromoConsent == PromoOptedOut {
				out2++
				if p.Email != "family@example.org" {
					t.Errorf("%s opted out", p.Email)
				}
			}
		}
		if want := map[bool]int{false: 1, true: 2}[whole]; out2 != want || len(out.Patients) != want {
			t.Errorf("whole address %v: %d opted out (%v), want %d", whole, out2, out.Patients, want)
		}
	}
}

// "With an appointment booked (for a service) within N days": booked ones
// only, in the range, of the service when one is named.
func TestAppointmentRule(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	var ids []int64
	for _, n := range []string{"booked", "cancelled", "later", "other"} {
		p := Patient{FirstName: n, Email: n + "@example.org"}
		if err := s.CreatePatient(ctx, &p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	today, _ := s.Today(ctx)
	err := s.WithBatch(ctx, func(b *Batch) error {
		for _, a := range []Appointment{
			{PatientID: ids[0], Day: today.AddDays(3), Time: "09:00", Service: "Cleaning"},
			{PatientID: ids[1], Day: today.AddDays(3), Service: "Cleaning", Status: ApptCancelled},
			{PatientID: ids[2], Day: today.AddDays(30), Service: "Cleaning"},
			{PatientID: ids[3], Day: today.AddDays(2), Service: "Filling", ExternalID: "x1"},
		} {
			if err := b.SaveAppointment(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rule Rule
		want int
	}{
		{Rule{Kind: KindAppointment, Op: "within_days", Days: 7}, 2},
		{Rule{Kind: KindAppointment, Op: "within_days", Days: 7, Service: " cleaning"}, 1},
		{Rule{Kind: KindAppointment, Op: "none_within", Days: 7}, 2},
		{Rule{Kind: KindAppointment, Op: "within_days", Days: 31}, 3},
	} {
		if err := tc.rule.Validate(); err != nil {
			t.Fatal(err)
		}
		n, err := s.SegmentCount(ctx, Rule{Kind: KindAll, Rules: []Rule{tc.rule}})
		if err != nil || n != tc.want {
			t.Errorf("%s: %d (%v), want %d", tc.rule.Sentence(), n, err, tc.want)
		}
	}
	if got := (Rule{Kind: KindAppointment, Op: "within_days", Days: 7, Service: "Cleaning"}).Sentence(); got != `Patients with an appointment booked for "Cleaning" within the next 7 days` {
		t.Errorf("sentence %q", got)
	}
}

// Who gets care reminders is on record: changing the reminder rules writes
// the audit log; saving them unchanged does not.
func TestReminderRulesAudited(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	count := func() int {
		log, _ := s.AuditLog(ctx, 100)
		n := 0
		for _, e := range log {
			if strings.HasPrefix(e.Detail, "reminders:") {
				n++
			}
		}
		return n
	}
	st, _ := s.Settings(ctx)
	if err := s.SaveSettings(ctx, st); err != nil || count() != 0 {
		t.Fatalf("unchanged: %d lines (%v)", count(), err)
	}
	st.Recalls.CareOptIn = CareOptInYes
	if err := s.SaveSettings(ctx, st); err != nil || count() != 1 {
		t.Fatalf("changed: %d lines (%v)", count(), err)
	}
	log, _ := s.AuditLog(ctx, 1)
	if !strings.Contains(log[0].Detail, "care reminders need consent: yes") {
		t.Errorf("%q", log[0].Detail)
	}
}

// Appointment statuses as practice systems write them; one not on the
// schedule is never "booked" (no "see you Tuesday" for an unscheduled one).
func TestParseApptStatus(t *testing.T) {
	for in, want := range map[string]string{"Scheduled": ApptBooked, "": ApptBooked, "1": ApptBooked, "Broken": ApptCancelled,
		"Planned": ApptCancelled, "UnschedList": ApptCancelled, "5": ApptCancelled, "Complete": ApptCompleted, "2": ApptCompleted,
		"No-show": ApptNoShow, "abgesagt": ApptCancelled, "nicht erschienen": ApptNoShow} {
		if got, ok := ParseApptStatus(in); !ok || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, ok, want)
		}
	}
	if _, ok := ParseApptStatus("maybe"); ok {
		t.Error("an unknown status was read")
	}
	for in, want := range map[string]string{"9:30 AM": "09:30", "14.15": "14:15", "2:15 PM": "14:15", "12:00 AM": "00:00", "9h30": "09:30", "10:00:00": "10:00", "": ""} {
		if got, err := ParseClock(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"25:00", "noon", "9:75"} {
		if _, err := ParseClock(bad); err == nil {
			t.Errorf("%q was read as a time", bad)
		}
	}
}

// A family email left "sending" by a crash is uncertain whole; deciding
// any of its rows decides the email, and one to send again goes out once,
// by the row that carries it.
func TestFamilyEmailUncertain(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	for _, n := range []string{"Anna", "Ben", "Clara"} {
		p := Patient{FirstName: n, LastName: "Family", Email: "family@example.org"}
		if err := s.CreatePatient(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	c := Campaign{Name: "Flu", Purpose: PurposeCare}
	s.CreateCampaign(ctx, &c)
	res := queueAll(t, s, c, "2026-11-25", Rule{Kind: KindAll}, QueueOptions{Family: true})
	if res.Queued != 3 || res.Emails != 1 {
		t.Fatalf("%+v", res)
	}
	batch, _ := s.NextQueuedBatch(ctx, c.ID, "2026-11-25", 10)
	if len(batch) != 1 || !strings.HasPrefix(batch[0].Subject, "Hello Anna, Ben and Clara") {
		t.Fatalf("batch %+v", batch)
	}
	if ok, _, err := s.ClaimForSending(ctx, batch[0].ID, PurposeCare); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if n, _ := s.RecoverInterrupted(ctx); n != 3 {
		t.Fatalf("uncertain: %d rows", n)
	}
	var follower int64
	s.EachOutboxEntry(ctx, c.ID, func(e OutboxEntry) error {
		if e.ID != batch[0].ID {
			follower = e.ID
		}
		return nil
	})
	if n, err := s.ResolveUncertain(ctx, c, []int64{follower}, false); err != nil || n != 1 {
		t.Fatalf("resolve: %d %v", n, err)
	}
	counts, _ := s.OutboxCounts(ctx, c.ID, "2026-11-25")
	again, _ := s.NextQueuedBatch(ctx, c.ID, "2026-11-25", 10)
	if counts[StatusQueued] != 3 || len(again) != 1 || again[0].ID != batch[0].ID {
		t.Errorf("counts %v, batch %+v", counts, again)
	}
}

// An address that bounced for good is unusable for everyone who has it.
func TestBounceOfASharedAddress(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	ids := sentOutbox(t, s, PurposeCare, "family@example.org", "family@example.org", "eve@example.org")
	if _, err := s.ApplyFinding(ctx, Finding{Kind: FindingBounce, OutboxIDs: []int64{ids["family@example.org"]}, Address: "family@example.org",
		Hard: true, Reason: "the address does not exist"}); err != nil {
		t.Fatal(err)
	}
	ps, _ := s.Patients(ctx, PatientQuery{Limit: 10})
	for _, p := range ps {
		if bounced := !p.EmailBouncedAt.IsZero(); bounced != (p.Email == "family@example.org") {
			t.Errorf("%s: bounced %v", p.Email, bounced)
		}
	}
}
