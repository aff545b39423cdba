package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// BackupInfo is a backup checked for restoring.
type BackupInfo struct {
	Path     string
	Schema   int // the newest migration it has
	Patients int
}

// CheckBackup says whether a file is a whole Kindly database this version
// can restore: it opens (read only), passes SQLite's integrity check, has
// Kindly's tables at a schema this version knows, and how many patients it
// holds - for the practice to see before it replaces today's data.
func CheckBackup(ctx context.Context, path string) (BackupInfo, error) {
	info := BackupInfo{Path: path}
	st, err := os.Stat(path)
	if err != nil {
		return info, fmt.Errorf("cannot find the backup: %w", err)
	}
	if st.Size() == 0 {
		return info, fmt.Errorf("%s is empty (a backup that failed): it cannot be restored", filepath.Base(path))
	}
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?mode=ro&"+url.Values{"_pragma": {"busy_timeout(10000)"}}.Encode())
	if err != nil {
		return info, err
	}
	defer db.Close()
	notKindly := fmt.Errorf("%s is not a Kindly backup, or it is damaged: it cannot be restored", filepath.Base(path))
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check(1)`).Scan(&check); err != nil || check != "ok" {
		return info, notKindly
	}
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&info.Schema); err != nil || info.Schema < 1 {
		return info, notKindly
	}
	if info.Schema > latestMigration() {
		return info, fmt.Errorf("%s was written by a newer Kindly (schema %d); update Kindly to restore it", filepath.Base(path), info.Schema)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM patients`).Scan(&info.Patients); err != nil {
		return info, notKindly
	}
	return info, nil
}

// ErrRestoreOnServer says the shared database is not replaced by a backup.
var ErrRestoreOnServer = &Problem{Kind: KindInvalid, Message: "the practice's shared database on the server is not replaced by a backup " +
	"while the practice's computers use it: put the backup into a new, empty database on the server, then connect each computer to that one"}

// restoreMarker names the file that asks the next Open to restore a backup.
func restoreMarker(dbPath string) string { return dbPath + ".restore-pending" }

// ScheduleRestore checks a backup and asks Kindly to put it in place the
// next time the database is opened by a process that owns it alone: a
// database in use is never replaced.
func (s *Store) ScheduleRestore(ctx context.Context, backup string) (BackupInfo, error) {
	info, err := CheckBackup(ctx, backup)
	if err != nil {
		return info, err
	}
	if s.eng.server {
		return info, ErrRestoreOnServer
	}
	if err := os.WriteFile(restoreMarker(s.path), []byte(backup), 0o600); err != nil {
		return info, fmt.Errorf("cannot schedule the restore: %w", err)
	}
	return info, s.Audit(ctx, "restore", fmt.Sprintf("scheduled from %s (%d patients)", filepath.Base(backup), info.Patients))
}

// RestorePending is the backup a restore waits to put in place ("" when none).
func (s *Store) RestorePending() string {
	b, _ := os.ReadFile(restoreMarker(s.path))
	return strings.TrimSpace(string(b))
}

// CancelRestore drops a scheduled restore.
func (s *Store) CancelRestore() error {
	if err := os.Remove(restoreMarker(s.path)); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

// RestoreReport is what a restore did, for the practice to read when
// Kindly starts.
type RestoreReport struct {
	From     string // the backup
	KeptAs   string // today's database as it was, kept as a backup
	Patients int
	// What today's database knew that the backup did not, carried over.
	Emails  int // emails whose sending state came from today's database
	OptOuts int // patients whose opt-outs, do-not-contact or archiving came over
	Paused  int // campaigns paused until the practice looks
	Deleted int // patients the backup has that were deleted since: deleted again
	Err     error
}

// LastRestore is the restore applied (or refused) when this store opened; nil when none.
func (s *Store) LastRestore() *RestoreReport { return s.restored }

// Summary says in a sentence what the restore did.
func (r *RestoreReport) Summary() string {
	if r.Err != nil {
		return fmt.Sprintf("The backup %s was not restored: %v. Your data is as it was.", filepath.Base(r.From), r.Err)
	}
	deleted := ""
	if r.Deleted > 0 {
		deleted = fmt.Sprintf(" %d patients deleted since the backup stay deleted.", r.Deleted)
	}
	return fmt.Sprintf("Restored %s (%d patients). Kept from before the restore: the state of %d emails and %d patients' opt-outs; "+
		"%d campaigns are paused until you look at them.%s The database as it was is kept as %s.",
		filepath.Base(r.From), r.Patients-r.Deleted, r.Emails, r.OptOuts, r.Paused, deleted, filepath.Base(r.KeptAs))
}

// applyPendingRestore puts a scheduled backup in place, before the
// database is opened, by a process that owns it alone. Today's database
// is kept as a backup first (through SQLite, with what its journal holds);
// the backup is checked, copied and upgraded; and what only today's
// database knows about sending and consent is carried over, so a restore
// never sends an email again or forgets an opt-out. If the result does
// not open, today's database goes back in place. A report is returned
// when a restore was pending.
func applyPendingRestore(path string) *RestoreReport {
	raw, err := os.ReadFile(restoreMarker(path))
	if err != nil {
		return nil
	}
	backup := strings.TrimSpace(string(raw))
	rep := &RestoreReport{From: backup}
	os.Remove(restoreMarker(path)) // tried once: a failing restore must not stop every start
	if rep.Err = restore(path, backup, rep); rep.Err != nil {
		return rep
	}
	return rep
}

func restore(path, backup string, rep *RestoreReport) error {
	ctx := context.Background()
	info, err := CheckBackup(ctx, backup)
	if err != nil {
		return err
	}
	rep.Patients = info.Patients
	dir := filepath.Join(filepath.Dir(path), "backups")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}

	// 1. Today's database, kept whole.
	var live *Store
	if fileExists(path) {
		if live, err = openFile(path); err != nil {
			return fmt.Errorf("today's database cannot be opened to keep it: %w", err)
		}
		defer func() {
			if live != nil {
				live.Close()
			}
		}()
		rep.KeptAs = filepath.Join(dir, "kindly-"+time.Now().UTC().Format("20060102-150405.000")+"-before-restore.db")
		if err := live.snapshot(ctx, rep.KeptAs); err != nil {
			return fmt.Errorf("today's database cannot be kept before restoring (%w); nothing was changed", mapError(err))
		}
	}

	// 2. The backup, copied and brought to this version's schema.
	restoring := path + ".restoring"
	os.Remove(restoring)
	os.Remove(restoring + "-wal")
	os.Remove(restoring + "-shm")
	defer os.Remove(restoring)
	if err := copyDatabase(ctx, backup, restoring); err != nil {
		return fmt.Errorf("the backup cannot be copied: %w", err)
	}
	next, err := openFile(restoring)
	if err != nil {
		return fmt.Errorf("the backup cannot be opened: %w", err)
	}
	if err := next.sameSchemaAsKindly(ctx); err != nil {
		next.Close()
		return err
	}

	// 3. What only today's database knows, carried over.
	if live != nil {
		if err := live.checkpoint(ctx); err != nil {
			next.Close()
			return err
		}
		live.Close()
		live = nil
		if err := next.carryOver(ctx, path, rep); err != nil {
			next.Close()
			return fmt.Errorf("what today's database knows about sending and opt-outs cannot be carried over (%w); nothing was changed", err)
		}
	}
	if err := next.Close(); err != nil {
		return err
	}

	// 4. In place; back out if it does not open.
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	if err := ReplaceFile(restoring, path); err != nil {
		return fmt.Errorf("the restored database cannot be put in place: %w", err)
	}
	err = verifyRestored(path)
	if err != nil && rep.KeptAs != "" {
		if berr := copyDatabase(ctx, rep.KeptAs, path+".back"); berr == nil {
			os.Remove(path + "-wal")
			os.Remove(path + "-shm")
			ReplaceFile(path+".back", path)
		}
		return fmt.Errorf("the restored database did not open (%v); today's database was put back", err)
	}
	return err
}

// verifyRestored checks that the database put in place opens and reads
// (tests replace it to see today's database come back).
var verifyRestored = func(path string) error {
	check, err := openFile(path)
	if err != nil {
		return err
	}
	defer check.Close()
	var ok string
	if err := check.db.QueryRow(`PRAGMA quick_check(1)`).Scan(&ok); err != nil {
		return err
	}
	if ok != "ok" {
		return errors.New(ok)
	}
	return nil
}

// copyDatabase copies a database file through SQLite (its journal
// included) to a new owner-only file.
func copyDatabase(ctx context.Context, from, to string) error {
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(from)+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	f, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	_, err = db.ExecContext(ctx, `VACUUM INTO ?`, to)
	return err
}

// checkpoint moves everything in the journal into the database file.
func (s *Store) checkpoint(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return mapError(err)
}

// sameSchemaAsKindly refuses a database that holds objects Kindly did not
// make: a trigger or view planted in a backup would live on after the
// restore (and could undo opt-outs). Tables and indexes are compared by
// name, triggers and views by name and SQL, against a new database of
// this version.
func (s *Store) sameSchemaAsKindly(ctx context.Context) error {
	dir, err := os.MkdirTemp(filepath.Dir(s.path), ".schema-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fresh, err := openFile(filepath.Join(dir, "kindly.db"))
	if err != nil {
		return err
	}
	want, err := fresh.schema(ctx)
	fresh.Close()
	if err != nil {
		return err
	}
	got, err := s.schema(ctx)
	if err != nil {
		return err
	}
	for key, sql := range got {
		if w, ok := want[key]; !ok || w != sql {
			return fmt.Errorf("the backup holds a database object Kindly does not make (%s): it is not restored, as it could change what Kindly does", key)
		}
	}
	for key := range want {
		if _, ok := got[key]; !ok {
			return fmt.Errorf("the backup lacks part of Kindly's database (%s): it is not restored", key)
		}
	}
	return nil
}

// schema is the database's objects: "type name" -> the SQL of triggers and
// views ("" for tables and indexes).
func (s *Store) schema(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT type, name, coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var typ, name, sql string
		if err := rows.Scan(&typ, &name, &sql); err != nil {
			return nil, err
		}
		if typ != "trigger" && typ != "view" {
			sql = ""
		}
		out[typ+" "+name] = strings.Join(strings.Fields(sql), " ")
	}
	return out, rows.Err()
}

// carryStep is one step of carryOver: a statement, and the report's count
// its changed rows add to (nil: none).
type carryStep struct {
	q   string
	add func(*RestoreReport) *int
}

// carryOverSteps carry what happened since the backup into it, in order.
var carryOverSteps = []carryStep{
	// Campaigns created after the backup that sent email come back (paused), so their emails stay known.
	{`INSERT INTO main.campaigns (id, name, purpose, segment_id, template_id, schedule, status, created_at, updated_at)
		SELECT l.id, l.name || CASE WHEN EXISTS (SELECT 1 FROM main.campaigns m WHERE m.name = l.name COLLATE NOCASE)
			THEN ' (from before the restore)' ELSE '' END,
			l.purpose,
			CASE WHEN EXISTS (SELECT 1 FROM main.segments g WHERE g.id = l.segment_id) THEN l.segment_id END,
			CASE WHEN EXISTS (SELECT 1 FROM main.templates t WHERE t.id = l.template_id) THEN l.template_id END,
			l.schedule, 'paused', l.created_at, l.updated_at
		FROM live.campaigns l
		WHERE l.id NOT IN (SELECT id FROM main.campaigns) AND EXISTS (SELECT 1 FROM live.outbox o WHERE o.campaign_id = l.id)`, nil},
	// Patients deleted since stay deleted: their emails keep their status
	// without address or text, as a deletion leaves them.
	{`INSERT OR IGNORE INTO main.deleted_patients SELECT * FROM live.deleted_patients`, nil},
	{`DELETE FROM main.outbox_bodies WHERE outbox_id IN (SELECT o.id FROM main.outbox o
		WHERE o.patient_id IN (SELECT patient_id FROM main.deleted_patients))`, nil},
	{`UPDATE main.outbox SET email = '', subject = '', body_text = '', body_html = '',
		reason = CASE WHEN reason = '' THEN '' ELSE 'patient deleted' END
		WHERE patient_id IN (SELECT patient_id FROM main.deleted_patients)`, nil},
	{`DELETE FROM main.patients WHERE id IN (SELECT patient_id FROM main.deleted_patients)`, func(r *RestoreReport) *int { return &r.Deleted }},
	// Emails both know: today's state wins (sent stays sent).
	{`UPDATE main.outbox AS m SET status = l.status, reason = l.reason, attempts = l.attempts, sent_at = l.sent_at, retry_at = l.retry_at
		FROM live.outbox l
		WHERE l.campaign_id = m.campaign_id AND l.occurrence = m.occurrence AND l.patient_id = m.patient_id
		AND (l.status != m.status OR l.sent_at IS NOT m.sent_at)`, func(r *RestoreReport) *int { return &r.Emails }},
	// Emails queued in the backup that today's database no longer has: never sent by surprise.
	{`UPDATE main.outbox AS m SET status = 'cancelled', reason = 'cancelled by a restore: not in the database it replaced'
		WHERE m.status IN ('queued', 'sending') AND NOT EXISTS (SELECT 1 FROM live.outbox l
			WHERE l.campaign_id = m.campaign_id AND l.occurrence = m.occurrence AND l.patient_id IS m.patient_id)`, nil},
	// Emails only today's database has (queued after the backup): kept as they are - unless their
	// patient is not in the backup, whose consent the restored database does not know.
	{`INSERT OR IGNORE INTO main.outbox (campaign_id, occurrence, patient_id, email, subject, body_text, body_html, status, reason,
			attempts, queued_at, sent_at, retry_at, cycle, reminder, appointment_id, appointment_at, family_of)
		SELECT l.campaign_id, l.occurrence, p.id, l.email, l.subject, l.body_text, l.body_html,
			CASE WHEN p.id IS NULL AND l.status IN ('queued', 'sending') THEN 'cancelled' ELSE l.status END,
			CASE WHEN p.id IS NULL AND l.status IN ('queued', 'sending') THEN 'cancelled by a restore: the patient is not in the backup'
				ELSE l.reason END,
			l.attempts, l.queued_at, l.sent_at, l.retry_at, l.cycle, l.reminder, l.appointment_id, l.appointment_at, l.family_of
		FROM live.outbox l LEFT JOIN main.patients p ON p.id = l.patient_id
		WHERE EXISTS (SELECT 1 FROM main.campaigns c WHERE c.id = l.campaign_id)
		AND NOT EXISTS (SELECT 1 FROM main.outbox m
			WHERE m.campaign_id = l.campaign_id AND m.occurrence = l.occurrence AND m.patient_id IS l.patient_id)`, func(r *RestoreReport) *int { return &r.Emails }},
	// Their bodies, to the rows just carried over.
	{`INSERT INTO main.outbox_bodies (outbox_id, body_text, body_html)
		SELECT m.id, b.body_text, b.body_html
		FROM main.outbox m JOIN live.outbox l ON l.campaign_id = m.campaign_id AND l.occurrence = m.occurrence AND l.patient_id IS m.patient_id
		JOIN live.outbox_bodies b ON b.outbox_id = l.id
		WHERE NOT EXISTS (SELECT 1 FROM main.outbox_bodies x WHERE x.outbox_id = m.id)`, nil},
	// Opt-outs, do-not-contact and archiving: the same patient (id and name), or the same address.
	{`UPDATE main.patients AS m SET
			care_consent = CASE WHEN l.care_consent = 'opted_out' THEN 'opted_out' ELSE m.care_consent END,
			care_changed_at = CASE WHEN l.care_consent = 'opted_out' AND m.care_consent != 'opted_out' THEN l.care_changed_at ELSE m.care_changed_at END,
			care_source = CASE WHEN l.care_consent = 'opted_out' AND m.care_consent != 'opted_out' THEN l.care_source ELSE m.care_source END,
			promo_consent = CASE WHEN l.promo_consent = 'opted_out' THEN 'opted_out' ELSE m.promo_consent END,
			promo_changed_at = CASE WHEN l.promo_consent = 'opted_out' AND m.promo_consent != 'opted_out' THEN l.promo_changed_at ELSE m.promo_changed_at END,
			promo_source = CASE WHEN l.promo_consent = 'opted_out' AND m.promo_consent != 'opted_out' THEN l.promo_source ELSE m.promo_source END,
			do_not_contact = max(m.do_not_contact, l.do_not_contact),
			archived = max(m.archived, l.archived),
			updated_at = ?
		FROM live.patients l
		WHERE (l.id = m.id AND lower(l.last_name) = lower(m.last_name) AND lower(l.first_name) = lower(m.first_name)
			OR l.email != '' AND l.email = m.email)
		AND (l.care_consent = 'opted_out' AND m.care_consent != 'opted_out' OR l.promo_consent = 'opted_out' AND m.promo_consent != 'opted_out'
			OR l.do_not_contact > m.do_not_contact OR l.archived > m.archived)`, func(r *RestoreReport) *int { return &r.OptOuts }},
	// Addresses that bounced for good stay unusable while they are the patient's address.
	{`UPDATE main.patients AS m SET email_bounced_at = l.email_bounced_at, email_bounce_reason = l.email_bounce_reason
		FROM live.patients l
		WHERE l.email_bounced_at IS NOT NULL AND m.email_bounced_at IS NULL AND l.email != '' AND l.email = m.email`, nil},
	{`INSERT INTO main.bounces (patient_id, email, at, hard, reason)
		SELECT CASE WHEN EXISTS (SELECT 1 FROM main.patients p WHERE p.id = l.patient_id) THEN l.patient_id END, l.email, l.at, l.hard, l.reason
		FROM live.bounces l WHERE l.at > (SELECT coalesce(max(at), '') FROM main.bounces)`, nil},
	// A recall paused or moved for a patient since stays so.
	{`INSERT OR IGNORE INTO main.recall_holds SELECT * FROM live.recall_holds l
		WHERE EXISTS (SELECT 1 FROM main.campaigns c WHERE c.id = l.campaign_id) AND EXISTS (SELECT 1 FROM main.patients p WHERE p.id = l.patient_id)`, nil},
	// The mailbox is not read twice.
	{`INSERT OR REPLACE INTO main.inbox_state SELECT * FROM live.inbox_state`, nil},
	// Until the practice looks, nothing goes out by itself.
	{`UPDATE main.campaigns SET status = 'paused', updated_at = ? WHERE status IN ('scheduled', 'sending')`, func(r *RestoreReport) *int { return &r.Paused }},
	// The history: what happened after the backup stays in the log.
	{`INSERT INTO main.audit_log (at, action, detail)
		SELECT at, action, detail FROM live.audit_log WHERE at > (SELECT coalesce(max(at), '') FROM main.audit_log) ORDER BY id`, nil},
}

// carryOver lays over this (restored) database what the database at live
// knows that a restore must not undo: the state of every email (sent,
// uncertain, failed - never sent again), and every opt-out, do-not-contact
// and archiving. Campaigns are paused until the practice looks.
func (s *Store) carryOver(ctx context.Context, live string, rep *RestoreReport) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS live`, live); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE live`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	exec := func(q string, args ...any) (int, error) {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		n, _ := res.RowsAffected()
		return int(n), nil
	}
	count := func(q string) (int, error) {
		var n int
		err := tx.QueryRowContext(ctx, q).Scan(&n)
		return n, err
	}
	now := time.Now().UTC().Format(time.RFC3339)
	for _, st := range carryOverSteps {
		var args []any
		if strings.Contains(st.q, "updated_at = ?") {
			args = append(args, now)
		}
		n, err := exec(st.q, args...)
		if err != nil {
			return mapError(err)
		}
		if st.add != nil {
			*st.add(rep) += n
		}
	}
	// Every campaign paused counts, not only those this restore paused.
	if rep.Paused, err = count(`SELECT count(*) FROM main.campaigns WHERE status = 'paused'`); err != nil {
		return err
	}
	if _, err := exec(`INSERT INTO main.audit_log (at, action, detail) VALUES (?, 'restore', ?)`, now,
		fmt.Sprintf("restored %s; kept from before: the state of %d emails, %d patients' opt-outs; campaigns paused",
			filepath.Base(rep.From), rep.Emails, rep.OptOuts)); err != nil {
		return err
	}
	return tx.Commit()
}
