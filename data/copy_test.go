package data

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"kindly/internal/pgtest"
)

// practice fills a store with a little of everything a practice keeps:
// patients with tags, visits and consent, segments, a template, a campaign
// with emails in every state, a bounce, a recall pause, a closed day, an
// appointment, the inbox's position and the audit log.
func practice(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	err := s.WithBatch(ctx, func(b *Batch) error {
		for i := 0; i < 300; i++ {
			p := Patient{FirstName: []string{"Anna", "Zoë", "Björn", "O'Brien"}[i%4], LastName: fmt.Sprintf("Müller%d", i),
				Email: fmt.Sprintf("p%d@example.com", i%250), Phone: fmt.Sprintf("+1 555 01%04d", i), Sex: []string{"F", "M", "X", ""}[i%4],
				BirthDate: Date{1940 + i%60, time.Month(1 + i%12), 1 + i%28}}
			if i%7 == 0 {
				p.PromoConsent, p.PromoSource = PromoOptedIn, "form"
			}
			if err := b.AddPatient(&p, []string{"Flu", "VIP", "diabetes-program"}[:i%4]...); err != nil {
				return err
			}
			if i%3 == 0 {
				if err := b.AddVisit(Visit{PatientID: p.ID, Date: Date{2025, time.Month(1 + i%12), 3}, Service: "Flu shot"}); err != nil {
					return err
				}
			}
		}
		return b.Audit("import", "300 patients")
	})
	if err != nil {
		t.Fatal(err)
	}
	seg, err := s.SaveSegment(ctx, "Flu", Rule{Kind: KindAll, Rules: []Rule{{Kind: KindTag, Op: "has", Value: "flu"}}})
	if err != nil {
		t.Fatal(err)
	}
	tpl := Template{Name: "Flu shot", Subject: "Flu shots are here", Body: "Dear {{first_name}}, ..."}
	if err := s.SaveTemplate(ctx, &tpl); err != nil {
		t.Fatal(err)
	}
	c := Campaign{Name: "Flu 2026", Purpose: PurposeCare, SegmentID: seg.ID, TemplateID: tpl.ID}
	if err := s.CreateCampaign(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if _, err := s.QueueCampaign(ctx, c, "2026-11-25", Rule{Kind: KindTag, Op: "has", Value: "flu"}, QueueOptions{BypassCap: true},
		func(p Patient) (Rendered, error) {
			return Rendered{Subject: "Flu shots", Text: "Dear " + p.FirstName}, nil
		}); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.NextQueuedBatch(ctx, c.ID, "2026-11-25", 4)
	if err != nil || len(msgs) < 4 {
		t.Fatal(msgs, err)
	}
	for i, status := range []string{StatusSent, StatusUncertain, StatusFailed} {
		if ok, _, err := s.ClaimForSending(ctx, msgs[i].ID, PurposeCare); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if err := s.MarkResult(ctx, msgs[i].ID, status, "as the test says"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.MarkRefused(ctx, msgs[3].ID, "550 5.1.1 no such user", true, "no such user"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRecallHold(ctx, c.ID, msgs[0].PatientID, RecallHold{OffUntil: Date{2027, 3, 1}, Reason: "abroad"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetClosedDay(ctx, Date{2026, 12, 24}, "Christmas Eve"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveInboxState(ctx, InboxState{Mailbox: "INBOX", UIDValidity: 7, LastUID: 42}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePatient(ctx, msgs[2].PatientID); err != nil {
		t.Fatal(err)
	}
}

// serverStore opens a new database on the throwaway server.
func serverStore(t *testing.T) *Store {
	t.Helper()
	srv := pgtest.Start(t)
	s, err := OpenServer(srv.NewDatabase(t, ""), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.Now = func() time.Time { return time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC) }
	s.backupDir = t.TempDir()
	return s
}

// fileStore opens a new Kindly file in the test's folder.
func fileStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "kindly.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.Now = func() time.Time { return time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC) }
	return s
}

// A practice's file copies onto the server whole (every table's rows and
// checksum agree), the server then finds, counts and adds as the file
// did, and the server's backup is a Kindly file that holds it all again.
func TestCopyFileToServerAndBack(t *testing.T) {
	ctx := context.Background()
	file := fileStore(t)
	setZone(t, file, "Europe/Berlin")
	practice(t, file)
	server := serverStore(t)
	var steps int
	copied, err := CopyStore(ctx, file, server, func(CopyProgress) { steps++ })
	if err != nil {
		t.Fatal(err)
	}
	if len(copied) != len(copiedTables) || steps < len(copiedTables) {
		t.Fatalf("%d tables copied, %d progress reports", len(copied), steps)
	}
	rows := map[string]int64{}
	for _, tc := range copied {
		rows[tc.Table] = tc.Rows
	}
	for table, least := range map[string]int64{"patients": 299, "visits": 99, "patient_tags": 400, "outbox": 50, "bounces": 1,
		"audit_log": 3, "recall_holds": 1, "closed_days": 1, "inbox_state": 1, "deleted_patients": 1, "settings": 2} {
		if rows[table] < least {
			t.Errorf("%s: %d rows copied, want at least %d", table, rows[table], least)
		}
	}
	// The same answers from both.
	for _, q := range []PatientQuery{{}, {Search: "zoe"}, {Search: "mull"}, {Search: "+1 555 01"}, {IncludeArchived: true}} {
		a, err1 := file.CountPatients(ctx, q)
		b, err2 := server.CountPatients(ctx, q)
		if err1 != nil || err2 != nil || a != b || a == 0 {
			t.Errorf("count %+v: file %d (%v), server %d (%v)", q, a, err1, b, err2)
		}
	}
	segs, _ := server.Segments(ctx)
	for _, seg := range segs {
		a, _ := file.SegmentCount(ctx, seg.Rule)
		b, err := server.SegmentCount(ctx, seg.Rule)
		if err != nil || a != b || a == 0 {
			t.Errorf("segment %q: file %d, server %d (%v)", seg.Name, a, b, err)
		}
	}
	if st, _ := server.Settings(ctx); st.TimeZone != "Europe/Berlin" {
		t.Errorf("the time zone did not come along: %q", st.TimeZone)
	}
	// New rows go on after the copied ones.
	p := Patient{FirstName: "New", LastName: "Patient"}
	if err := server.CreatePatient(ctx, &p); err != nil || p.ID <= 300 {
		t.Fatalf("a new patient on the server: id %d, %v", p.ID, err)
	}
	// A second copy into a server that has patients mixes nothing.
	if _, err := CopyStore(ctx, file, server, nil); !errors.Is(err, ErrTargetNotEmpty) {
		t.Fatalf("a copy into a database with patients: %v", err)
	}
	// The server's backup is a file with everything, the new patient too.
	path, err := server.Backup(ctx, "by hand")
	if err != nil {
		t.Fatal(err)
	}
	back, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if got, want := schema(t, back)["visits_insert"], schema(t, file)["visits_insert"]; got != want || want == "" {
		t.Errorf("the backup's visits trigger:\n%s\nwant the file's:\n%s", got, want)
	}
	for _, q := range []PatientQuery{{IncludeArchived: true}, {Search: "zoe"}, {Search: "new"}} {
		a, _ := server.CountPatients(ctx, q)
		b, err := back.CountPatients(ctx, q)
		if err != nil || a != b {
			t.Errorf("backup count %+v: server %d, backup %d (%v)", q, a, b, err)
		}
	}
	// And that file goes back onto an empty server as it is.
	again := serverStore(t)
	if _, err := CopyStore(ctx, back, again, nil); err != nil {
		t.Fatal(err)
	}
}
