package mailer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"kindly/data"
	"kindly/internal/pgtest"
	"kindly/internal/smtpfault"
)

// The practice server drops out mid-send (the network, a restart): the
// run waits with growing pauses, says so, and goes on when the server is
// back; every patient is mailed once - the email in hand when the line
// went is sent or uncertain, never twice.
func TestServerLostMidSend(t *testing.T) {
	srv := pgtest.Start(t)
	proxy := srv.Proxy(t)
	store, err := data.OpenServer(proxy.Through(srv, srv.NewDatabase(t, "")), "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clock := &fakeClock{now: time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)}
	store.Now = clock.Now
	ctx := context.Background()
	for i := 0; i < 40; i++ {
		p := data.Patient{FirstName: "Pat", LastName: fmt.Sprintf("Lost%d", i), Email: fmt.Sprintf("p%d@example.com", i)}
		if err := store.CreatePatient(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	c := data.Campaign{Name: "Flu", Purpose: data.PurposeCare}
	if err := store.CreateCampaign(ctx, &c); err != nil {
		t.Fatal(err)
	}
	f := &outboxFixture{store: store, clock: clock, campaign: c, rule: data.Rule{Kind: data.KindAll}}
	if n := f.queue(t); n != 40 {
		t.Fatalf("%d queued", n)
	}
	fs := smtpfault.Start(t)
	fs.Pace = 20 * time.Millisecond
	s := f.sender(faultAccount(fs))
	s.Sleep = func(ctx context.Context, d time.Duration) error {
		select {
		case <-time.After(min(d, 300*time.Millisecond)):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	var once sync.Once
	var notes []string
	s.Progress = func(p Progress) {
		if p.Note != "" {
			notes = append(notes, p.Note)
		}
		if p.Sent >= 10 {
			once.Do(func() {
				proxy.Cut()
				time.AfterFunc(7*time.Second, proxy.Mend) // longer than an email waits for its claim
			})
		}
	}
	pr, err := s.Run(ctx, c, "2026-10-01")
	if err != nil {
		for e := err; e != nil; e = errors.Unwrap(e) {
			t.Logf("%T %v", e, e)
		}
		t.Fatalf("the run stopped: %v (%+v)", err, pr)
	}
	deliveredOnce(t, f, fs, 40)
	if !strings.Contains(strings.Join(notes, "\n"), "practice server does not answer") {
		t.Errorf("the progress never said why it waited: %q", notes)
	}
}

// The line to the practice server is cut mid-send for long enough that the
// server lets the run's sending lock go, and another computer takes it
// meanwhile. When the line is back, the first run finds the lock gone,
// stops and says which computer sends; the other sends the rest. Nobody is
// mailed twice, and no two runs send at once after the line is back.
func TestSenderStopsWhenAnotherComputerTookOver(t *testing.T) {
	srv := pgtest.Start(t)
	proxy := srv.Proxy(t)
	address := srv.NewDatabase(t, "")
	front, err := data.OpenServer(proxy.Through(srv, address), "")
	if err != nil {
		t.Fatal(err)
	}
	defer front.Close()
	doctor, err := data.OpenServer(address, "")
	if err != nil {
		t.Fatal(err)
	}
	defer doctor.Close()
	clock := &fakeClock{now: time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)}
	front.Now, doctor.Now = clock.Now, clock.Now
	ctx := context.Background()
	for i := 0; i < 40; i++ {
		p := data.Patient{FirstName: "Pat", LastName: fmt.Sprintf("Over%d", i), Email: fmt.Sprintf("p%d@example.com", i)}
		if err := front.CreatePatient(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	c := data.Campaign{Name: "Flu", Purpose: data.PurposeCare}
	if err := front.CreateCampaign(ctx, &c); err != nil {
		t.Fatal(err)
	}
	f := &outboxFixture{store: front, clock: clock, campaign: c, rule: data.Rule{Kind: data.KindAll}}
	if n := f.queue(t); n != 40 {
		t.Fatalf("%d queued", n)
	}
	fs := smtpfault.Start(t)
	fs.Pace = 20 * time.Millisecond
	quick := func(ctx context.Context, d time.Duration) error {
		select {
		case <-time.After(min(d, 300*time.Millisecond)):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s := f.sender(faultAccount(fs))
	s.Sleep = quick

	var once sync.Once
	took := make(chan func(), 1)
	s.Progress = func(p Progress) {
		if p.Sent < 10 {
			return
		}
		once.Do(func() {
			proxy.Cut()
			go func() {
				// The doctor's computer presses Send while the front desk's
				// line is down: the server has let the front desk's lock go.
				deadline := time.Now().Add(20 * time.Second)
				for {
					unlock, err := doctor.LockSending()
					if err == nil {
						took <- unlock
						break
					}
					if time.Now().After(deadline) {
						t.Errorf("the lock was never free: %v", err)
						took <- func() {}
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
				proxy.Mend()
			}()
		})
	}
	_, err = s.Run(ctx, c, "2026-10-01")
	var busy *data.SenderBusyError
	if !errors.As(err, &busy) {
		t.Fatalf("the front desk's run ended with %v, not told that another computer sends", err)
	}
	if host, _ := os.Hostname(); busy.Computer != host {
		t.Errorf("told %q sends, not %q", busy.Computer, host)
	}
	unlock := <-took
	left := 0
	for _, e := range f.entries(t) {
		if e.Status == data.StatusQueued {
			left++
		}
	}
	if left == 0 {
		t.Fatal("the front desk sent everyone after the doctor's computer took the lock")
	}

	// The doctor's computer sends the rest, with the lock it holds.
	rest := &Sender{Store: doctor, Account: faultAccount(fs), Practice: practice, Sleep: quick}
	_, err = rest.RunLocked(ctx, c, "2026-10-01")
	unlock()
	if err != nil {
		t.Fatal(err)
	}
	deliveredOnce(t, f, fs, 40)
}

// deliveredOnce checks each of the campaign's patients was mailed once,
// as the fault server counts: a "sent" email arrived exactly once, an
// uncertain one (one at most) never twice, and nobody is left otherwise.
func deliveredOnce(t *testing.T, f *outboxFixture, fs *smtpfault.Server, patients int) {
	t.Helper()
	got := fs.Deliveries()
	sent, uncertain := 0, 0
	for _, e := range f.entries(t) {
		switch n := got[e.Email]; e.Status {
		case data.StatusSent:
			sent++
			if n != 1 {
				t.Errorf("%s: sent, received %d", e.Email, n)
			}
		case data.StatusUncertain:
			uncertain++
			if n > 1 {
				t.Errorf("%s: uncertain, received %d", e.Email, n)
			}
		default:
			t.Errorf("%s: %s (%s), received %d", e.Email, e.Status, e.Reason, n)
		}
	}
	if sent+uncertain != patients || uncertain > 1 {
		t.Errorf("%d sent, %d uncertain of %d", sent, uncertain, patients)
	}
}
