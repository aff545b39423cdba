package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kindly/internal/dovecottest"
	"kindly/internal/mailpittest"
	"kindly/mailer"
	"kindly/workflow"
)

// kindly inbox reads a real IMAP inbox (Dovecot) and says what it found;
// what it cannot match goes to the practice, and a second run reads
// nothing twice.
func TestCLIInbox(t *testing.T) {
	dv := dovecottest.Start(t)
	t.Setenv(mailer.PasswordEnv, dv.Password)
	db := setupCampaignOn(t, mailpittest.FreePort(t), 5)
	if _, err := kindly(t, "--db", db, "inbox"); !errors.Is(err, workflow.ErrNoInbox) || !strings.Contains(OneLine(err), "kindly account set --imap-host") {
		t.Fatalf("no inbox server: %v", err)
	}
	out, err := kindly(t, "--db", db, "account", "set", "--preset", "other", "--host", "127.0.0.1", "--port", "2525", "--tls", "none",
		"--user", dv.User, "--from", "Sunny Clinic <front@sunny.example>", "--imap-host", "127.0.0.1", "--imap-port", fmt.Sprint(dv.Port), "--imap-tls", "none")
	if err != nil || !strings.Contains(out, fmt.Sprintf("Inbox (bounces and opt-out replies): 127.0.0.1:%d (none).", dv.Port)) {
		t.Fatalf("account set: %v\n%s", err, out)
	}
	for _, f := range []string{"outlook-autoreply.eml", "yahoo-no-account.eml", "question-about-unsubscribing.eml"} {
		raw, err := os.ReadFile(filepath.Join("..", "mailer", "testdata", "inbox", f))
		if err != nil {
			t.Fatal(err)
		}
		dv.Deliver(t, raw)
	}
	out, err = kindly(t, "--db", db, "inbox")
	if err != nil || !strings.HasPrefix(out, "Read 3 new messages: 0 bounce reports about 0 addresses (0 addresses now unusable), 0 opt-outs, 2 messages to review; 0 delay notices, 1 auto-reply") ||
		!strings.Contains(out, "to review: a bounce for dave@yahoo.com, which no patient has") || !strings.Contains(out, "For you to decide (2):") ||
		!strings.Contains(out, `Gina Example <gina@example.com>  "My son's emails": may ask to stop`) {
		t.Fatalf("inbox: %v\n%s", err, out)
	}
	out, err = kindly(t, "--db", db, "inbox", "--json")
	var rep struct{ Read int }
	if err != nil || json.Unmarshal([]byte(out), &rep) != nil || rep.Read != 0 {
		t.Fatalf("second check: %v\n%s", err, out)
	}
}
