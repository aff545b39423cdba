package mailer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"kindly/data"
	"kindly/internal/smtpfault"
)

// One patient's full mailbox (Gmail's 552 5.2.2 "over quota" at RCPT TO)
// is that patient's matter: the others go out, no quota stop, no limit
// learned; the full mailbox is tried again later and does not become
// unusable.
func TestOverQuotaRecipientAmongOthers(t *testing.T) {
	fs := smtpfault.Start(t)
	emails := []string{"a@example.com", "overquota@example.com", "b@example.com", "full2@example.com", "c@example.com", "d@example.com"}
	f := newOutbox(t, emails...)
	f.queue(t)
	pr, err := f.sender(faultAccount(fs)).Run(context.Background(), f.campaign, "2026-10-01")
	if err != nil {
		t.Fatal(err)
	}
	if pr.Sent != 5 || pr.Failed != 1 {
		t.Fatalf("progress %+v", pr)
	}
	st, _ := f.store.Settings(context.Background())
	if st.Mail.ServerPerDay != 0 {
		t.Errorf("a recipient's full mailbox was taken for the practice's quota: %d/day", st.Mail.ServerPerDay)
	}
	e := f.entries(t)
	if e["overquota@example.com"].Status != data.StatusFailed || !strings.Contains(e["overquota@example.com"].Reason, "mailbox is full") {
		t.Errorf("over quota: %+v", e["overquota@example.com"])
	}
	if e["overquota@example.com"].Attempts != 6 {
		t.Errorf("over quota tried %d times, want it tried again later up to 6", e["overquota@example.com"].Attempts)
	}
	if e["full2@example.com"].Status != data.StatusSent || e["full2@example.com"].Attempts != 3 {
		t.Errorf("a mailbox full twice, then not: %+v", e["full2@example.com"])
	}
	p := f.patient(t, "overquota@example.com")
	if !p.EmailBouncedAt.IsZero() {
		t.Errorf("a full mailbox made the address unusable: %s", p.EmailBounceReason)
	}
	onceEach(t, fs, map[string]int{"a@example.com": 1, "b@example.com": 1, "full2@example.com": 1, "c@example.com": 1, "d@example.com": 1})
}

// Postfix refuses the practice's sender at RCPT TO (smtpd_delay_reject):
// "553 5.1.8 <front@...>: Sender address rejected". That is the practice's
// problem: the run stops at once, nobody is failed or charged.
func TestSenderRefusedAtRcptStopsTheRun(t *testing.T) {
	for _, tc := range []struct {
		name  string
		set   func(*smtpfault.Server, bool)
		words string
	}{
		{"sender rejected", (*smtpfault.Server).SenderRejected, "Sender address rejected"},
		{"relaying denied", (*smtpfault.Server).RelayDenied, "Relaying denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := smtpfault.Start(t)
			var emails []string
			for i := range 12 {
				emails = append(emails, fmt.Sprintf("p%d@example.com", i))
			}
			f := newOutbox(t, emails...)
			f.queue(t)
			tc.set(fs, true)
			pr, err := f.sender(faultAccount(fs)).Run(context.Background(), f.campaign, "2026-10-01")
			var stopped *ErrStopped
			if !errors.As(err, &stopped) || !strings.Contains(err.Error(), tc.words) || pr.Failed != 0 {
				t.Fatalf("err = %v, progress %+v", err, pr)
			}
			if c := f.counts(t); c[data.StatusQueued] != 12 {
				t.Fatalf("counts %v", c)
			}
			for to, e := range f.entries(t) {
				if e.Attempts != 0 {
					t.Errorf("%s charged %d attempts", to, e.Attempts)
				}
				if p := f.patient(t, to); !p.EmailBouncedAt.IsZero() {
					t.Errorf("%s made unusable", to)
				}
			}
			tc.set(fs, false)
			if pr, err := f.sender(faultAccount(fs)).Run(context.Background(), f.campaign, "2026-10-01"); err != nil || pr.Sent != 12 {
				t.Fatalf("after the fix: %+v, %v", pr, err)
			}
		})
	}
}

// A server that answers 250 and then closes without a goodbye: each next
// email finds the connection dead before any byte of it was written. It is
// sent on a new connection, quietly: no attempt counted, no wait, nobody
// failed, everybody exactly once.
func TestDeadConnectionAfterEachEmailReplacedQuietly(t *testing.T) {
	fs := smtpfault.Start(t)
	fs.DropAfterEach(true)
	var emails []string
	want := map[string]int{}
	for i := range 25 {
		emails = append(emails, fmt.Sprintf("p%d@example.com", i))
		want[emails[i]] = 1
	}
	f := newOutbox(t, emails...)
	f.queue(t)
	pr, err := f.sender(faultAccount(fs)).Run(context.Background(), f.campaign, "2026-10-01")
	if err != nil || pr.Sent != 25 || pr.Failed != 0 || pr.Uncertain != 0 {
		t.Fatalf("progress %+v, %v", pr, err)
	}
	if len(f.clock.slept) != 0 {
		t.Errorf("waited %v", f.clock.slept)
	}
	if fs.Sessions() != 25 {
		t.Errorf("%d sessions: the server did not close after each email", fs.Sessions())
	}
	for to, e := range f.entries(t) {
		if e.Attempts != 1 {
			t.Errorf("%s: %d attempts", to, e.Attempts)
		}
	}
	onceEach(t, fs, want)
}

// A server refusing everyone trips the breaker: the run stops with plain
// words, and the refused patients are back in the queue, not failed, with
// no bounce recorded. Addresses that do not exist never trip it.
func TestBreakerOnServerRefusingEveryone(t *testing.T) {
	fs := smtpfault.Start(t)
	var emails []string
	for i := 0; i < 14; i++ {
		emails = append(emails, fmt.Sprintf("p%d@example.com", i))
	}
	f := newOutbox(t, emails...)
	f.queue(t)
	fs.RefuseAll(true)
	_, err := f.sender(faultAccount(fs)).Run(context.Background(), f.campaign, "2026-10-01")
	var stopped *ErrStopped
	if !errors.As(err, &stopped) || !strings.Contains(err.Error(), "refuses everyone") || !strings.Contains(err.Error(), "spamhaus") {
		t.Fatalf("err = %v", err)
	}
	if c := f.counts(t); c[data.StatusQueued] != 14 || c[data.StatusFailed] != 0 {
		t.Fatalf("counts %v", c)
	}
	for to, e := range f.entries(t) {
		if e.Attempts != 0 {
			t.Errorf("%s charged %d attempts", to, e.Attempts)
		}
	}
	if n := f.bounces(t); n != 0 {
		t.Errorf("%d bounces kept for a refusal of everyone", n)
	}
	// Fixed: the same queue goes out.
	fs.RefuseAll(false)
	if pr, err := f.sender(faultAccount(fs)).Run(context.Background(), f.campaign, "2026-10-01"); err != nil || pr.Sent != 14 {
		t.Fatalf("after the fix: %+v, %v", pr, err)
	}

	g := newOutbox(t, "reject1@x.example", "reject2@x.example", "reject3@x.example", "reject4@x.example", "reject5@x.example",
		"reject6@x.example", "reject7@x.example", "reject8@x.example", "reject9@x.example", "reject10@x.example", "reject11@x.example", "ok@x.example")
	g.queue(t)
	if pr, err := g.sender(faultAccount(fs)).Run(context.Background(), g.campaign, "2026-10-01"); err != nil || pr.Failed != 11 || pr.Sent != 1 {
		t.Fatalf("unknown addresses: %+v, %v", pr, err)
	}
	// Refused for good at send time: a hard bounce of the address, in the
	// table the inbox writes; the address is not used again.
	p := g.patient(t, "reject1@x.example")
	if p.EmailBouncedAt.IsZero() || g.bounces(t) != 11 {
		t.Errorf("a 550 5.1.1 at send time: bounced at %v, %d bounces", p.EmailBouncedAt, g.bounces(t))
	}
}

// patient is the fixture's patient with this address.
func (f *outboxFixture) patient(t *testing.T, email string) data.Patient {
	t.Helper()
	ps, err := f.store.Patients(context.Background(), data.PatientQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Email == email {
			return p
		}
	}
	t.Fatalf("no patient %s", email)
	return data.Patient{}
}

// bounces counts the bounces recorded for the fixture's patients.
func (f *outboxFixture) bounces(t *testing.T) int {
	t.Helper()
	ps, err := f.store.Patients(context.Background(), data.PatientQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range ps {
		bs, err := f.store.BounceHistory(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		n += len(bs)
	}
	return n
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second: "less than a minute", 70 * time.Second: "about a minute", 5 * time.Minute: "about 5 minutes",
		59*time.Minute + 40*time.Second: "about an hour", 80 * time.Minute: "about an hour", 3 * time.Hour: "about 3.0 hours",
		72 * time.Hour: "about 3 days",
	} {
		if got := HumanDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}
