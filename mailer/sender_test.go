package mailer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"kindly/data"
	"kindly/internal/mailpittest"
	"kindly/internal/smtpfault"
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

// faultAccount is the account that sends to a fault server.
func faultAccount(fs *smtpfault.Server) Account {
	a := Account{Host: fs.Host, Port: fs.Port, TLS: TLSNone, From: "front@sunny.example", DialTimeout: 5 * time.Second, ReplyTimeout: 5 * time.Second}
	if fs.Password != "" {
		a.User, a.Password = "front@sunny.example", fs.Password
	}
	return a
}

// entries is every outbox row of the fixture's campaign, by address.
func (f *outboxFixture) entries(t *testing.T) map[string]data.OutboxEntry {
	t.Helper()
	out := map[string]data.OutboxEntry{}
	err := f.store.EachOutboxEntry(context.Background(), f.campaign.ID, func(e data.OutboxEntry) error {
		out[e.Email] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// onceEach checks from the server's side that every address got exactly
// want emails (0 or 1).
func onceEach(t *testing.T, fs *smtpfault.Server, want map[string]int) {
	t.Helper()
	got := fs.Deliveries()
	for to, n := range want {
		if got[to] != n {
			t.Errorf("%s got %d emails, want %d", to, got[to], n)
		}
	}
	for to, n := range got {
		if n > 1 {
			t.Errorf("%s got %d emails", to, n)
		}
	}
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
	// The server's pace is kept for the next estimate: a server on this
	// computer takes milliseconds per email, not the default guess.
	if pace, ok, err := f.store.SendPace(ctx); err != nil || !ok || pace <= 0 || pace >= DefaultPace {
		t.Errorf("pace after the run: %v, %v, %v", pace, ok, err)
	}
}

// The reply to the end of an email is lost (the connection dies) or comes
// too late: the email may have arrived, so it is uncertain - never sent
// again - and the others go out.
func TestLostOrLateReplyIsUncertain(t *testing.T) {
	fs := smtpfault.Start(t)
	fs.SlowReply = 2 * time.Second
	f := newOutbox(t, "a@example.com", "lost@example.com", "b@example.com", "slow@example.com", "c@example.com")
	f.queue(t)
	acct := faultAccount(fs)
	acct.ReplyTimeout = 500 * time.Millisecond
	pr, err := f.sender(acct).Run(context.Background(), f.campaign, "2026-10-01")
	if err != nil || pr.Sent != 3 || pr.Uncertain != 2 {
		t.Fatalf("progress %+v, %v", pr, err)
	}
	e := f.entries(t)
	for _, to := range []string{"lost@example.com", "slow@example.com"} {
		if e[to].Status != data.StatusUncertain || !strings.Contains(e[to].Reason, "may have arrived") {
			t.Errorf("%s: %s %q", to, e[to].Status, e[to].Reason)
		}
	}
	// A second run sends nobody again.
	if pr, err := f.sender(acct).Run(context.Background(), f.campaign, "2026-10-01"); err != nil || pr.Sent != 0 {
		t.Fatalf("second run %+v, %v", pr, err)
	}
	onceEach(t, fs, map[string]int{"a@example.com": 1, "lost@example.com": 1, "b@example.com": 1, "slow@example.com": 1, "c@example.com": 1})
}

// A slow answer within the reply timeout is waited for: sent once.
func TestSlowReplyIsWaitedFor(t *testing.T) {
	fs := smtpfault.Start(t)
	fs.SlowReply = 300 * time.Millisecond
	f := newOutbox(t, "slow@example.com", "a@example.com")
	f.queue(t)
	acct := faultAccount(fs)
	acct.ReplyTimeout = 3 * time.Second
	if pr, err := f.sender(acct).Run(context.Background(), f.campaign, "2026-10-01"); err != nil || pr.Sent != 2 {
		t.Fatalf("progress %+v, %v", pr, err)
	}
	onceEach(t, fs, map[string]int{"slow@example.com": 1, "a@example.com": 1})
}

// A throttle for the whole mailbox (451 4.7.0 on MAIL FROM) pauses the run
// with growing waits and goes on by itself; no patient is failed or
// charged an attempt.
func TestThrottlePausesTheRun(t *testing.T) {
	fs := smtpfault.Start(t)
	f := newOutbox(t, "a@example.com", "b@example.com", "c@example.com")
	f.queue(t)
	fs.Throttle(4)
	var notes []string
	s := f.sender(faultAccount(fs))
	s.Progress = func(p Progress) {
		if p.Note != "" {
			notes = append(notes, p.Note)
		}
	}
	pr, err := s.Run(context.Background(), f.campaign, "2026-10-01")
	if err != nil || pr.Sent != 3 || pr.Failed != 0 {
		t.Fatalf("progress %+v, %v", pr, err)
	}
	if len(f.clock.slept) < 4 || f.clock.slept[0] != 30*time.Second || f.clock.slept[3] != 4*time.Minute {
		t.Errorf("waits %v: want 30 s, 1, 2, 4 minutes", f.clock.slept)
	}
	if len(notes) == 0 || !strings.Contains(notes[0], "slow down") || !strings.Contains(notes[0], "4.7.0") {
		t.Errorf("notes %q", notes)
	}
	for to, e := range f.entries(t) {
		if e.Attempts != 1 {
			t.Errorf("%s: %d attempts counted", to, e.Attempts)
		}
	}
	onceEach(t, fs, map[string]int{"a@example.com": 1, "b@example.com": 1, "c@example.com": 1})
}

// "550 5.4.5 Daily user sending quota exceeded" is the mailbox's quota, not
// the patient's address: the run waits until the quota frees, remembers
// it for the planner, and fails nobody.
func TestQuotaWaitsForTheWindow(t *testing.T) {
	fs := smtpfault.Start(t)
	f := newOutbox(t, "a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com")
	f.queue(t)
	fs.QuotaAfter(3)
	pr, err := f.sender(faultAccount(fs)).Run(context.Background(), f.campaign, "2026-10-01")
	if err != nil || pr.Sent != 5 || pr.Failed != 0 {
		t.Fatalf("progress %+v, %v", pr, err)
	}
	waited := time.Duration(0)
	for _, d := range f.clock.slept {
		waited += d
	}
	if waited < 23*time.Hour {
		t.Errorf("waited %v, want until the first email is a day old", waited)
	}
	st, _ := f.store.Settings(context.Background())
	if st.Mail.ServerPerDay != 3 {
		t.Errorf("the server's quota is not remembered: %+v", st.Mail)
	}
	onceEach(t, fs, map[string]int{"a@example.com": 1, "b@example.com": 1, "c@example.com": 1, "d@example.com": 1, "e@example.com": 1})
}

// A patient whose server says "try later" waits while the others go out,
// and goes out later; a rejected address fails alone.
func TestRecipientRetriedLaterOthersGoOn(t *testing.T) {
	fs := smtpfault.Start(t)
	f := newOutbox(t, "busy2@example.com", "a@example.com", "reject@example.com", "b@example.com")
	f.queue(t)
	pr, err := f.sender(faultAccount(fs)).Run(context.Background(), f.campaign, "2026-10-01")
	if err != nil || pr.Sent != 3 || pr.Failed != 1 {
		t.Fatalf("progress %+v, %v", pr, err)
	}
	if order := fs.Order(); len(order) != 3 || order[2] != "busy2@example.com" {
		t.Errorf("order %q: the busy patient should go last, the others not wait", order)
	}
	e := f.entries(t)
	if e["busy2@example.com"].Attempts != 3 || e["busy2@example.com"].Status != data.StatusSent {
		t.Errorf("busy: %+v", e["busy2@example.com"])
	}
	if r := e["reject@example.com"]; r.Status != data.StatusFailed || !strings.HasPrefix(r.Reason, "the address does not exist") {
		t.Errorf("rejected: %+v", r)
	}
	onceEach(t, fs, map[string]int{"busy2@example.com": 1, "a@example.com": 1, "b@example.com": 1, "reject@example.com": 0})
}

// A patient whose server keeps saying "try later" fails after the tries,
// with the reason.
func TestRecipientGivenUpAfterTries(t *testing.T) {
	fs := smtpfault.Start(t)
	f := newOutbox(t, "busy9@example.com")
	f.queue(t)
	pr, err := f.sender(faultAccount(fs)).Run(context.Background(), f.campaign, "2026-10-01")
	if err != nil || pr.Failed != 1 {
		t.Fatalf("progress %+v, %v", pr, err)
	}
	if e := f.entries(t)["busy9@example.com"]; !strings.HasPrefix(e.Reason, "gave up after 6 tries: the patient's mail server asked to try later") {
		t.Errorf("reason %q", e.Reason)
	}
}

// A connection the server closed while Kindly waited (an idle timeout) is
// opened again quietly: no note, no attempt counted.
func TestIdleConnectionReopenedQuietly(t *testing.T) {
	fs := smtpfault.Start(t)
	fs.HangUpIdle(true)
	f := newOutbox(t, "a@example.com", "b@example.com", "c@example.com")
	f.queue(t)
	var notes []string
	s := f.sender(faultAccount(fs))
	s.Progress = func(p Progress) {
		if p.Note != "" {
			notes = append(notes, p.Note)
		}
	}
	if pr, err := s.Run(context.Background(), f.campaign, "2026-10-01"); err != nil || pr.Sent != 3 {
		t.Fatalf("progress %+v, %v", pr, err)
	}
	if len(notes) != 0 || len(f.clock.slept) != 0 {
		t.Errorf("notes %q, waits %v", notes, f.clock.slept)
	}
	for to, e := range f.entries(t) {
		if e.Attempts != 1 {
			t.Errorf("%s: %d attempts", to, e.Attempts)
		}
	}
	if fs.Sessions() != 3 {
		t.Errorf("%d sessions, want one per email", fs.Sessions())
	}
	onceEach(t, fs, map[string]int{"a@example.com": 1, "b@example.com": 1, "c@example.com": 1})
}

// Long waits for the limits hang up first, and the next email connects again.
func TestLongWaitHangsUp(t *testing.T) {
	fs := smtpfault.Start(t)
	f := newOutbox(t, "a@example.com", "b@example.com", "c@example.com")
	f.queue(t)
	s := f.sender(faultAccount(fs))
	s.Limits = Limits{PerMinute: 1}
	if pr, err := s.Run(context.Background(), f.campaign, "2026-10-01"); err != nil || pr.Sent != 3 {
		t.Fatalf("progress %+v, %v", pr, err)
	}
	if fs.Sessions() != 3 {
		t.Errorf("%d sessions for 3 emails a minute apart", fs.Sessions())
	}
}

// The mail server out of reach: the run keeps trying with growing pauses
// and goes on when it is back; with GiveUpAfter it stops saying so.
func TestServerOutOfReach(t *testing.T) {
	fs := smtpfault.Start(t)
	f := newOutbox(t, "a@example.com", "b@example.com")
	f.queue(t)
	s := f.sender(faultAccount(fs))
	dials := 0
	s.Dial = func(ctx context.Context) (Session, error) {
		if dials++; dials <= 8 {
			return nil, errors.New("dial tcp 127.0.0.1:25: connect: connection refused")
		}
		c, err := Dial(ctx, faultAccount(fs), practice)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	var notes []string
	s.Progress = func(p Progress) { notes = append(notes, p.Note) }
	pr, err := s.Run(context.Background(), f.campaign, "2026-10-01")
	if err != nil || pr.Sent != 2 {
		t.Fatalf("progress %+v, %v", pr, err)
	}
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second, 300 * time.Second, 300 * time.Second}
	if fmt.Sprint(f.clock.slept) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", f.clock.slept, want)
	}
	if !strings.Contains(notes[0], "cannot reach the mail server") || notes[len(notes)-1] != "" {
		t.Errorf("notes %q: the last should be cleared", notes)
	}

	g := newOutbox(t, "c@example.com")
	g.queue(t)
	s = g.sender(faultAccount(fs))
	s.GiveUpAfter = 2 * time.Minute
	s.Dial = func(ctx context.Context) (Session, error) { return nil, errors.New("connect: network is unreachable") }
	_, err = s.Run(context.Background(), g.campaign, "2026-10-01")
	var stopped *ErrStopped
	if !errors.As(err, &stopped) || !strings.Contains(err.Error(), "out of reach since") {
		t.Fatalf("give up: %v", err)
	}
	if c := g.counts(t); c[data.StatusQueued] != 1 {
		t.Fatalf("counts %v", c)
	}
}

// The claim takes the patient's address as it is now: one corrected after
// queueing gets the email at the new address; one removed is skipped.
func TestClaimUsesTheCurrentAddress(t *testing.T) {
	fs := smtpfault.Start(t)
	f := newOutbox(t, "old@example.com", "gone@example.com")
	f.queue(t)
	ctx := context.Background()
	for old, now := range map[string]string{"old@example.com": "new@example.com", "gone@example.com": ""} {
		ps, _ := f.store.Patients(ctx, data.PatientQuery{Search: strings.Split(old, "@")[0]})
		p := ps[0]
		p.Email = now
		if err := f.store.UpdatePatient(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	pr, err := f.sender(faultAccount(fs)).Run(ctx, f.campaign, "2026-10-01")
	if err != nil || pr.Sent != 1 || pr.Skipped != 1 {
		t.Fatalf("progress %+v, %v", pr, err)
	}
	onceEach(t, fs, map[string]int{"new@example.com": 1, "old@example.com": 0})
	if e := f.entries(t)["new@example.com"]; e.Status != data.StatusSent {
		t.Fatalf("the outbox records %+v", e)
	}
}

// One sender per database: a second one at the same time is refused with
// plain words, and does not mark the first one's email uncertain.
func TestOneSenderAtATime(t *testing.T) {
	fs := smtpfault.Start(t)
	f := newOutbox(t, "a@example.com")
	f.queue(t)
	unlock, err := f.store.LockSending()
	if err != nil {
		t.Fatal(err)
	}
	batch, _ := f.store.NextQueuedBatch(context.Background(), f.campaign.ID, "2026-10-01", 1)
	f.store.ClaimForSending(context.Background(), batch[0].ID, data.PurposeCare) // the first sender's email in flight
	_, err = f.sender(faultAccount(fs)).Run(context.Background(), f.campaign, "2026-10-01")
	if !errors.Is(err, data.ErrSenderBusy) {
		t.Fatalf("second sender: %v", err)
	}
	if c := f.counts(t); c[data.StatusSending] != 1 || c[data.StatusUncertain] != 0 {
		t.Fatalf("counts %v", c)
	}
	unlock()
}

// A database busy with a long import (the write lock held past SQLite's
// busy timeout) is waited for: the run finishes, nobody twice.
func TestBusyDatabaseIsWaitedFor(t *testing.T) {
	if testing.Short() {
		t.Skip("holds the database for 12 seconds")
	}
	fs := smtpfault.Start(t)
	f := newOutbox(t, "a@example.com", "b@example.com")
	f.queue(t)
	held := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- f.store.WithBatch(context.Background(), func(b *data.Batch) error {
			close(held)
			time.Sleep(12 * time.Second) // longer than the busy timeout (10 s)
			return nil
		})
	}()
	<-held
	s := f.sender(faultAccount(fs))
	s.Sleep = func(ctx context.Context, d time.Duration) error {
		time.Sleep(min(d, 50*time.Millisecond))
		return ctx.Err()
	}
	var notes []string
	s.Progress = func(p Progress) { notes = append(notes, p.Note) }
	pr, err := s.Run(context.Background(), f.campaign, "2026-10-01")
	if err != nil || pr.Sent != 2 {
		t.Fatalf("progress %+v, %v", pr, err)
	}
	// The progress line says why nothing moves (the server's rows are
	// locked one by one: an import there does not hold the sender up).
	if !storetest.OnServer && (len(notes) == 0 || !strings.Contains(notes[0], "waiting for the database")) {
		t.Errorf("notes %q", notes)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	onceEach(t, fs, map[string]int{"a@example.com": 1, "b@example.com": 1})
}

func TestAuthRejectedStopsTheRun(t *testing.T) {
	fs := smtpfault.Start(t)
	fs.Password = "right"
	f := newOutbox(t, "a@example.com", "b@example.com")
	f.queue(t)
	acct := faultAccount(fs)
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

// No password crosses the network unencrypted: plain connections only to
// this computer.
func TestNoPlainSignInOverTheNetwork(t *testing.T) {
	// A name that only starts like a loopback address is a name like any other.
	for _, host := range []string{"smtp.gmail.com", "127.smtp.evil.example", "127.0.0.1.evil.example", "localhost.evil.example"} {
		_, err := Dial(context.Background(), Account{Host: host, Port: 25, TLS: TLSNone, User: "a@b.example", Password: "pw", From: "a@b.example"}, practice)
		if !errors.Is(err, ErrPlainOverNetwork) {
			t.Errorf("%s: err = %v", host, err)
		}
		var in Inbox
		in.Host, in.Port, in.TLS = host, 143, TLSNone
		if _, err := FetchNew(context.Background(), in, nil, nil, nil); !errors.Is(err, ErrPlainOverNetwork) {
			t.Errorf("inbox %s: err = %v", host, err)
		}
	}
}

func TestStalledServerTimesOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() { // accepts connections and never says a word
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	f := newOutbox(t, "a@example.com")
	f.queue(t)
	port := l.Addr().(*net.TCPAddr).Port
	s := f.sender(Account{Host: "127.0.0.1", Port: port, TLS: TLSNone, From: "front@sunny.example", DialTimeout: 300 * time.Millisecond})
	s.GiveUpAfter = time.Minute
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
	fs := smtpfault.Start(t)
	f := newOutbox(t, "a@example.com", "b@example.com")
	f.queue(t)
	batch, _ := f.store.NextQueuedBatch(context.Background(), f.campaign.ID, "2026-10-01", 1)
	if ok, _, err := f.store.ClaimForSending(context.Background(), batch[0].ID, data.PurposeCare); err != nil || !ok { // as if Kindly died mid-send
		t.Fatal(ok, err)
	}
	pr, err := f.sender(faultAccount(fs)).Run(context.Background(), f.campaign, "2026-10-01")
	if err != nil || pr.Sent != 1 || pr.Recovered != 1 {
		t.Fatalf("progress = %+v, %v", pr, err)
	}
	onceEach(t, fs, map[string]int{"a@example.com": 0, "b@example.com": 1})
	if c := f.counts(t); c[data.StatusUncertain] != 1 || c[data.StatusSent] != 1 {
		t.Fatalf("counts = %v", c)
	}
}

func TestLimitsWaitAndResume(t *testing.T) {
	fs := smtpfault.Start(t)
	var emails []string
	for i := 0; i < 7; i++ {
		emails = append(emails, "p"+string(rune('a'+i))+"@example.com")
	}
	f := newOutbox(t, emails...)
	f.queue(t)
	s := f.sender(faultAccount(fs))
	s.Limits = Limits{PerMinute: 3, PerDay: 5}
	ctx, cancel := context.WithCancel(context.Background())
	var waits []time.Duration
	var etas []time.Duration
	s.Progress = func(p Progress) {
		etas = append(etas, p.ETA)
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
	if len(etas) == 0 || etas[0] < 24*time.Hour {
		t.Errorf("ETAs %v: 7 emails at 5 a day end tomorrow", etas)
	}
	// A day later the rest goes out.
	f.clock.Sleep(context.Background(), 24*time.Hour)
	pr, err = f.sender(faultAccount(fs)).Run(context.Background(), f.campaign, "2026-10-01")
	if err != nil || pr.Sent != 2 {
		t.Fatalf("next day: %+v, %v", pr, err)
	}
}

// The estimate follows the limits and the measured pace.
func TestEstimate(t *testing.T) {
	for _, tc := range []struct {
		n    int
		lim  Limits
		pace time.Duration
		sent int
		want time.Duration
		days int
	}{
		{1000, Limits{}, 3 * time.Millisecond, 0, 3 * time.Second, 1},
		{1000, Limits{}, 0, 0, 1000 * DefaultPace, 1},
		{100, Limits{PerMinute: 20}, 3 * time.Millisecond, 0, 300 * time.Second, 1},
		{1200, Limits{PerDay: 500}, time.Millisecond, 0, 48*time.Hour + 200*time.Millisecond, 3},
		{400, Limits{PerDay: 500}, time.Millisecond, 300, 24*time.Hour + 200*time.Millisecond, 2},
		{200, Limits{PerDay: 500}, time.Millisecond, 300, 200 * time.Millisecond, 1},
	} {
		got, days := Estimate(tc.n, tc.lim, tc.pace, tc.sent)
		if got != tc.want || days != tc.days {
			t.Errorf("%d at %v under %+v: %v over %d days, want %v over %d", tc.n, tc.pace, tc.lim, got, days, tc.want, tc.days)
		}
	}
}
