package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"kindly/data"
	"kindly/internal/mailpittest"
	"kindly/internal/smtpfault"
)

// setupCampaign makes a practice with demo patients, a mail account on
// Mailpit and a care campaign to every patient.
func setupCampaign(t *testing.T, mp *mailpittest.Server, patients int) string {
	t.Helper()
	return setupCampaignOn(t, mp.SMTPPort, patients)
}

// setupCampaignOn is setupCampaign with the mail server on a local port.
func setupCampaignOn(t *testing.T, port, patients int) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "k.db")
	setupCampaignAt(t, db, port, patients)
	return db
}

// setupCampaignAt is setupCampaignOn in the database at db (a file, or a
// server's address).
func setupCampaignAt(t *testing.T, db string, port, patients int) {
	t.Helper()
	for _, args := range [][]string{
		{"demo", "--patients", fmt.Sprint(patients)},
		{"practice", "--name", "Sunny Clinic", "--address", "1 Main St", "--phone", "555-0100", "--email", "front@sunny.example"},
		{"account", "set", "--preset", "other", "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--tls", "none",
			"--from", "Sunny Clinic <front@sunny.example>", "--per-minute", "0", "--per-day", "0"},
		{"segment", "Everyone", "--rules", `{"kind":"all"}`},
		{"campaign", "create", "Flu", "--purpose", "care", "--segment", "Everyone", "--template", "Flu shot"},
	} {
		if out, err := kindly(t, append([]string{"--db", db}, args...)...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
}

func TestCLISendThroughMailpit(t *testing.T) {
	mp := mailpittest.Start(t)
	db := setupCampaign(t, mp, 60)
	out, err := kindly(t, "--db", db, "send", "Flu", "--dry-run")
	if err != nil || !strings.Contains(out, "Dry run, nothing sent") || strings.Count(out, "--- To:") != 3 {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if mp.Count(t) != 0 {
		t.Fatal("the dry run sent email")
	}
	if out, err := kindly(t, "--db", db, "send", "Flu", "--test"); err != nil || !strings.Contains(out, "Test email sent to front@sunny.example") {
		t.Fatalf("test send: %v\n%s", err, out)
	}
	if got := mp.Messages(t); len(got) != 1 || got[0].To[0].Address != "front@sunny.example" || !strings.HasPrefix(got[0].Subject, "[Test] ") {
		t.Fatalf("test message: %+v", got)
	}
	out, err = kindly(t, "--db", db, "send", "Flu")
	if err != nil {
		t.Fatalf("send: %v\n%s", err, out)
	}
	s, _ := data.Open(db)
	defer s.Close()
	c, _ := s.CampaignByName(context.Background(), "Flu")
	counts, _ := s.OutboxCounts(context.Background(), c.ID, "")
	if counts[data.StatusSent] == 0 || mp.Count(t) != counts[data.StatusSent]+1 {
		t.Fatalf("outbox %v, mailpit %d", counts, mp.Count(t))
	}
	if _, err := kindly(t, "--db", db, "send", "Flu", "--cancel"); err == nil {
		t.Fatal("cancelled a finished run")
	}
	out, err = kindly(t, "--db", db, "outbox", "Flu", "--json")
	if err != nil || !strings.Contains(out, fmt.Sprintf(`"sent": %d`, counts[data.StatusSent])) || !strings.Contains(out, `"status": "done"`) {
		t.Fatalf("outbox: %v\n%s", err, out)
	}
}

// Killing the sender at random moments, again and again, never mails a
// patient twice and never skips one: at most the message in flight at each
// kill is "uncertain" (and then never sent again).
func TestKilledSendingMailsEveryoneOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the sender as a subprocess many times")
	}
	mp := mailpittest.Start(t)
	db := setupCampaign(t, mp, 400)
	rng := rand.New(rand.NewPCG(7, 7))
	kills := 0
	for run := 0; run < 40; run++ {
		cmd := exec.Command(os.Args[0], "--db", db, "send", "Flu")
		cmd.Env = append(os.Environ(), "KINDLY_RUN_MAIN=1")
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until it is sending, then kill it after a random moment.
		r := bufio.NewReader(stderr)
		go func() {
			for {
				if _, err := r.ReadString('\r'); err != nil {
					return
				}
			}
		}()
		time.Sleep(time.Duration(20+rng.IntN(120)) * time.Millisecond)
		if cmd.Process.Kill() == nil {
			kills++
		}
		cmd.Wait()
		if cmd.ProcessState.Success() {
			break // it finished before the kill
		}
	}
	// A last run finishes the queue.
	cmd := exec.Command(os.Args[0], "--db", db, "send", "Flu")
	cmd.Env = append(os.Environ(), "KINDLY_RUN_MAIN=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}

	s, err := data.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	c, _ := s.CampaignByName(ctx, "Flu")
	counts, _ := s.OutboxCounts(ctx, c.ID, "")
	if counts[data.StatusQueued]+counts[data.StatusSending] != 0 {
		t.Fatalf("left unsent: %v", counts)
	}
	received := map[string]int{}
	for _, m := range mp.Messages(t) {
		if len(m.To) != 1 {
			t.Fatalf("a message has %d recipients", len(m.To))
		}
		received[m.To[0].Address]++
	}
	uncertain := 0
	err = s.EachOutboxEntry(ctx, c.ID, func(e data.OutboxEntry) error {
		got := received[e.Email]
		switch e.Status {
		case data.StatusSent:
			if got != 1 {
				t.Errorf("%s: status sent, received %d", e.Email, got)
			}
		case data.StatusSkipped: // no consent or no address: recorded with the reason, never sent
			if got != 0 || e.Reason == "" {
				t.Errorf("%s: skipped (%q), received %d", e.Email, e.Reason, got)
			}
		case data.StatusUncertain:
			uncertain++
			if got > 1 {
				t.Errorf("%s: uncertain, received %d", e.Email, got)
			}
		default:
			t.Errorf("%s: status %s", e.Email, e.Status)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if uncertain > kills {
		t.Fatalf("%d uncertain after %d kills", uncertain, kills)
	}
	if kills < 3 {
		t.Fatalf("only %d kills landed mid-run", kills)
	}
	t.Logf("%d kills, %d uncertain, %d sent", kills, uncertain, counts[data.StatusSent])
}

// deliveredOnce checks a campaign's every email against what the fault
// server received (deliveries, by address): a sent one once, an uncertain
// or still queued one at most once, a skipped one never, and nobody twice.
// It returns the addresses by the emails' status.
func deliveredOnce(t *testing.T, s *data.Store, campaignID int64, deliveries map[string]int) map[string][]string {
	t.Helper()
	byStatus := map[string][]string{}
	err := s.EachOutboxEntry(context.Background(), campaignID, func(e data.OutboxEntry) error {
		n := deliveries[e.Email]
		byStatus[e.Status] = append(byStatus[e.Status], e.Email)
		switch e.Status {
		case data.StatusSent:
			if n != 1 {
				t.Errorf("%s: sent, received %d", e.Email, n)
			}
		case data.StatusUncertain, data.StatusQueued:
			if n > 1 {
				t.Errorf("%s: %s, received %d", e.Email, e.Status, n)
			}
		case data.StatusSkipped:
			if n != 0 {
				t.Errorf("%s: skipped, received %d", e.Email, n)
			}
		default:
			t.Errorf("%s: %s (%s)", e.Email, e.Status, e.Reason)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for to, n := range deliveries {
		if n > 1 {
			t.Errorf("%s received %d emails", to, n)
		}
	}
	return byStatus
}

// sendProcess starts "kindly send Flu" as a separate process.
func sendProcess(t *testing.T, db string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "--db", db, "send", "Flu")
	cmd.Env = append(os.Environ(), "KINDLY_RUN_MAIN=1")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewReader(stderr)
}

// faultyAddresses gives every n-th demo patient one of the fault server's
// misbehaving addresses (kinds, in turn: "lost", "slow", "busy1").
func faultyAddresses(t *testing.T, s *data.Store, every int, kinds ...string) {
	t.Helper()
	ctx := context.Background()
	ps, err := s.Patients(ctx, data.PatientQuery{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	// Only the campaign's recipients (care reminders to everyone): who is
	// one depends on the sample practice and on today's date.
	i := 0
	for _, p := range ps {
		if may, _, err := s.MaySend(ctx, 0, p.ID, data.PurposeCare); err != nil {
			t.Fatal(err)
		} else if !may {
			continue
		}
		if i%every == 0 {
			p.Email = kinds[(i/every)%len(kinds)] + "-" + fmt.Sprint(i) + "@example.com"
			if err := s.UpdatePatient(ctx, &p); err != nil {
				t.Fatal(err)
			}
		}
		i++
	}
}

// Killed at random moments while the server loses replies, answers late,
// throttles and keeps mailboxes busy: every patient gets at most one email,
// the uncertain ones are the lost replies and the kills' emails in flight,
// and the rest is sent.
func TestKilledSendingUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the sender as a subprocess many times")
	}
	fs := smtpfault.Start(t)
	fs.SlowReply = 20 * time.Millisecond
	db := setupCampaignOn(t, fs.Port, 300)
	s, err := data.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	faultyAddresses(t, s, 17, "lost", "slow")
	s.Close() // one process owns the database: the senders below
	fs.Throttle(2)
	rng := rand.New(rand.NewPCG(9, 9))
	kills := 0
	for run := 0; run < 25; run++ {
		cmd, r := sendProcess(t, db)
		go func() {
			for {
				if _, err := r.ReadString('\r'); err != nil {
					return
				}
			}
		}()
		time.Sleep(time.Duration(30+rng.IntN(150)) * time.Millisecond)
		if cmd.Process.Kill() == nil {
			kills++
		}
		cmd.Wait()
		if cmd.ProcessState.Success() {
			break
		}
	}
	// A last run finishes the queue.
	cmd := exec.Command(os.Args[0], "--db", db, "send", "Flu")
	cmd.Env = append(os.Environ(), "KINDLY_RUN_MAIN=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	if s, err = data.Open(db); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	c, _ := s.CampaignByName(ctx, "Flu")
	emails := deliveredOnce(t, s, c.ID, fs.Deliveries())
	uncertain, lost := len(emails[data.StatusUncertain]), 0
	for _, e := range emails[data.StatusUncertain] {
		if strings.HasPrefix(e, "lost") {
			lost++
		}
	}
	if uncertain-lost > kills {
		t.Errorf("%d uncertain besides the %d lost replies, after %d kills", uncertain-lost, lost, kills)
	}
	t.Logf("%d kills, %d uncertain (%d lost replies)", kills, uncertain, lost)
}

// SIGTERM (a log-off or shutdown) pauses like Ctrl-C: the email in hand is
// finished, nothing becomes uncertain, and the next send goes on.
func TestTerminatedSendingPausesCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the sender as a subprocess")
	}
	fs := smtpfault.Start(t)
	fs.SlowReply = 50 * time.Millisecond
	db := setupCampaignOn(t, fs.Port, 120)
	s, err := data.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	faultyAddresses(t, s, 1, "slow") // every patient's server answers slowly
	s.Close()                        // one process owns the database: the sender below
	ctx := context.Background()
	cmd, r := sendProcess(t, db)
	if _, err := r.ReadString('\r'); err != nil { // sending has begun
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	rest, _ := io.ReadAll(r)
	err = cmd.Wait()
	if err == nil || !strings.Contains(string(rest), "Paused after") {
		t.Fatalf("after SIGTERM: %v\n%s", err, rest)
	}
	if s, err = data.Open(db); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, _ := s.CampaignByName(ctx, "Flu")
	counts, _ := s.OutboxCounts(ctx, c.ID, "")
	if counts[data.StatusUncertain] != 0 || counts[data.StatusSending] != 0 || counts[data.StatusQueued] == 0 || c.Status != data.CampaignPaused {
		t.Fatalf("after SIGTERM: %v, campaign %s", counts, c.Status)
	}
	if out, err := kindly(t, "--db", db, "send", "Flu"); err != nil {
		t.Fatalf("going on: %v %s", err, out)
	}
	for to, n := range fs.Deliveries() {
		if n != 1 {
			t.Errorf("%s received %d", to, n)
		}
	}
}

// The practice decides about uncertain emails from the command line.
func TestUncertainCommand(t *testing.T) {
	fs := smtpfault.Start(t)
	db := setupCampaignOn(t, fs.Port, 40)
	s, err := data.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	faultyAddresses(t, s, 50, "lost") // the first patient's reply is lost
	out, err := kindly(t, "--db", db, "send", "Flu")
	if err != nil || !strings.Contains(out, "1 email is uncertain") {
		t.Fatalf("send: %v\n%s", err, out)
	}
	out, err = kindly(t, "--db", db, "uncertain", "Flu")
	if err != nil || !strings.Contains(out, "lost-0@example.com") || !strings.Contains(out, "may have arrived") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	if _, err := kindly(t, "--db", db, "uncertain", "Flu", "--send-again", "9999"); err == nil {
		t.Fatal("an unknown id was accepted")
	}
	out, err = kindly(t, "--db", db, "uncertain", "Flu", "--send-again", "all")
	if err != nil || !strings.Contains(out, "1 uncertain email of") {
		t.Fatalf("send again: %v\n%s", err, out)
	}
	if _, err := kindly(t, "--db", db, "send", "Flu"); err != nil {
		t.Fatal(err)
	}
	if n := fs.Delivered("lost-0@example.com"); n != 2 {
		t.Fatalf("sent again on the practice's word: %d", n)
	}
	log, _ := s.AuditLog(context.Background(), 20)
	found := false
	for _, e := range log {
		found = found || strings.Contains(e.Detail, "1 uncertain email to be sent again by the practice")
	}
	if !found {
		t.Error("the decision is not in the audit log")
	}
}
