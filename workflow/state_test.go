package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kindly/data"
	"kindly/internal/mailpittest"
	"kindly/internal/storetest"
)

// The review says where a campaign stands - one status line - and what
// the next Send does, in every state: ready, paused, interrupted, done,
// ready again for new members only, scheduled, nobody, blocked.
func TestCampaignStates(t *testing.T) {
	mp := mailpittest.Start(t)
	emails := make([]string, 12)
	for i := range emails {
		emails[i] = fmt.Sprintf("pat%d@example.com", i)
	}
	w := practice(t, append(emails, "")...) // one patient without an address
	ctx := context.Background()
	w.mustSettings(t, func(st *data.Settings) {
		st.Practice = data.Practice{Name: "Sunny Clinic", Address: "1 Main St", Phone: "555-0100", Email: "front@sunny.example"}
		st.Mail = data.MailAccount{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: data.TLSNone, From: "front@sunny.example"}
		st.Cap = data.Cap{Count: 0, Days: 30}
	})
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Flu", Segment: "Everyone", Template: "Flu shot"}, true); err != nil {
		t.Fatal(err)
	}
	state := func(want string, toSend int, text string) Review {
		t.Helper()
		rv, err := w.Review(ctx, "Flu")
		if err != nil {
			t.Fatal(err)
		}
		if rv.State != want || rv.ToSend != toSend || !strings.Contains(rv.StateText, text) {
			t.Fatalf("state %q, to send %d, %q; want %q, %d, %q", rv.State, rv.ToSend, rv.StateText, want, toSend, text)
		}
		return rv
	}
	rv := state(StateReady, 12, "Ready: 12 emails to send now, 1 patient skipped")
	if !rv.CanSend() || rv.Skipping != 1 {
		t.Fatalf("ready: %+v", rv)
	}
	rows, err := w.Recipients(ctx, "Flu")
	gets := 0
	for _, r := range rows {
		if r.Gets {
			gets++
		} else if r.Reason != "no email address" || r.Name != "Number13, Pat" {
			t.Errorf("skipped: %+v", r)
		}
	}
	if err != nil || len(rows) != 13 || gets != 12 {
		t.Fatalf("recipients: %d rows, %d get it, %v", len(rows), gets, err)
	}
	out := filepath.Join(t.TempDir(), "recipients.csv")
	if n, err := w.Export(ctx, ExportRequest{Kind: ExportRecipients, Name: "Flu", Out: out}, nil); err != nil || n != 13 {
		t.Fatalf("export: %d, %v", n, err)
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), "\"Number13, Pat\",,no,,,no email address,13") {
		t.Errorf("the export: %s", b)
	}

	// Paused after a few: Send goes on with what is left.
	paused, pause := context.WithCancelCause(ctx)
	if res, err := w.Send(paused, "Flu", SendOptions{Progress: func(p SendProgress) {
		if p.Sent >= 0 { // at the first report, before the first email
			pause(context.Canceled)
		}
	}}); err != nil || res.Status != data.CampaignPaused {
		t.Fatalf("pause: %+v, %v", res, err)
	}
	rv = state(StatePaused, 12-mp.Count(t), "Paused: ")
	if !rv.CanSend() || !strings.Contains(rv.StateText, "Send goes on where it stopped") {
		t.Fatalf("paused: %+v", rv)
	}
	// Patients who opt out after the queue was written are skipped at the
	// claim: the review counts them as skipped already, in its words and
	// its numbers alike, and the send sends exactly what it said.
	left := 12 - mp.Count(t)
	var optOut []data.Recipient
	_, rows, _ = w.ReviewAndRecipients(ctx, "Flu")
	for _, r := range rows {
		if r.Gets && len(optOut) < 2 {
			optOut = append(optOut, r)
		}
	}
	for _, r := range optOut {
		p, _ := w.store.Patient(ctx, r.PatientID)
		p.CareConsent = data.CareOptedOut
		if err := w.store.UpdatePatient(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	rv = state(StatePaused, left-2, "Paused: ")
	if !strings.Contains(rv.StateText, Emails(left-2)+" left") || !strings.Contains(fmt.Sprint(rv.Facts()), Patients(left-2)) {
		t.Errorf("paused after opt-outs: %q %v", rv.StateText, rv.Facts())
	}
	if b, _ := json.Marshal(rv); !strings.Contains(string(b), fmt.Sprintf(`"to_send":%d`, left-2)) {
		t.Errorf("JSON: %s", b)
	}

	// Kindly died while sending: the same, said as such.
	c, _ := w.Campaign(ctx, "Flu")
	w.store.SetCampaignStatus(ctx, c.ID, data.CampaignSending)
	state(StateSending, left-2, "Sending was interrupted")

	if res, err := w.Send(ctx, "Flu", SendOptions{}); err != nil || mp.Count(t) != 10 || res.Sent != left-2 {
		t.Fatalf("the rest: %+v, %v", res, err)
	}
	rv = state(StateDone, 0, "Done for this time: 10 sent, 3 skipped.")
	if rv.CanSend() || rv.Duration != 0 {
		t.Fatalf("done: %+v", rv)
	}
	// A second Send on a done campaign sends nobody again; a new patient
	// makes it ready for that one only.
	if res, err := w.Send(ctx, "Flu", SendOptions{}); err != nil || res.Sent != 0 || mp.Count(t) != 10 {
		t.Fatalf("send again: %+v, %v", res, err)
	}
	w.store.CreatePatient(ctx, &data.Patient{FirstName: "New", LastName: "Patient", Email: "new@example.com"})
	state(StateReady, 1, "Ready: 1 email to send now; already this time: 10 sent, 3 skipped.")

	// A season that is not due today: scheduled, with the next day.
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Flu", Segment: "Everyone", Template: "Flu shot",
		Schedule: ScheduleText{Kind: data.ScheduleSeason, From: "10-01", Until: "10-31"}}, false); err != nil {
		t.Fatal(err)
	}
	w.store.SetCampaignStatus(ctx, c.ID, data.CampaignScheduled)
	rv = state(StateScheduled, 0, "Scheduled: the next send is on Oct 1, 2027. Nothing is due today.")
	if rv.NextDue != "2027-10-01" || rv.CanSend() {
		t.Fatalf("scheduled: %+v", rv)
	}

	// A campaign on one day, sent: on a later day it is done and sends nobody.
	today, _ := w.store.Today(context.Background())
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Open day", Segment: "Everyone", Template: "Flu shot",
		Schedule: ScheduleText{Kind: data.ScheduleOnce, Date: today.String()}}, true); err != nil {
		t.Fatal(err)
	}
	if res, err := w.Send(ctx, "Open day", SendOptions{}); err != nil || res.Sent == 0 {
		t.Fatalf("open day: %+v, %v", res, err)
	}
	sentBefore := mp.Count(t)
	now := w.store.Now
	w.store.Now = func() time.Time { return now().AddDate(0, 0, 2) }
	w.store.CreatePatient(ctx, &data.Patient{FirstName: "Later", LastName: "Patient", Email: "later@example.com"})
	if rv, _ := w.Review(ctx, "Open day"); rv.State != StateDone || rv.CanSend() || !strings.HasSuffix(rv.StateText, "Nothing more is planned.") {
		t.Fatalf("a one-day campaign two days later: %q %q", rv.State, rv.StateText)
	}
	if _, err := w.Send(ctx, "Open day", SendOptions{}); !errors.Is(err, ErrNothingDue) || mp.Count(t) != sentBefore {
		t.Fatalf("sending it again: %v", err)
	}
	w.store.Now = now

	// Nobody, and blocked.
	if _, err := w.SaveSegment(ctx, "Nobody", data.Rule{Kind: data.KindAll, Rules: []data.Rule{{Kind: data.KindAge, Min: ptrInt(150)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Empty", Segment: "Nobody", Template: "Flu shot"}, true); err != nil {
		t.Fatal(err)
	}
	if rv, _ := w.Review(ctx, "Empty"); rv.State != StateNobody || rv.CanSend() {
		t.Fatalf("nobody: %+v", rv)
	}
	w.mustSettings(t, func(st *data.Settings) { st.Practice.Phone = "" })
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Recall", Segment: "Everyone", Template: "Flu shot"}, true); err != nil {
		t.Fatal(err)
	}
	if rv, _ := w.Review(ctx, "Recall"); rv.State != StateBlocked || rv.CanSend() || !strings.HasPrefix(rv.StateText, "Cannot send yet: ") {
		t.Fatalf("blocked: %+v", rv)
	}
}

func ptrInt(n int) *int { return &n }

// The sample practice is plausible - nobody is added or visits before
// being born - and comes with example campaigns the calendar shows.
func TestDemoPracticeIsPlausible(t *testing.T) {
	w := New(storetest.Open(t, time.Time{}))
	ctx := context.Background()
	if did, err := w.DemoIfEmpty(ctx, nil); err != nil || !did {
		t.Fatalf("demo: %v, %v", did, err)
	}
	ps, err := w.store.Patients(ctx, data.PatientQuery{IncludeArchived: true, Limit: 5000})
	if err != nil || len(ps) < 1000 {
		t.Fatalf("%d patients, %v", len(ps), err)
	}
	for _, p := range ps {
		if p.CreatedAt.Before(p.BirthDate.Time(time.UTC)) {
			t.Errorf("%s was added on %s, before being born on %s", p.DisplayName(), p.CreatedAt.Format("2006-01-02"), p.BirthDate)
		}
	}
	born := map[int64]data.Date{}
	for _, p := range ps {
		born[p.ID] = p.BirthDate
	}
	w.store.EachVisitKey(ctx, func(id int64, service, date string) {
		if date < born[id].String() {
			t.Errorf("patient #%d visited (%s) on %s, before being born on %s", id, service, date, born[id])
		}
	})
	rows, err := w.Campaigns(ctx)
	if err != nil || len(rows) != 3 {
		t.Fatalf("example campaigns: %+v, %v", rows, err)
	}
	today, _ := w.store.Today(context.Background())
	plan, err := w.Calendar(ctx, today, today.AddDays(365))
	if err != nil || len(plan.Entries) == 0 {
		t.Fatalf("the calendar of the sample practice is empty: %v", err)
	}
}
