package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"kindly/cli"
	"kindly/data"
	"kindly/internal/mailpittest"
	"kindly/workflow"
)

// The same practice and campaign, driven once through the window's screens
// and once through the command line, get the same review, the same queue
// (every recipient, status and reason) and the same audit entries - sent
// and cancelled runs included.
func TestWindowAndCommandLineAgree(t *testing.T) {
	now := time.Date(2026, 10, 5, 14, 0, 0, 0, time.UTC) // a Monday in the flu season, 10:00 in New York
	clock := func() time.Time { return now }
	rule := data.Rule{Kind: data.KindAll, Rules: []data.Rule{{Kind: data.KindAge, Min: ptr(60)},
		{Kind: data.KindVisit, Service: "flu shot", Op: data.VisitNotSince, Month: 9}}}

	// The command line.
	mpCLI := mailpittest.Start(t)
	db := filepath.Join(t.TempDir(), "cli.db")
	kindly := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		env := cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Now: clock}
		if err := cli.Run(context.Background(), append([]string{"--db", db}, args...), env); err != nil {
			t.Fatalf("kindly %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		return out.String()
	}
	kindly("demo", "--patients", "150", "--seed", "3")
	kindly("practice", "--name", "Sunny Clinic", "--address", "1 Main Street, Springfield", "--phone", "555-0100", "--email", "front@sunny.example",
		"--time-zone", "America/New_York", "--subject-words", "shot")
	kindly("account", "set", "--preset", "other", "--host", "127.0.0.1", "--port", strconv.Itoa(mpCLI.SMTPPort), "--tls", "none",
		"--from", "Sunny Clinic <front@sunny.example>", "--per-minute", "0", "--per-day", "0")
	kindly("segment", "Flu 60+", "--rules", rule.JSON())
	kindly("campaign", "create", "Flu", "--segment", "Flu 60+", "--template", "Flu shot", "--season", "10-01", "--until", "10-31", "--hours", "9-17")
	kindly("campaign", "create", "Recall", "--segment", "Flu 60+", "--template", "Annual recall")
	var cliReview workflow.Review
	if err := json.Unmarshal([]byte(kindly("send", "Flu", "--dry-run", "--json")), &cliReview); err != nil {
		t.Fatal(err)
	}
	kindly("send", "Flu")

	// The window: the same demo patients; everything else through its screens.
	mpWin := mailpittest.Start(t)
	u, w := newTestUIAt(t, 150, now)
	defer onUI(nil, w.Close)
	onUI(u, func() { u.Show("Settings") })
	st := u.settings
	waitFor(t, u, "the settings", func() bool { return st.capCount.Text != "" })
	onUI(u, func() {
		typeSettings(st, "Sunny Clinic", mpWin.SMTPPort)
		st.words.SetText("shot")
		st.perMinute.SetText("0")
		st.perDay.SetText("0")
		st.onSave()
	})
	waitFor(t, u, "the saved settings", func() bool { return st.status.Text == "Saved." })
	onUI(u, func() { u.Show("Segments") })
	sg := u.segments
	onUI(u, func() { sg.edit("Flu 60+", rule); sg.onSave() })
	waitFor(t, u, "the saved segment", func() bool { return sg.saveMsg.Text == "Saved." })
	onUI(u, func() { u.Show("Campaigns") })
	cs := u.campaigns
	choices := formChoices{segments: []string{"Flu 60+"}, templates: []string{"Flu shot", "Annual recall"}}
	for _, spec := range []workflow.CampaignSpec{ // the one created last is chosen, and reviewed once
		{Name: "Recall", Purpose: data.PurposeCare, Segment: "Flu 60+", Template: "Annual recall"},
		{Name: "Flu", Purpose: data.PurposeCare, Segment: "Flu 60+", Template: "Flu shot",
			Schedule: workflow.ScheduleText{Kind: data.ScheduleSeason, From: "10-01", Until: "10-31", Hours: "9-17"}},
	} {
		onUI(u, func() { showCampaignForm(u, spec, true, choices, cs.onSaved).onSave() })
		waitFor(t, u, "the new campaign "+spec.Name, func() bool { return cs.lastReview.Campaign == spec.Name })
	}
	var winReview workflow.Review
	onUI(u, func() { winReview = cs.lastReview; cs.start("Flu") }) // the review before the send, as the command line's
	waitFor(t, u, "the send", func() bool { return strings.HasPrefix(cs.state.Text, "Done for this time:") })

	// The unfinished run of a campaign sent by hand, cancelled both ways.
	if _, err := u.work.Queue(context.Background(), "Recall"); err != nil {
		t.Fatal(err)
	}
	onUI(u, func() { cs.cancelRun("Recall") })
	waitFor(t, u, "the cancel", func() bool { return strings.HasPrefix(cs.status.Text, "Cancelled:") })
	cliStore, err := data.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer cliStore.Close()
	cliStore.Now = clock
	if _, err := workflow.New(cliStore).Queue(context.Background(), "Recall"); err != nil {
		t.Fatal(err)
	}
	kindly("send", "Recall", "--cancel")

	// The same review...
	winJSON, _ := json.Marshal(winReview)
	cliJSON, _ := json.Marshal(cliReview)
	if string(winJSON) != string(cliJSON) {
		t.Fatalf("reviews differ:\nwindow:       %s\ncommand line: %s", winJSON, cliJSON)
	}
	if cliReview.Recipients == 0 || len(cliReview.Samples) == 0 || !strings.Contains(strings.Join(cliReview.Warnings, " "), `"shot"`) {
		t.Fatalf("the review is not a real one: %+v", cliReview)
	}
	// ...the same queue, sent the same way...
	if a, b := outbox(t, storeOf(u)), outbox(t, cliStore); a != b {
		t.Fatalf("outboxes differ:\nwindow:\n%s\ncommand line:\n%s", a, b)
	}
	if n := mpWin.Count(t); n != mpCLI.Count(t) || n != cliReview.Recipients {
		t.Fatalf("%d emails from the window, %d from the command line, %d reviewed", n, mpCLI.Count(t), cliReview.Recipients)
	}
	// ...and the same audit log.
	if a, b := auditLog(t, storeOf(u)), auditLog(t, cliStore); a != b {
		t.Fatalf("audit logs differ:\nwindow:\n%s\ncommand line:\n%s", a, b)
	}
	for _, want := range []string{"queue: campaign \"Flu\"", "send: campaign \"Flu\", occurrence season-2026: ", "send: campaign \"Recall\", occurrence 2026-10-05: cancelled"} {
		if !strings.Contains(auditLog(t, cliStore), want) {
			t.Errorf("the audit log lacks %q", want)
		}
	}
	if c, _ := cliStore.CampaignByName(context.Background(), "Recall"); c.Status != data.CampaignDone {
		t.Errorf("a cancelled one-off run leaves the campaign %q", c.Status)
	}
}

// outbox lists every outbox row as text, without row ids.
func outbox(t *testing.T, s *data.Store) string {
	t.Helper()
	var b strings.Builder
	err := s.EachOutboxEntry(context.Background(), 0, func(e data.OutboxEntry) error {
		fmt.Fprintf(&b, "%s %s %d %s %s %q %s %q %s %s\n", e.Campaign, e.Occurrence, e.PatientID, e.PatientName, e.Email, e.Subject,
			e.Status, e.Reason, e.QueuedAt.Format(time.RFC3339), e.SentAt.Format(time.RFC3339))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// auditLog lists the audit entries as text, oldest first, without backups
// (the window takes a daily one).
func auditLog(t *testing.T, s *data.Store) string {
	t.Helper()
	entries, err := s.AuditLog(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for i := len(entries) - 1; i >= 0; i-- {
		if e := entries[i]; e.Action != "backup" {
			lines = append(lines, e.At.UTC().Format(time.RFC3339)+" "+e.Action+": "+e.Detail)
		}
	}
	return strings.Join(lines, "\n")
}
