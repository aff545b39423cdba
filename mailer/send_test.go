package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"kindly/data"
	"kindly/internal/mailpittest"
)

// Messages go through a real SMTP server, one recipient each, with the
// unsubscribe header, and read back through Mailpit's API.
func TestSendThroughMailpit(t *testing.T) {
	mp := mailpittest.Start(t)
	ctx := context.Background()
	conn, err := Dial(ctx, mailpitAccount(mp), practice)
	if err != nil {
		t.Fatal(err)
	}
	tpl := Starters[0]
	today := data.Date{Year: 2026, Month: 10, Day: 1}
	for i := 0; i < 5; i++ {
		m, err := tpl.Render(data.Patient{FirstName: fmt.Sprintf("Pat%d", i), LastName: "Smith", Email: fmt.Sprintf("pat%d@example.com", i)}, practice, today)
		if err != nil {
			t.Fatal(err)
		}
		if err := conn.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()

	got := mp.Messages(t)
	if len(got) != 5 {
		t.Fatalf("%d messages arrived, want 5", len(got))
	}
	for _, m := range got {
		if len(m.To) != 1 || len(m.Cc) != 0 || len(m.Bcc) != 0 {
			t.Fatalf("message %q has recipients To %v Cc %v Bcc %v", m.Subject, m.To, m.Cc, m.Bcc)
		}
		n := strings.TrimSuffix(strings.TrimPrefix(m.To[0].Address, "pat"), "@example.com")
		if !strings.Contains(m.Text, "Dear Pat"+n+",") || !strings.Contains(m.HTML, "Dear Pat"+n+",") {
			t.Errorf("message to %s greets someone else: %q", m.To[0].Address, m.Text)
		}
		if m.From.Address != "front@sunny.example" || m.Subject != "Your flu shot at Sunny Clinic" {
			t.Errorf("from %v subject %q", m.From, m.Subject)
		}
		h := mp.Headers(t, m.ID)
		if u := h["List-Unsubscribe"]; len(u) != 1 || u[0] != "<mailto:front@sunny.example?subject=unsubscribe>" {
			t.Errorf("List-Unsubscribe = %q", u)
		}
		// No header names any other patient.
		for name, vals := range h {
			for _, v := range vals {
				for j := 0; j < 5; j++ {
					other := fmt.Sprintf("pat%d@example.com", j)
					if other != m.To[0].Address && strings.Contains(v, other) {
						t.Errorf("header %s of the message to %s names %s", name, m.To[0].Address, other)
					}
				}
			}
		}
	}
}

func TestOneRecipientOnly(t *testing.T) {
	for _, to := range []string{"a@example.com, b@example.com", "a@example.com;b@example.com", "not an address", ""} {
		if _, err := build(Account{From: "front@sunny.example"}, practice, Message{To: to, Subject: "s", Text: "t"}); err == nil {
			t.Errorf("build accepted the recipient %q", to)
		}
	}
}

func TestDialExplainsUnreachableServer(t *testing.T) {
	port := mailpittest.FreePort(t) // nothing listens here
	_, err := Dial(context.Background(), Account{Host: "127.0.0.1", Port: port, TLS: TLSNone, From: "a@b.example", Password: "hunter2"}, practice)
	if err == nil || !strings.Contains(err.Error(), "cannot reach the mail server") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Fatal("the password appears in the error")
	}
}

func mailpitAccount(mp *mailpittest.Server) Account {
	return Account{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: TLSNone, From: "Sunny Clinic <front@sunny.example>", ReplyTimeout: 10 * time.Second}
}

func TestExplainServerReplies(t *testing.T) {
	acct := Account{Host: "smtp.office365.com", Port: 587, TLS: TLSStartTLS}
	for _, tc := range []struct {
		err   error
		want  string
		party Party
		hint  data.Hint
	}{
		{&textproto.Error{Code: 535, Msg: "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant"},
			"Sign in with Microsoft", PartySender, data.HintMicrosoftSignIn},
		{&textproto.Error{Code: 535, Msg: "5.7.139 Authentication unsuccessful, basic authentication is disabled."},
			"Sign in with Microsoft", PartySender, data.HintMicrosoftSignIn},
		{&textproto.Error{Code: 550, Msg: "5.7.30 Basic authentication is not supported for Client Submission."},
			"Sign in with Microsoft", PartySender, data.HintMicrosoftSignIn},
		{&textproto.Error{Code: 534, Msg: "5.7.9 Application-specific password required"}, "app password", PartySender, data.HintAppPassword},
		{&textproto.Error{Code: 535, Msg: "5.7.8 Username and Password not accepted"}, "did not accept the user name or password", PartySender, data.HintNone},
		{tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, "secure connection", PartySender, data.HintNone},
		{&net.DNSError{Err: "no such host", Name: "smtp.nowhere.example"}, "cannot reach the mail server", PartyConnection, data.HintNone},
		// An outage on a host whose name holds "auth" and "tls" is an outage.
		{&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "i/o timeout", Name: "auth.tls.example", IsTimeout: true}},
			"cannot reach the mail server", PartyConnection, data.HintNone},
		{&textproto.Error{Code: 421, Msg: "4.7.0 Try again later, closing connection"}, "cannot reach the mail server", PartyConnection, data.HintNone},
		{&textproto.Error{Code: 554, Msg: "5.7.1 Service unavailable; client host blocked"}, "the mail server said", PartySender, data.HintNone},
	} {
		v := readDialError(tc.err, true)
		err := explain(&DialError{Verdict: v, Err: tc.err}, acct)
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.err.Error()) || v.Party != tc.party || v.Hint != tc.hint {
			t.Errorf("%q -> %q (%v, hint %v), want it to say %q and keep the reply (%v, hint %v)", tc.err, err, v.Party, v.Hint, tc.want, tc.party, tc.hint)
		}
		var de *DialError
		if !errors.As(err, &de) || classifyDial(err).Party != tc.party {
			t.Errorf("%q: the sender reads it as %v", tc.err, classifyDial(err))
		}
	}
}

func TestPasswordFallsBackToEnvironment(t *testing.T) {
	// With no keychain entry, the environment variable is used.
	t.Setenv(PasswordEnv, "from-env")
	pw, err := Password(data.MailAccount{User: "nobody-" + t.Name(), Host: "smtp.example"})
	if err != nil || pw != "from-env" {
		t.Fatalf("password %q, %v", pw, err)
	}
	t.Setenv(PasswordEnv, "")
	_, err = Password(data.MailAccount{User: "nobody-" + t.Name(), Host: "smtp.example"})
	if hint, _ := data.HintOf(err); data.KindOf(err) != data.KindNotSetUp || hint != data.HintPassword {
		t.Fatalf("no password anywhere: %v (kind %v, hint %v)", err, data.KindOf(err), hint)
	}
}
