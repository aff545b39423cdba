package cli

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kindly/data"
	"kindly/internal/mailpittest"
)

// setupCampaign makes a practice with demo patients, a mail account on
// Mailpit and a care campaign to every patient.
func setupCampaign(t *testing.T, mp *mailpittest.Server, patients int) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "k.db")
	for _, args := range [][]string{
		{"demo", "--patients", fmt.Sprint(patients)},
		{"practice", "--name", "Sunny Clinic", "--address", "1 Main St", "--phone", "555-0100", "--email", "front@sunny.example"},
		{"account", "set", "--preset", "other", "--host", "127.0.0.1", "--port", fmt.Sprint(mp.SMTPPort), "--tls", "none",
			"--from", "Sunny Clinic <front@sunny.example>", "--per-minute", "0", "--per-day", "0"},
		{"segment", "Everyone", "--rules", `{"kind":"all"}`},
		{"campaign", "create", "Flu", "--purpose", "care", "--segment", "Everyone", "--template", "Flu shot"},
	} {
		if out, err := kindly(t, append([]string{"--db", db}, args...)...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	return db
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
