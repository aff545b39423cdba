package workflow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"kindly/data"
	"kindly/internal/dovecottest"
	"kindly/internal/mailpittest"
	"kindly/mailer"
)

// A campaign goes out (Mailpit); bounces, replies and auto-replies come
// back into a real IMAP inbox (Dovecot); the check matches each to the
// email it answers by Kindly's Message-ID and changes exactly what it
// should - once.
func TestCheckInbox(t *testing.T) {
	mp := mailpittest.Start(t)
	dv := dovecottest.Start(t)
	t.Setenv(mailer.PasswordEnv, dv.Password) // no keychain on this machine
	w := practice(t, "ann@example.org", "bob@example.net", "erin@example.com", "gina@example.com")
	ctx := context.Background()
	w.mustSettings(t, func(st *data.Settings) {
		st.Practice = data.Practice{Name: "Sunny Clinic", Address: "1 Main St", Phone: "555-0100", Email: "front@sunny.example"}
		st.Mail = data.MailAccount{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: data.TLSNone, From: "front@sunny.example"}
	})
	if _, err := w.CheckInbox(ctx, nil); !errors.Is(err, ErrNoInbox) || data.KindOf(err) != data.KindNotSetUp {
		t.Fatalf("no inbox server: %v", err)
	}
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Flu", Segment: "Everyone", Template: "Flu shot"}, true); err != nil {
		t.Fatal(err)
	}
	if res, err := w.Send(ctx, "Flu", SendOptions{}); err != nil || res.Sent != 4 {
		t.Fatalf("send: %+v, %v", res, err)
	}
	tag, _ := w.store.MessageTag(ctx)
	sent := map[string]data.OutboxEntry{}
	w.store.EachOutboxEntry(ctx, 0, func(e data.OutboxEntry) error { sent[e.Email] = e; return nil })
	// What went out carries Kindly's Message-ID.
	for _, m := range mp.Messages(t) {
		h := mp.Headers(t, m.ID)
		want := "<" + mailer.MessageID(sent[m.To[0].Address].ID, tag, "front@sunny.example") + ">"
		if got := h["Message-Id"]; len(got) != 1 || got[0] != want {
			t.Errorf("Message-ID of the email to %s: %q, want %q", m.To[0].Address, got, want)
		}
	}

	w.mustSettings(t, func(st *data.Settings) {
		st.Mail.User, st.Mail.IMAPHost, st.Mail.IMAPPort, st.Mail.IMAPTLS = dv.User, "127.0.0.1", dv.Port, data.TLSNone
	})
	// The fixtures answer emails 42-48 of the database tagged a1b2c3d4e5f6:
	// make them answer this database's emails.
	deliver := func(file, to string) {
		raw, err := os.ReadFile(filepath.Join("..", "mailer", "testdata", "inbox", file))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []int{42, 43, 44, 45, 46, 47, 48} {
			raw = bytes.ReplaceAll(raw, []byte(fmt.Sprintf("kindly.%d.a1b2c3d4e5f6@", id)), []byte(fmt.Sprintf("kindly.%d.%s@", sent[to].ID, tag)))
		}
		dv.Deliver(t, raw)
	}
	deliver("postfix-user-unknown.eml", "ann@example.org")          // hard: Ann's address is unusable
	deliver("exim-mailbox-full.eml", "bob@example.net")             // soft: counted
	deliver("reply-unsubscribe.eml", "erin@example.com")            // Erin asks to stop
	deliver("outlook-autoreply.eml", "ann@example.org")             // nothing
	deliver("reply-ordinary.eml", "ann@example.org")                // nothing
	deliver("newsletter.eml", "")                                   // nothing
	deliver("question-about-unsubscribing.eml", "gina@example.com") // the practice decides

	rep, err := w.CheckInbox(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := InboxReport{Read: 7, BounceReports: 2, Bounced: 2, Unusable: 1, OptOuts: 1, Review: 1, AutoReplies: 1, Replies: 1, Other: 1}
	rep.Lines, want.Lines = nil, nil
	if !reflect.DeepEqual(rep, want) {
		t.Fatalf("report %+v\nwant   %+v", rep, want)
	}
	patient := func(email string) data.Patient {
		e := sent[email]
		p, err := w.store.Patient(ctx, e.PatientID)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if ann := patient("ann@example.org"); ann.EmailBouncedAt.IsZero() || ann.EmailBounceReason != "the address does not exist" || ann.Email != "ann@example.org" {
		t.Errorf("Ann after a hard bounce: %+v", ann)
	}
	if bob := patient("bob@example.net"); !bob.EmailBouncedAt.IsZero() {
		t.Errorf("one soft bounce made Bob's address unusable")
	}
	// Erin asked to stop in answer to a care reminder: the opt-out is from
	// what she answered, care reminders (and promotions with them).
	if erin := patient("erin@example.com"); erin.PromoConsent != data.PromoOptedOut || erin.CareConsent != data.CareOptedOut || erin.CareSource != "opt-out reply" {
		t.Errorf("Erin after asking to stop: %+v", erin)
	}
	if gina := patient("gina@example.com"); gina.PromoConsent == data.PromoOptedOut || gina.CareConsent != data.CareAllowed {
		t.Errorf("Gina's question changed her consent: %+v", gina)
	}
	statuses := map[string]string{}
	w.store.EachOutboxEntry(ctx, 0, func(e data.OutboxEntry) error { statuses[e.Email] = e.Status + ": " + e.Reason; return nil })
	if !strings.HasPrefix(statuses["ann@example.org"], "bounced: hard bounce: the address does not exist") ||
		!strings.HasPrefix(statuses["bob@example.net"], "bounced: soft bounce: the patient's mailbox is full") || !strings.HasPrefix(statuses["erin@example.com"], "sent") {
		t.Errorf("outbox: %q", statuses)
	}
	if items, _ := w.InboxReview(ctx); len(items) != 1 || items[0].From != "Gina Example <gina@example.com>" {
		t.Errorf("review list: %+v", items)
	}

	// Each message counts once: the next check reads only what is new.
	if rep, err := w.CheckInbox(ctx, nil); err != nil || rep.Read != 0 {
		t.Fatalf("second check: %+v, %v", rep, err)
	}
	// Soft bounces add up by day: two more the same day change nothing,
	// a third day does (two reports about one address count once).
	deliver("exim-mailbox-full.eml", "bob@example.net")
	deliver("exim-mailbox-full.eml", "bob@example.net")
	if rep, err := w.CheckInbox(ctx, nil); err != nil || rep.Read != 2 || rep.BounceReports != 2 || rep.Bounced != 1 || rep.Unusable != 0 {
		t.Fatalf("soft bounces on one day: %+v, %v", rep, err)
	}
	today := w.store.Now()
	w.store.Now = func() time.Time { return today.AddDate(0, 0, 1) }
	deliver("exim-mailbox-full.eml", "bob@example.net")
	if rep, err := w.CheckInbox(ctx, nil); err != nil || rep.Read != 1 || rep.Unusable != 0 {
		t.Fatalf("a second day: %+v, %v", rep, err)
	}
	w.store.Now = func() time.Time { return today.AddDate(0, 0, 2) }
	deliver("exim-mailbox-full.eml", "bob@example.net")
	if rep, err := w.CheckInbox(ctx, nil); err != nil || rep.Read != 1 || rep.Bounced != 1 || rep.Unusable != 1 {
		t.Fatalf("a third day: %+v, %v", rep, err)
	}
	if bob := patient("bob@example.net"); bob.EmailBouncedAt.IsZero() || !strings.HasPrefix(bob.EmailBounceReason, "temporary failures on 3 different days") {
		t.Errorf("Bob after soft bounces on three days: %q", bob.EmailBounceReason)
	}

	// The next campaign skips the bounced addresses, saying why; a new
	// address is a fresh start.
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Recall", Segment: "Everyone", Template: "Flu shot"}, true); err != nil {
		t.Fatal(err)
	}
	ann := patient("ann@example.org")
	ann.Email = "ann.new@example.org"
	if err := w.store.UpdatePatient(ctx, &ann); err != nil {
		t.Fatal(err)
	}
	if ann = patient("ann@example.org"); !ann.EmailBouncedAt.IsZero() || ann.EmailBounceReason != "" {
		t.Errorf("a new address kept the old one's bounce: %+v", ann)
	}
	before := mp.Count(t)
	res, err := w.Send(ctx, "Recall", SendOptions{})
	if err != nil || res.Sent != 2 || mp.Count(t) != before+2 {
		t.Fatalf("recall: %+v, %v", res, err)
	}
	var skipped []string
	w.store.EachOutboxEntry(ctx, 0, func(e data.OutboxEntry) error {
		if e.Campaign == "Recall" && e.Status == data.StatusSkipped {
			skipped = append(skipped, e.Email+" "+e.Reason)
		}
		return nil
	})
	sort.Strings(skipped)
	if len(skipped) != 2 || !strings.HasPrefix(skipped[0], "bob@example.net the address bounced: temporary failures on 3 different days") ||
		skipped[1] != "erin@example.com opted out of care reminders" {
		t.Errorf("skipped: %q", skipped)
	}
	log, _ := w.store.AuditLog(ctx, 20)
	if text := fmt.Sprint(log); !strings.Contains(text, "hard bounce for ann@example.org") || !strings.Contains(text, "opted out of all email (care reminders too) (opt-out reply)") {
		t.Errorf("audit: %s", text)
	}

	// Today's totals (Bob's address; Ann has a new one), and the practice's decision about Gina's question.
	tot, err := w.InboxTotals(ctx)
	if err != nil || tot.Bounced != 1 || tot.OptOuts != 1 || tot.ToReview != 1 || tot.LastChecked.IsZero() {
		t.Fatalf("totals %+v, %v", tot, err)
	}
	items, _ := w.InboxReview(ctx)
	if _, err := w.DecideReview(ctx, items[0].ID, "maybe"); err == nil {
		t.Fatal("an unknown decision was taken")
	}
	line, err := w.DecideReview(ctx, items[0].ID, data.DecideOptOutAll)
	if err != nil || !strings.Contains(line, "gina@example.com opted out of all email") {
		t.Fatalf("decision: %q, %v", line, err)
	}
	if gina := patient("gina@example.com"); gina.PromoConsent != data.PromoOptedOut || gina.CareConsent != data.CareOptedOut {
		t.Errorf("Gina after the practice's decision: %+v", gina)
	}
	if _, err := w.DecideReview(ctx, items[0].ID, data.DecideNothing); !errors.Is(err, data.ErrReviewDecided) {
		t.Errorf("deciding twice: %v", err)
	}
	if tot, _ := w.InboxTotals(ctx); tot.OptOuts != 2 || tot.ToReview != 0 {
		t.Errorf("totals after the decision: %+v", tot)
	}
}

// When the practice turns it on, what Kindly handled is moved to a folder
// of its own; what the practice decides, and everything else, stays. A
// check that stops half-way never counts a message twice.
func TestInboxMovesHandledMailAndCountsOnce(t *testing.T) {
	dv := dovecottest.Start(t)
	t.Setenv(mailer.PasswordEnv, dv.Password)
	w := practice(t, "ann@example.org", "bob@example.net", "erin@example.com")
	ctx := context.Background()
	w.mustSettings(t, func(st *data.Settings) {
		st.Practice = data.Practice{Name: "Sunny Clinic", Address: "1 Main St", Phone: "555-0100", Email: "front@sunny.example"}
		st.Mail = data.MailAccount{Host: "127.0.0.1", Port: 2525, TLS: data.TLSNone, User: dv.User, From: "front@sunny.example",
			IMAPHost: "127.0.0.1", IMAPPort: dv.Port, IMAPTLS: data.TLSNone}
	})
	deliver := func(files ...string) {
		for _, f := range files {
			raw, err := os.ReadFile(filepath.Join("..", "mailer", "testdata", "inbox", f))
			if err != nil {
				t.Fatal(err)
			}
			dv.Deliver(t, raw)
		}
	}
	// Bob's mailbox is full three times; the check stops after the second.
	deliver("exim-mailbox-full.eml", "exim-mailbox-full.eml", "reply-ordinary.eml", "exim-mailbox-full.eml")
	stopped, stop := context.WithCancel(ctx)
	_, err := w.CheckInbox(stopped, func(read int) {
		if read == 2 {
			stop()
		}
	})
	if err == nil {
		t.Fatal("the stopped check said nothing")
	}
	rep, err := w.CheckInbox(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	soft := 0
	log, _ := w.store.AuditLog(ctx, 100)
	for _, e := range log {
		if strings.Contains(e.Detail, "soft bounce for bob@example.net") {
			soft++
		}
	}
	if soft != 3 {
		t.Errorf("3 bounces were counted %d times (the second check read %d)", soft, rep.Read)
	}
	if dv.Count(t, "INBOX") != 4 || dv.Count(t, "Kindly") != 0 {
		t.Fatalf("without the setting the inbox changed: %d in INBOX, %d moved", dv.Count(t, "INBOX"), dv.Count(t, "Kindly"))
	}

	w.mustSettings(t, func(st *data.Settings) { st.Mail.InboxMoveTo = "Kindly" })
	deliver("postfix-user-unknown.eml", "reply-unsubscribe.eml", "question-about-unsubscribing.eml", "newsletter.eml")
	rep, err = w.CheckInbox(ctx, nil)
	if err != nil || rep.Read != 4 || rep.Moved != 1 || rep.Review != 2 {
		t.Fatalf("check with moving: %+v, %v", rep, err)
	}
	if in, moved := dv.Count(t, "INBOX"), dv.Count(t, "Kindly"); in != 7 || moved != 1 {
		t.Errorf("%d in INBOX (want 7: the replies to review and the newsletter stay), %d moved (want the bounce)", in, moved)
	}
	if rep, err := w.CheckInbox(ctx, nil); err != nil || rep.Read != 0 {
		t.Errorf("after moving, the next check read %+v, %v", rep, err)
	}
}

// The patient's page says why and since when an address is not used.
func TestBounceNote(t *testing.T) {
	p := data.Patient{Email: "ann@example.org"}
	if BounceNote(p, "") != "" {
		t.Error("a usable address has a note")
	}
	p.EmailBouncedAt, p.EmailBounceReason = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), "the address does not exist"
	if n := BounceNote(p, "3 Dec 2026 09:00"); !strings.Contains(n, "since 3 Dec 2026 09:00") || !strings.Contains(n, "does not exist") || !strings.Contains(n, "until the address is changed") {
		t.Errorf("note %q", n)
	}
}
