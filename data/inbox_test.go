package data

import (
	"context"
	"strings"
	"testing"
	"time"
)

// sentOutbox queues a campaign of purpose to the given addresses and marks
// every email sent; it returns each address's outbox id.
func sentOutbox(t *testing.T, s *Store, purpose string, emails ...string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	for i, e := range emails {
		p := Patient{FirstName: "Pat", LastName: strings.Repeat("y", i+1), Email: e, PromoConsent: PromoOptedIn}
		if err := s.CreatePatient(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	c := Campaign{Name: "Flu " + purpose, Purpose: purpose}
	if err := s.CreateCampaign(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if _, err := s.QueueCampaign(ctx, c, "2026-11-25", Rule{Kind: KindAll}, QueueOptions{BypassCap: true}, func(p Patient) (Rendered, error) {
		return Rendered{Subject: "Flu shot", Text: "Hello " + p.FirstName}, nil
	}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	err := s.EachOutboxEntry(ctx, c.ID, func(e OutboxEntry) error {
		ids[e.Email] = e.ID
		return s.MarkResult(ctx, e.ID, StatusSent, "")
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// A complaint that names no address is matched through the email it
// answers (Kindly's Message-ID in the returned headers).
func TestComplaintMatchedByMessageID(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	ids := sentOutbox(t, s, PurposePromotion, "ann@example.org", "bob@example.org")
	out, err := s.ApplyFinding(ctx, Finding{Kind: FindingComplaint, OutboxIDs: []int64{ids["bob@example.org"]}, Reason: "marked the email as spam"})
	if err != nil || !out.OptedOut || len(out.Patients) != 1 {
		t.Fatalf("%+v, %v", out, err)
	}
	ps, _ := s.Patients(ctx, PatientQuery{Limit: 10})
	for _, p := range ps {
		if want := p.Email == "bob@example.org"; (p.PromoConsent == PromoOptedOut) != want {
			t.Errorf("%s: promotions %s", p.Email, p.PromoConsent)
		}
	}
}

// A delay notice is recorded on the email and changes nothing; a later
// bounce of the same email supersedes it.
func TestDelayThenBounce(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	ids := sentOutbox(t, s, PurposeCare, "ann@example.org")
	id := ids["ann@example.org"]
	out, err := s.ApplyFinding(ctx, Finding{Kind: FindingDelayed, OutboxIDs: []int64{id}, Address: "ann@example.org", Reason: "the patient's mailbox is full"})
	if err != nil || out.Unusable || out.Review || !strings.Contains(out.Summary, "delayed") {
		t.Fatalf("%+v, %v", out, err)
	}
	entry := func() OutboxEntry {
		var got OutboxEntry
		s.EachOutboxEntry(ctx, 0, func(e OutboxEntry) error { got = e; return nil })
		return got
	}
	if e := entry(); e.Status != StatusSent || !strings.HasPrefix(e.Reason, "delivery delayed") {
		t.Errorf("after the delay: %s %q", e.Status, e.Reason)
	}
	if _, err := s.ApplyFinding(ctx, Finding{Kind: FindingBounce, OutboxIDs: []int64{id}, Address: "ann@example.org", Hard: true, Reason: "the address does not exist"}); err != nil {
		t.Fatal(err)
	}
	if e := entry(); e.Status != StatusBounced || !strings.Contains(e.Reason, "does not exist") {
		t.Errorf("after the bounce: %s %q", e.Status, e.Reason)
	}
}

// Soft bounces make an address unusable only on three different days
// within 30; refusals at send time count the same way, and a refusal taken
// back (the server refused everyone) is forgotten.
func TestSoftBouncesAddUpByDay(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	ids := sentOutbox(t, s, PurposeCare, "ann@example.org")
	day := s.Now()
	soft := Finding{Kind: FindingBounce, Address: "ann@example.org", Reason: "the patient's mailbox is full"}
	unusable := func() bool {
		ps, _ := s.Patients(ctx, PatientQuery{Limit: 1})
		return !ps[0].EmailBouncedAt.IsZero()
	}
	for i := 0; i < 4; i++ { // four on one day
		if _, err := s.ApplyFinding(ctx, soft); err != nil {
			t.Fatal(err)
		}
	}
	if unusable() {
		t.Fatal("soft bounces on one day made the address unusable")
	}
	s.Now = func() time.Time { return day.AddDate(0, 0, 1) }
	// A refusal at send time that is taken back does not count.
	if err := s.MarkRefused(ctx, ids["ann@example.org"], "blocked", false, "blocked"); err != nil {
		t.Fatal(err)
	}
	if err := s.TakeBackRefusal(ctx, ids["ann@example.org"]); err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return day.AddDate(0, 0, 2) }
	if _, err := s.ApplyFinding(ctx, soft); err != nil || unusable() {
		t.Fatalf("two days: unusable %v, %v", unusable(), err)
	}
	s.Now = func() time.Time { return day.AddDate(0, 0, 3) }
	if err := s.MarkRefused(ctx, ids["ann@example.org"], "the patient's mailbox is full", false, "the patient's mailbox is full"); err != nil {
		t.Fatal(err)
	}
	if !unusable() {
		t.Fatal("soft bounces on three days left the address usable")
	}
	hist, err := s.BounceHistory(ctx, 1)
	if err != nil || len(hist) != 6 || !hist[0].At.Equal(day.AddDate(0, 0, 3)) {
		t.Errorf("history %+v, %v", hist, err)
	}
}
