package mailer

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"kindly/data"
	"kindly/internal/mailpittest"
	"kindly/internal/storetest"
)

// fakeClock drives the store's "now" and the sender's sleeps: waiting
// moves time on instead of taking it.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

type outboxFixture struct {
	store    *data.Store
	clock    *fakeClock
	campaign data.Campaign
	rule     data.Rule
}

// newOutbox makes a practice with the given patient emails (all allowing
// care reminders) and a care campaign to all of them.
func newOutbox(t *testing.T, emails ...string) *outboxFixture {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)}
	s := storetest.OpenWithClock(t, clock.Now)
	ctx := context.Background()
	for i, e := range emails {
		p := data.Patient{FirstName: "Pat", LastName: strings.Repeat("x", i+1), Email: e}
		if err := s.CreatePatient(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	c := data.Campaign{Name: "Flu", Purpose: data.PurposeCare}
	if err := s.CreateCampaign(ctx, &c); err != nil {
		t.Fatal(err)
	}
	return &outboxFixture{store: s, clock: clock, campaign: c, rule: data.Rule{Kind: data.KindAll}}
}

func (f *outboxFixture) queue(t *testing.T) int {
	t.Helper()
	tpl := Starters[0]
	res, err := f.store.QueueCampaign(context.Background(), f.campaign, "2026-10-01", f.rule, data.QueueOptions{}, func(p data.Patient) (data.Rendered, error) {
		m, err := tpl.Render(p, practice, data.Date{Year: 2026, Month: 10, Day: 1})
		return data.Rendered{Subject: m.Subject, Text: m.Text, HTML: m.HTML}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.Queued
}

func (f *outboxFixture) sender(acct Account) *Sender {
	return &Sender{Store: f.store, Account: acct, Practice: practice, Sleep: f.clock.Sleep}
}

func (f *outboxFixture) counts(t *testing.T) map[string]int {
	t.Helper()
	c, err := f.store.OutboxCounts(context.Background(), f.campaign.ID, "2026-10-01")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestQueueAndSendThroughMailpit(t *testing.T) {
	mp := mailpittest.Start(t)
	emails := []string{}
	for i := 0; i < 20; i++ {
		emails = append(emails, "patient"+string(rune('a'+i))+"@example.com")
	}
	f := newOutbox(t, append(emails, "")...) // one patient without an address
	ctx := context.Background()
	// One opts out of care reminders before queueing, one after.
	list, _ := f.store.Patients(ctx, data.PatientQuery{Search: "patienta"})
	before := list[0]
	before.CareConsent = data.CareOptedOut
	f.store.UpdatePatient(ctx, &before)

	if n := f.queue(t); n != 19 {
		t.Fatalf("queued %d, want 19 (20 addresses, one opted out)", n)
	}
	if n := f.queue(t); n != 0 {
		t.Fatalf("queueing again added %d", n)
	}
	list, _ = f.store.Patients(ctx, data.PatientQuery{Search: "patientb"})
	after := list[0]
	after.CareConsent = data.CareOptedOut
	f.store.UpdatePatient(ctx, &after)

	pr, err := f.sender(mailpitAccount(mp)).Run(ctx, f.campaign, "2026-10-01")
	if err != nil {
		t.Fatal(err)
	}
	if pr.Sent != 18 || pr.Skipped != 1 {
		t.Fatalf("progress = %+v", pr)
	}
	got := mp.Messages(t)
	if len(got) != 18 {
		t.Fatalf("mailpit got %d messages", len(got))
	}
	seen := map[string]bool{}
	for _, m := range got {
		if len(m.To) != 1 || len(m.Cc)+len(m.Bcc) != 0 || seen[m.To[0].Address] {
			t.Fatalf("message to %v (seen before: %v)", m.To, seen[m.To[0].Address])
		}
		seen[m.To[0].Address] = true
	}
	if seen["patienta@example.com"] || seen["patientb@example.com"] {
		t.Fatal("an opted-out patient got the email")
	}
	c := f.counts(t)
	// Skipped: the patient without an address and the one who opted out
	// before queueing (at queue time), and the one who opted out after (at send time).
	if c[data.StatusSent] != 18 || c[data.StatusSkipped] != 3 {
		t.Fatalf("counts = %v", c)
	}
	// Running again sends nothing: every patient gets one message.
	if pr, err := f.sender(mailpitAccount(mp)).Run(ctx, f.campaign, "2026-10-01"); err != nil || pr.Sent != 0 {
		t.Fatalf("second run: %+v, %v", pr, err)
	}
}

func TestSendFaults(t *testing.T) {
	fs := startFaultServer(t)
	fs.closeAfter = 3
	f := newOutbox(t, "a@example.com", "reject@example.com", "busy2@example.com", "b@example.com", "drop@example.com", "c@example.com")
	f.queue(t)
	pr, err := f.sender(fs.account()).Run(context.Background(), f.campaign, "2026-10-01")
	if err != nil {
		t.Fatal(err)
	}
	if pr.Sent != 5 || pr.Failed != 1 {
		t.Fatalf("progress = %+v", pr)
	}
	for _, to := range []string{"a@example.com", "busy2@example.com", "b@example.com", "drop@example.com", "c@example.com"} {
		if n := fs.count(to); n != 1 {
			t.Errorf("%s got %d messages, want exactly 1", to, n)
		}
	}
	if fs.count("reject@example.com") != 0 {
		t.Error("the rejected address got a message")
	}
	var reason string
	f.store.EachOutboxEntry(context.Background(), f.campaign.ID, func(e data.OutboxEntry) error {
		if e.Email == "reject@example.com" {
			reason = e.Status + ": " + e.Reason
		}
		return nil
	})
	if !strings.HasPrefix(reason, "failed: the address does not exist") || !strings.Contains(reason, "550") {
		t.Errorf("reason = %q", reason)
	}
	if len(f.clock.slept) < 3 {
		t.Errorf("retries waited %v; want backoff for 421, 450 x2 and the dropped connection", f.clock.slept)
	}
}

func TestAuthRejectedStopsTheRun(t *testing.T) {
	fs := startFaultServer(t)
	fs.password = "right"
	f := newOutbox(t, "a@example.com", "b@example.com")
	f.queue(t)
	acct := fs.account()
	acct.Password = "wrong-secret"
	_, err := f.sender(acct).Run(context.Background(), f.campaign, "2026-10-01")
	var stopped *ErrStopped
	if !errors.As(err, &stopped) || !strings.Contains(err.Error(), "did not accept the user name or password") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Fatal("the password is in the error")
	}
	if c := f.counts(t); c[data.StatusQueued] != 2 {
		t.Fatalf("counts = %v: nothing may be marked after a login failure", c)
	}
	// With the right password the same queue goes out.
	acct.Password = "right"
	if pr, err := f.sender(acct).Run(context.Background(), f.campaign, "2026-10-01"); err != nil || pr.Sent != 2 {
		t.Fatalf("after fixing the password: %+v, %v", pr, err)
	}
}

func TestStalledServerTimesOut(t *testing.T) {
	l, err := listenSilently(t)
	if err != nil {
		t.Fatal(err)
	}
	f := newOutbox(t, "a@example.com")
	f.queue(t)
	host, port := splitHostPort(l)
	s := f.sender(Account{Host: host, Port: port, TLS: TLSNone, From: "front@sunny.example", Timeout: 300 * time.Millisecond})
	s.MaxAttempts = 2
	start := time.Now()
	_, err = s.Run(context.Background(), f.campaign, "2026-10-01")
	var stopped *ErrStopped
	if !errors.As(err, &stopped) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("a stalled server held the run for %v", time.Since(start))
	}
	if c := f.counts(t); c[data.StatusQueued] != 1 {
		t.Fatalf("counts = %v", c)
	}
}

func TestInterruptedMessageBecomesUncertain(t *testing.T) {
	fs := startFaultServer(t)
	f := newOutbox(t, "a@example.com", "b@example.com")
	f.queue(t)
	batch, _ := f.store.NextQueuedBatch(context.Background(), f.campaign.ID, "2026-10-01", 1)
	if ok, err := f.store.ClaimForSending(context.Background(), batch[0].ID, data.PurposeCare); err != nil || !ok { // as if Kindly died mid-send
		t.Fatal(ok, err)
	}
	pr, err := f.sender(fs.account()).Run(context.Background(), f.campaign, "2026-10-01")
	if err != nil || pr.Sent != 1 || !strings.Contains(pr.Note, "uncertain") {
		t.Fatalf("progress = %+v, %v", pr, err)
	}
	if fs.count("a@example.com") != 0 || fs.count("b@example.com") != 1 {
		t.Fatal("the interrupted message was sent again")
	}
	if c := f.counts(t); c[data.StatusUncertain] != 1 || c[data.StatusSent] != 1 {
		t.Fatalf("counts = %v", c)
	}
}

func TestLimitsWaitAndResume(t *testing.T) {
	fs := startFaultServer(t)
	var emails []string
	for i := 0; i < 7; i++ {
		emails = append(emails, "p"+string(rune('a'+i))+"@example.com")
	}
	f := newOutbox(t, emails...)
	f.queue(t)
	s := f.sender(fs.account())
	s.Limits = Limits{PerMinute: 3, PerDay: 5}
	ctx, cancel := context.WithCancel(context.Background())
	var waits []time.Duration
	s.Progress = func(p Progress) {
		if p.Waiting > 0 {
			waits = append(waits, p.Waiting)
		}
		// The day limit is reached: pause, as the app would until tomorrow.
		if p.Waiting > time.Hour {
			cancel()
		}
	}
	pr, err := s.Run(ctx, f.campaign, "2026-10-01")
	if !errors.Is(err, context.Canceled) || pr.Sent != 5 {
		t.Fatalf("first day: %+v, %v", pr, err)
	}
	if len(waits) < 2 || waits[0] > time.Minute+time.Second || waits[len(waits)-1] < 23*time.Hour {
		t.Fatalf("waits = %v: want a per-minute wait, then one until the day's first send is 24 hours old", waits)
	}
	// A day later the rest goes out.
	f.clock.Sleep(context.Background(), 24*time.Hour)
	pr, err = f.sender(fs.account()).Run(context.Background(), f.campaign, "2026-10-01")
	if err != nil || pr.Sent != 2 {
		t.Fatalf("next day: %+v, %v", pr, err)
	}
}
