package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// practiceWithCampaign is a database with 10 patients with email, a
// segment of them all, a template and a care campaign, its occurrence
// queued (every email "queued").
func practiceWithCampaign(t *testing.T, path string) (*Store, Campaign) {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		p := Patient{LastName: fmt.Sprintf("Patient%d", i), FirstName: "Pat", Email: fmt.Sprintf("p%d@example.com", i)}
		if err := s.CreatePatient(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	seg, err := s.SaveSegment(ctx, "Everyone", Rule{Kind: KindAll, Rules: []Rule{{Kind: KindEmail, Op: "has"}}})
	if err != nil {
		t.Fatal(err)
	}
	tpl := Template{Name: "Flu", Subject: "Flu shots", Body: "Hello"}
	if err := s.SaveTemplate(ctx, &tpl); err != nil {
		t.Fatal(err)
	}
	c := Campaign{Name: "Flu", Purpose: PurposeCare, SegmentID: seg.ID, TemplateID: tpl.ID, Schedule: `{"kind":"once","date":"2026-12-01"}`}
	if err := s.CreateCampaign(ctx, &c); err != nil {
		t.Fatal(err)
	}
	queue(t, s, c, "2026-12-01", seg.Rule)
	return s, c
}

func queue(t *testing.T, s *Store, c Campaign, occ string, r Rule) {
	t.Helper()
	_, err := s.QueueCampaign(context.Background(), c, occ, r, QueueOptions{}, func(p Patient) (Rendered, error) {
		return Rendered{Subject: "Flu shots", Text: "Hello " + p.FirstName}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// sendSome marks the first n queued emails of a campaign sent.
func sendSome(t *testing.T, s *Store, c Campaign, occ string, n int) {
	t.Helper()
	ctx := context.Background()
	batch, err := s.NextQueuedBatch(ctx, c.ID, occ, n)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range batch {
		if err := s.MarkResult(ctx, m.ID, StatusSent, ""); err != nil {
			t.Fatal(err)
		}
	}
}

// byEmail is every email of a campaign: address -> status.
func byEmail(t *testing.T, s *Store, c Campaign) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err := s.EachOutboxEntry(context.Background(), c.ID, func(e OutboxEntry) error {
		out[e.Email] = e.Status
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// A restore goes back to the backup's patients, segments and campaigns,
// but never forgets what was sent after it (nothing is sent twice) or an
// opt-out recorded after it; campaigns are paused until the practice looks.
func TestRestoreKeepsWhatWasSentAndOptedOut(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kindly.db")
	s, c := practiceWithCampaign(t, path)
	sendSome(t, s, c, "2026-12-01", 5)
	backup, err := s.Backup(ctx, "before import")
	if err != nil {
		t.Fatal(err)
	}
	// After the backup: the rest is sent, patients opt out, one dies,
	// a new patient and a new campaign that sent to her.
	sendSome(t, s, c, "2026-12-01", 5)
	ps, _ := s.Patients(ctx, PatientQuery{})
	out, dnc, gone := ps[0], ps[1], ps[2]
	out.PromoConsent, out.CareConsent = PromoOptedOut, CareOptedOut
	dnc.DoNotContact = true
	for _, p := range []*Patient{&out, &dnc} {
		if err := s.UpdatePatient(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetArchived(ctx, gone.ID, true); err != nil {
		t.Fatal(err)
	}
	late := Patient{LastName: "Late", FirstName: "Lou", Email: "late@example.com"}
	s.CreatePatient(ctx, &late)
	c2 := Campaign{Name: "Recall", Purpose: PurposeCare, SegmentID: c.SegmentID, TemplateID: c.TemplateID, Schedule: `{"kind":"once","date":"2026-12-02"}`}
	if err := s.CreateCampaign(ctx, &c2); err != nil {
		t.Fatal(err)
	}
	seg, _ := s.SegmentByName(ctx, "Everyone")
	queue(t, s, c2, "2026-12-02", seg.Rule)
	sendSome(t, s, c2, "2026-12-02", 3)
	if err := s.SetCampaignStatus(ctx, c.ID, CampaignScheduled); err != nil {
		t.Fatal(err)
	}
	info, err := s.ScheduleRestore(ctx, backup)
	if err != nil || info.Patients != 10 {
		t.Fatalf("schedule: %+v %v", info, err)
	}
	s.Close()

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rep := s.LastRestore()
	if rep == nil || rep.Err != nil || rep.Patients != 10 || rep.Emails < 8 || rep.OptOuts != 3 || rep.Paused != 2 {
		t.Fatalf("report %+v", rep)
	}
	if !strings.Contains(rep.Summary(), "campaigns are paused") {
		t.Errorf("summary %q", rep.Summary())
	}
	// The backup's patients: Lou is gone.
	if n, _ := s.CountPatients(ctx, PatientQuery{IncludeArchived: true}); n != 10 {
		t.Errorf("%d patients after the restore", n)
	}
	// Every email of the first campaign is sent, none queued to go again.
	for email, status := range byEmail(t, s, c) {
		if status != StatusSent {
			t.Errorf("%s: %s after the restore", email, status)
		}
	}
	// The campaign made after the backup is back, paused, with its 3 sent emails.
	c2r, err := s.CampaignByName(ctx, "Recall")
	if err != nil || c2r.Status != CampaignPaused {
		t.Fatalf("Recall after the restore: %+v %v", c2r, err)
	}
	counts, _ := s.OutboxCounts(ctx, c2r.ID, "")
	// Lou, not in the backup, whose consent it does not know: never sent.
	if counts[StatusSent] != 3 || counts[StatusQueued] != 4 || counts[StatusSkipped] != 2 || counts[StatusCancelled] != 1 ||
		byEmail(t, s, c2r)["late@example.com"] != StatusCancelled {
		t.Errorf("Recall's emails: %v, Lou's %q", counts, byEmail(t, s, c2r)["late@example.com"])
	}
	if cr, _ := s.CampaignByName(ctx, "Flu"); cr.Status != CampaignPaused {
		t.Errorf("Flu is %s", cr.Status)
	}
	// Opt-outs, do-not-contact and archiving recorded after the backup stay.
	for _, want := range []Patient{out, dnc, gone} {
		got, err := s.Patient(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.PromoConsent != want.PromoConsent || got.CareConsent != want.CareConsent || got.DoNotContact != want.DoNotContact ||
			got.Archived != (want.ID == gone.ID) {
			t.Errorf("%s after the restore: %+v", want.LastName, got)
		}
	}
	// Today's database as it was is kept, Lou included.
	kept, err := Open(rep.KeptAs)
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Close()
	if n, _ := kept.CountPatients(ctx, PatientQuery{IncludeArchived: true}); n != 11 {
		t.Errorf("the kept database holds %d patients", n)
	}
	if log, _ := s.AuditLog(ctx, 50); !strings.Contains(fmt.Sprint(log), "restored") {
		t.Errorf("audit: %v", log)
	}
}

// What is not a whole Kindly backup is refused before anything changes,
// with the reason; a restore that cannot be done leaves today's data.
func TestRestoreRefusesWhatIsNotABackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "kindly.db")
	s, _ := practiceWithCampaign(t, path)
	defer func() { s.Close() }()
	random := filepath.Join(dir, "backups", "kindly-20261101-090000.000-daily.db")
	os.MkdirAll(filepath.Dir(random), 0o700)
	os.WriteFile(random, []byte(strings.Repeat("not a database ", 500)), 0o600)
	empty := filepath.Join(dir, "backups", "kindly-20261102-090000.000-daily.db")
	os.WriteFile(empty, nil, 0o600)
	newer := filepath.Join(dir, "newer.db")
	if err := copyDatabase(ctx, path, newer); err != nil {
		t.Fatal(err)
	}
	db, _ := sql.Open("sqlite", newer)
	db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (999, '2027-01-01')`)
	db.Close()
	for file, want := range map[string]string{random: "not a Kindly backup", empty: "empty", newer: "newer Kindly",
		filepath.Join(dir, "missing.db"): "cannot find"} {
		if _, err := s.ScheduleRestore(ctx, file); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", filepath.Base(file), err, want)
		}
	}
	if s.RestorePending() != "" {
		t.Fatal("a refused backup was scheduled")
	}
	if list, _ := s.Backups(); len(list) != 1 || list[0] != random {
		t.Errorf("backups listed: %q (an empty file is no backup)", list)
	}
	// Scheduled by hand (or by an older Kindly): checked again at start.
	os.WriteFile(restoreMarker(path), []byte(random), 0o600)
	s.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if rep := s.LastRestore(); rep == nil || rep.Err == nil || !strings.Contains(rep.Summary(), "was not restored") {
		t.Fatalf("report %+v", rep)
	}
	if n, _ := s.CountPatients(ctx, PatientQuery{}); n != 10 {
		t.Errorf("%d patients after a refused restore", n)
	}
	if s.RestorePending() != "" {
		t.Error("a failed restore is tried again at every start")
	}
}

// A row committed but still only in the journal (WAL) is in the copy of
// today's database a restore keeps.
func TestRestoreKeepsTheJournal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kindly.db")
	s, _ := practiceWithCampaign(t, path)
	backup, err := s.Backup(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	s.db.Exec(`PRAGMA wal_autocheckpoint = 0`)
	if err := s.CreatePatient(ctx, &Patient{LastName: "OnlyInTheJournal", Email: "j@example.com"}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path + "-wal"); err != nil || st.Size() == 0 {
		t.Fatalf("no journal: %v", err)
	}
	// The files as a Kindly that died (or a power cut) leaves them: the
	// row only in the journal.
	crashed := filepath.Join(t.TempDir(), "kindly.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(crashed+suffix, b, 0o600)
	}
	s.Close()
	os.WriteFile(restoreMarker(crashed), []byte(backup), 0o600)
	s, err = Open(crashed)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if rep := s.LastRestore(); rep == nil || rep.Err != nil {
		t.Fatalf("restore: %+v", rep)
	}
	kept, err := Open(s.LastRestore().KeptAs)
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Close()
	if ps, _ := kept.Patients(ctx, PatientQuery{Search: "OnlyInTheJournal"}); len(ps) != 1 {
		t.Error("the kept database lost the row that was in the journal")
	}
}

// One process owns a database: another sees a plain message (and a
// restore it would apply waits); the same process may open it again.
func TestOneProcessOwnsTheDatabase(t *testing.T) {
	if os.Getenv("KINDLY_HOLD_DB") != "" {
		s, err := Open(os.Getenv("KINDLY_HOLD_DB"))
		if err != nil {
			fmt.Println("cannot open:", err)
			os.Exit(1)
		}
		defer s.Close()
		fmt.Println("holding")
		time.Sleep(time.Minute)
		return
	}
	path := filepath.Join(t.TempDir(), "kindly.db")
	s, _ := practiceWithCampaign(t, path)
	ctx := context.Background()
	backup, _ := s.Backup(ctx, "test")
	again, err := Open(path) // the window and its command in one process
	if err != nil {
		t.Fatalf("the same process: %v", err)
	}
	again.Close()
	s.Close()

	child := exec.Command(os.Args[0], "-test.run=^TestOneProcessOwnsTheDatabase$")
	child.Env = append(os.Environ(), "KINDLY_HOLD_DB="+path)
	out, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	buf := make([]byte, 64)
	if n, _ := out.Read(buf); !strings.Contains(string(buf[:n]), "holding") {
		t.Fatalf("the other process: %q", buf[:n])
	}
	// A restore scheduled meanwhile must not swap the file under it.
	os.WriteFile(restoreMarker(path), []byte(backup), 0o600)
	if _, err := Open(path); !errors.Is(err, ErrOpenElsewhere) || !strings.Contains(err.Error(), "already using this database") {
		t.Fatalf("second process: %v", err)
	}
	if _, err := os.Stat(restoreMarker(path)); err != nil {
		t.Fatal("the restore did not wait")
	}
	child.Process.Kill()
	child.Wait()
	s, err = Open(path) // the owner is gone (killed): the lock went with it
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if rep := s.LastRestore(); rep == nil || rep.Err != nil {
		t.Fatalf("the waiting restore: %+v", rep)
	}
}

// Deleting a patient removes them everywhere but the counts: their emails
// keep their status without address or text, the audit log names a number,
// the search index forgets them.
func TestDeletedMeansGone(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kindly.db")
	s, c := practiceWithCampaign(t, path)
	defer s.Close()
	sendSome(t, s, c, "2026-12-01", 10)
	ps, _ := s.Patients(ctx, PatientQuery{Search: "Patient3"})
	if len(ps) != 1 {
		t.Fatal(ps)
	}
	if err := s.DeletePatient(ctx, ps[0].ID); err != nil {
		t.Fatal(err)
	}
	counts, _ := s.OutboxCounts(ctx, c.ID, "")
	if counts[StatusSent] != 10 {
		t.Errorf("counts after the deletion: %v", counts)
	}
	var leftover int
	s.db.QueryRow(`SELECT count(*) FROM outbox WHERE email LIKE '%p3@%' OR body_text LIKE '%Patient3%' OR subject != '' AND patient_id IS NULL`).Scan(&leftover)
	if leftover != 0 {
		t.Errorf("%d emails still hold the deleted patient's details", leftover)
	}
	log, _ := s.AuditLog(ctx, 50)
	if text := fmt.Sprint(log); strings.Contains(text, "Patient3") || !strings.Contains(text, fmt.Sprintf("patient #%d deleted", ps[0].ID)) {
		t.Errorf("audit: %s", text)
	}
	if found, _ := s.Patients(ctx, PatientQuery{Search: "Patient3"}); len(found) != 0 {
		t.Errorf("search still finds %v", found)
	}
	s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), "p3@example.com") {
		t.Error("the address is still in the database file")
	}
}

// Files an older Kindly made readable to others become owner-only.
func TestOldFilesBecomeOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix file modes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "kindly.db")
	s, _ := practiceWithCampaign(t, path)
	b, _ := s.Backup(context.Background(), "old")
	s.Close()
	for _, f := range []string{path, b} {
		os.Chmod(f, 0o644)
	}
	os.Chmod(filepath.Dir(b), 0o755)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for f, want := range map[string]os.FileMode{path: 0o600, b: 0o600, filepath.Dir(b): 0o700, path + "-wal": 0o600} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: %v %v", filepath.Base(f), st.Mode().Perm(), err)
		}
	}
}

// A restored database that does not open is taken out again: today's
// database comes back by itself, and the practice is told.
func TestRestoreRollsBackByItself(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kindly.db")
	s, _ := practiceWithCampaign(t, path)
	backup, _ := s.Backup(ctx, "test")
	s.CreatePatient(ctx, &Patient{LastName: "Today", FirstName: "Tod"})
	if _, err := s.ScheduleRestore(ctx, backup); err != nil {
		t.Fatal(err)
	}
	s.Close()
	defer func(was func(string) error) { verifyRestored = was }(verifyRestored)
	verifyRestored = func(string) error { return errors.New("disk I/O error") }
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rep := s.LastRestore()
	if rep == nil || rep.Err == nil || !strings.Contains(rep.Summary(), "today's database was put back") {
		t.Fatalf("report %+v", rep)
	}
	if n, _ := s.CountPatients(ctx, PatientQuery{}); n != 11 {
		t.Errorf("%d patients: today's database did not come back", n)
	}
}

// A deletion survives a restore: the newest backup, taken just before the
// patient was deleted, puts everyone back but that patient, whose emails
// keep their status without address or text.
func TestRestoreKeepsDeletionsDeleted(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kindly.db")
	s, c := practiceWithCampaign(t, path)
	sendSome(t, s, c, "2026-12-01", 5)
	ps, _ := s.Patients(ctx, PatientQuery{})
	gone := ps[0]
	empty := func() int {
		n := 0
		s.EachOutboxEntry(ctx, c.ID, func(e OutboxEntry) error {
			if e.Email == "" {
				n++
			}
			return nil
		})
		return n
	}
	before := empty()
	backup, err := s.Backup(ctx, "before deleting a patient")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePatient(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ScheduleRestore(ctx, backup); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rep := s.LastRestore()
	if rep == nil || rep.Err != nil || rep.Deleted != 1 || !strings.Contains(rep.Summary(), "1 patients deleted since the backup stay deleted") {
		t.Fatalf("restore: %+v", rep)
	}
	if _, err := s.Patient(ctx, gone.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the deleted patient came back: %v", err)
	}
	left, _ := s.Patients(ctx, PatientQuery{})
	if len(left) != len(ps)-1 {
		t.Errorf("%d patients, want %d", len(left), len(ps)-1)
	}
	wiped := 0
	err = s.EachOutboxEntry(ctx, c.ID, func(e OutboxEntry) error {
		if strings.EqualFold(e.Email, gone.Email) {
			t.Errorf("the deleted patient's email kept its address: %+v", e)
		}
		if e.Email == "" {
			wiped++
		}
		return nil
	})
	if err != nil || wiped != before+1 {
		t.Fatalf("%d emails without address, want %d and the deleted patient's (%v)", wiped, before, err)
	}
}

// A backup with a trigger Kindly did not make (one that undoes opt-outs)
// is refused, and today's database stays as it was.
func TestRestoreRefusesForeignSchemaObjects(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kindly.db")
	s, _ := practiceWithCampaign(t, path)
	backup, err := s.Backup(ctx, "daily")
	if err != nil {
		t.Fatal(err)
	}
	planted, err := sql.Open("sqlite", "file:"+backup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := planted.Exec(`CREATE TRIGGER undo_opt_out AFTER UPDATE OF promo_consent ON patients BEGIN
		UPDATE patients SET promo_consent = 'opted_in' WHERE id = NEW.id; END`); err != nil {
		t.Fatal(err)
	}
	planted.Close()
	before, _ := s.Patients(ctx, PatientQuery{})
	if _, err := s.ScheduleRestore(ctx, backup); err != nil {
		// Refused at once is as good as refused at the next start.
		if !strings.Contains(err.Error(), "trigger undo_opt_out") {
			t.Fatalf("schedule: %v", err)
		}
		return
	}
	s.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rep := s.LastRestore()
	if rep == nil || rep.Err == nil || !strings.Contains(rep.Err.Error(), "trigger undo_opt_out") {
		t.Fatalf("restore: %+v", rep)
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'undo_opt_out'`).Scan(&n)
	after, _ := s.Patients(ctx, PatientQuery{})
	if n != 0 || len(after) != len(before) {
		t.Errorf("the trigger is in today's database (%d) or patients changed (%d, %d)", n, len(before), len(after))
	}
}
