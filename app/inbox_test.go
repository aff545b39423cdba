package app

import (
	"context"
	"net"
	"strings"
	"testing"

	"kindly/data"

	"fyne.io/fyne/v2/test"
)

// Today says what came back by mail and lists what the practice decides;
// a check that cannot reach the inbox says so on Today, without a dialog.
func TestTodayShowsTheInbox(t *testing.T) {
	u, w := newTestUI(t, 40)
	ctx := context.Background()
	closed, err := net.Listen("tcp", "127.0.0.1:0") // a port with nothing behind it once closed
	if err != nil {
		t.Fatal(err)
	}
	port := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	configure(t, u, 2525)
	st, _ := u.work.Settings(ctx)
	st.Mail.IMAPHost, st.Mail.IMAPPort, st.Mail.IMAPTLS = "127.0.0.1", port, data.TLSNone
	if err := u.work.SaveSettings(ctx, st, ""); err != nil {
		t.Fatal(err)
	}
	var withEmail []data.Patient
	ps, err := storeOf(u).Patients(ctx, data.PatientQuery{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Email != "" && p.PromoConsent != data.PromoOptedOut {
			withEmail = append(withEmail, p)
		}
	}
	if len(withEmail) < 2 {
		t.Fatal("the sample has too few addresses")
	}
	bounced, asking := withEmail[0], withEmail[1]
	if _, err := storeOf(u).ApplyFinding(ctx, data.Finding{Kind: data.FindingBounce, Address: bounced.Email, Hard: true, Reason: "the address does not exist"}); err != nil {
		t.Fatal(err)
	}
	if _, err := storeOf(u).ApplyFinding(ctx, data.Finding{Kind: data.FindingReview, From: "Pat <" + asking.Email + ">", Subject: "Re: Flu shots",
		Reason: "a reply that may ask to stop", Excerpt: "Please do not send me these."}); err != nil {
		t.Fatal(err)
	}

	onUI(u, func() { u.Show("Today") })
	waitFor(t, u, "the inbox line", func() bool {
		return strings.HasPrefix(u.today.inbox.Text, "Inbox: 1 bounced address, 0 opt-outs, 1 message to review.")
	})
	onUI(u, func() { test.Tap(u.today.check) })
	waitFor(t, u, "the failed check", func() bool {
		return strings.HasPrefix(u.today.found.Text, "The last check of the inbox failed: cannot reach the inbox server")
	})
	if top := w.Canvas().Overlays().Top(); top != nil {
		t.Fatalf("a failed check opened a dialog: %s", overlayText(w))
	}
	writeScreenshot(t, w, "today-inbox.png")

	onUI(u, func() { test.Tap(u.today.review) })
	waitFor(t, u, "the review list", func() bool { return strings.Contains(overlayText(w), "Please do not send me these.") })
	writeScreenshot(t, w, "inbox-review.png")
	onUI(u, func() { tapButton(t, w, "Opt out of promotions") })
	waitFor(t, u, "the decision", func() bool {
		return strings.Contains(u.today.inbox.Text, "1 opt-out,") || strings.Contains(u.today.inbox.Text, "1 opt-out.")
	})
	p, err := storeOf(u).Patient(ctx, asking.ID)
	if err != nil || p.PromoConsent != data.PromoOptedOut {
		t.Fatalf("after the decision: %+v, %v", p.PromoConsent, err)
	}
	onUI(u, func() {
		if u.today.review.Visible() {
			t.Error("the review button stayed with nothing to review")
		}
	})
}
