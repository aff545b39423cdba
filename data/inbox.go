package data

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"
)

// MessageTag is this database's own part of Kindly's Message-IDs, made on
// first use: a bounce or reply quoting it answers an email of this
// database.
func (s *Store) MessageTag(ctx context.Context) (string, error) {
	// Read first: a read is never kept waiting by another writer.
	if tag, err := s.setting(ctx, keyMessageTag, ""); err != nil || tag != "" {
		return tag, err
	}
	b := make([]byte, 6)
	rand.Read(b)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING`, keyMessageTag, hex.EncodeToString(b)); err != nil {
		return "", mapError(err)
	}
	return s.setting(ctx, keyMessageTag, "")
}

// InboxState is how far the inbox check has read a mailbox: every message
// up to LastUID of this UIDValidity (a new UIDValidity starts over).
type InboxState struct {
	Mailbox     string
	UIDValidity uint32
	LastUID     uint32
}

// InboxState returns what was read of mailbox under uidValidity (LastUID 0
// when nothing yet).
func (s *Store) InboxState(ctx context.Context, mailbox string, uidValidity uint32) (InboxState, error) {
	st := InboxState{Mailbox: mailbox, UIDValidity: uidValidity}
	err := s.db.QueryRowContext(ctx, `SELECT last_uid FROM inbox_state WHERE mailbox = ? AND uidvalidity = ?`, mailbox, uidValidity).Scan(&st.LastUID)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return st, mapError(err)
}

// Kinds of what came back.
const (
	FindingBounce    = "bounce"    // the email did not arrive
	FindingComplaint = "complaint" // the patient marked it as spam (a feedback report)
	FindingOptOut    = "opt-out"   // the patient asked to stop
	FindingReview    = "review"    // Kindly cannot tell for sure: the practice decides
	FindingDelayed   = "delayed"   // delivery is still being tried: recorded, nothing changes
)

// Finding is one message of the inbox that changes something, as the
// mailer read it.
type Finding struct {
	Kind string
	// OutboxIDs are the emails it answers (from Kindly's Message-IDs).
	OutboxIDs []int64
	// Address is the recipient that bounced or complained, or the sender
	// of a reply.
	Address string
	Hard    bool   // a bounce that will not pass on a later try
	Reason  string // in plain words: "the address does not exist"
	// AllEmail: the patient asked for no email at all (care reminders too).
	AllEmail bool
	// The message, for the review list and the audit log.
	From, Subject, Excerpt string
	Received               time.Time
}

// Soft bounces on SoftBounceLimit different days within SoftBounceDays
// make an address unusable.
const (
	SoftBounceLimit = 3
	SoftBounceDays  = 30
)

// InboxOutcome says what one finding changed.
type InboxOutcome struct {
	Patients []int64 // the patients it concerns
	Unusable bool    // their address is now unusable
	OptedOut bool
	Review   bool   // listed for the practice
	Summary  string // one line, for the report
}

// ApplyFinding records what came back, in one transaction with its audit
// entry: a hard bounce (or the third soft one in 30 days) makes the
// address unusable for every patient who has it, the email "bounced";
// a complaint or an opt-out reply opts the patient out of promotions
// (and care reminders when they asked for no email at all); anything
// Kindly cannot match for sure goes to the review list, never guessed.
func (s *Store) ApplyFinding(ctx context.Context, f Finding) (InboxOutcome, error) {
	return s.ApplyFindingAt(ctx, f, nil)
}

// ApplyFindingAt is ApplyFinding that also records, in the same
// transaction, that the mailbox was read up to the message: a check that
// stops (or a Kindly that dies) right after never applies it twice.
func (s *Store) ApplyFindingAt(ctx context.Context, f Finding, read *InboxState) (InboxOutcome, error) {
	var out InboxOutcome
	f.Address = strings.ToLower(strings.TrimSpace(f.Address))
	err := s.inTx(ctx, func(tx *Tx) error {
		if read != nil {
			if err := saveInboxState(ctx, tx, *read, s.stamp()); err != nil {
				return err
			}
		}
		if f.Kind == FindingReview {
			return s.review(ctx, tx, f, 0, f.Reason+answersWhat(ctx, tx, f.OutboxIDs), &out)
		}
		// The emails it answers, and their patients.
		var emails []sentEmail
		for _, id := range f.OutboxIDs {
			var e sentEmail
			var pid sql.NullInt64
			err := tx.QueryRowContext(ctx, `SELECT id, patient_id, email FROM outbox WHERE id = ?`, id).Scan(&e.id, &pid, &e.email)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			e.patient = pid.Int64
			if f.Address == "" || strings.EqualFold(e.email, f.Address) || e.email == "" {
				emails = append(emails, e)
			}
		}
		if f.Address == "" && len(emails) > 0 {
			f.Address = strings.ToLower(emails[0].email)
		}
		patients := map[int64]bool{}
		for _, e := range emails {
			if e.patient != 0 {
				patients[e.patient] = true
			}
		}
		switch f.Kind {
		case FindingDelayed:
			return s.delayed(ctx, tx, f, emails, &out)
		case FindingBounce:
			if f.Address == "" {
				return s.review(ctx, tx, f, 0, "a bounce that names no address Kindly knows", &out)
			}
			// Everyone with the address: it is the address that fails.
			if err := addPatientsWithEmail(ctx, tx, f.Address, patients); err != nil {
				return err
			}
			if len(patients) == 0 && len(emails) == 0 {
				return s.review(ctx, tx, f, 0, "a bounce for "+f.Address+", which no patient has", &out)
			}
			return s.bounce(ctx, tx, f, emails, patients, &out)
		case FindingComplaint, FindingOptOut:
			if len(patients) == 0 {
				if err := addPatientsWithEmail(ctx, tx, f.Address, patients); err != nil {
					return err
				}
			}
			if len(patients) != 1 {
				why := "an opt-out from " + f.Address + ", which no patient has"
				if len(patients) > 1 {
					why = fmt.Sprintf("an opt-out from %s, which %d patients share: which of them?", f.Address, len(patients))
				}
				return s.review(ctx, tx, f, 0, why, &out)
			}
			var id int64
			for id = range patients {
			}
			if f.Kind == FindingOptOut && !f.AllEmail && answersCare(ctx, tx, emails) {
				// "Stop sending me these reminders", in answer to a care
				// reminder: the opt-out is from what it answers.
				f.AllEmail = true
			}
			return s.optOut(ctx, tx, f, id, &out)
		}
		return fmt.Errorf("unknown finding %q", f.Kind)
	})
	return out, mapError(err)
}

// delayed records that delivery of emails is still being tried: their
// reason says so, nothing else changes; a later bounce supersedes it.
func (s *Store) delayed(ctx context.Context, tx *Tx, f Finding, emails []sentEmail, out *InboxOutcome) error {
	for _, e := range emails {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET reason = ? WHERE id = ? AND status IN ('sent', 'uncertain')`,
			"delivery delayed, still being tried: "+f.Reason, e.id); err != nil {
			return err
		}
	}
	addr := f.Address
	if addr == "" {
		addr = "an email"
	}
	out.Summary = fmt.Sprintf("delivery to %s is delayed (%s); nothing changes", addr, f.Reason)
	return nil
}

// answersCare: one of the emails answered was a care reminder.
func answersCare(ctx context.Context, tx *Tx, emails []sentEmail) bool {
	for _, e := range emails {
		var purpose string
		if tx.QueryRowContext(ctx, `SELECT c.purpose FROM outbox o JOIN campaigns c ON c.id = o.campaign_id WHERE o.id = ?`, e.id).Scan(&purpose) == nil &&
			purpose == PurposeCare {
			return true
		}
	}
	return false
}

// answersWhat says, for the review list, what the message answers: "" or
// " (it answers the care reminder "Flu 2026")".
func answersWhat(ctx context.Context, tx *Tx, outboxIDs []int64) string {
	for _, id := range outboxIDs {
		var name, purpose string
		if tx.QueryRowContext(ctx, `SELECT c.name, c.purpose FROM outbox o JOIN campaigns c ON c.id = o.campaign_id WHERE o.id = ?`, id).Scan(&name, &purpose) == nil {
			what := "promotion"
			if purpose == PurposeCare {
				what = "care reminder"
			}
			return fmt.Sprintf(" (it answers the %s %q)", what, name)
		}
	}
	return ""
}

// addPatientsWithEmail adds to set every patient whose address is email
// (none for an empty one).
func addPatientsWithEmail(ctx context.Context, tx *Tx, email string, set map[int64]bool) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM patients WHERE email = ? AND email != ''`, email)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		set[id] = true
	}
	return rows.Err()
}

// sentEmail is an outbox row a finding answers.
type sentEmail struct {
	id, patient int64
	email       string
}

func (s *Store) bounce(ctx context.Context, tx *Tx, f Finding, emails []sentEmail, patients map[int64]bool, out *InboxOutcome) error {
	kind := "soft"
	if f.Hard {
		kind = "hard"
	}
	var why string
	for id := range patients {
		out.Patients = append(out.Patients, id)
		unusable, w, err := s.addBounce(ctx, tx, id, f.Address, f.Hard, f.Reason, 0)
		if err != nil {
			return err
		}
		if unusable {
			out.Unusable, why = true, w
		}
	}
	for _, e := range emails {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'bounced', reason = ? WHERE id = ? AND status IN ('sent', 'uncertain', 'sending')`,
			kind+" bounce: "+f.Reason, e.id); err != nil {
			return err
		}
	}
	out.Summary = fmt.Sprintf("%s bounced (%s): %s", f.Address, kind, f.Reason)
	if out.Unusable {
		out.Summary += "; the address is not used again until it is changed"
		if !f.Hard {
			out.Summary += " (" + why + ")"
		}
	}
	return s.auditTx(ctx, tx, "inbox", fmt.Sprintf("%s bounce for %s (%s), patients %s%s", kind, f.Address, f.Reason, idList(out.Patients),
		map[bool]string{true: ": address unusable", false: ""}[out.Unusable]))
}

// Bounce is one bounce of a patient's address, from the inbox or refused
// at send time.
type Bounce struct {
	At     time.Time
	Email  string
	Hard   bool
	Reason string
}

// BounceHistory lists a patient's bounces, newest first, from the inbox
// and refused at send time.
func (s *Store) BounceHistory(ctx context.Context, patientID int64) ([]Bounce, error) {
	return queryAll(ctx, s, "the patient's bounces", `SELECT at, email, hard, reason FROM bounces WHERE patient_id = ? ORDER BY at DESC, id DESC`,
		func(row scanner) (Bounce, error) {
			var b Bounce
			var at string
			err := row.Scan(&at, &b.Email, &b.Hard, &b.Reason)
			b.At, _ = time.Parse(time.RFC3339, at)
			return b, err
		}, patientID)
}

// addBounce records one bounce of a patient's address (outboxID: the
// email refused at send time, 0 from the inbox) and makes the address
// unusable when it is hard, or when soft ones came on SoftBounceLimit
// different days within SoftBounceDays: one soft bounce never does. It
// says whether the address is unusable now, and why.
func (s *Store) addBounce(ctx context.Context, tx *Tx, patient int64, email string, hard bool, reason string, outboxID int64) (bool, string, error) {
	now := s.stamp()
	var ob any
	if outboxID != 0 {
		ob = outboxID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO bounces (patient_id, email, at, hard, reason, outbox_id) VALUES (?, ?, ?, ?, ?, ?)`,
		patient, email, now, hard, reason, ob); err != nil {
		return false, "", err
	}
	why := reason
	if !hard {
		var days int
		since := s.Now().AddDate(0, 0, -SoftBounceDays).UTC().Format(time.RFC3339)
		if err := tx.QueryRowContext(ctx, `SELECT count(DISTINCT substr(at, 1, 10)) FROM bounces
			WHERE patient_id = ? AND email = ? AND hard = 0 AND at >= ?`, patient, email, since).Scan(&days); err != nil {
			return false, "", err
		}
		if days < SoftBounceLimit {
			return false, "", nil
		}
		why = fmt.Sprintf("temporary failures on %d different days within %d days (last: %s)", days, SoftBounceDays, reason)
	}
	// The address is unusable for everyone who has it (a family shares one).
	_, err := tx.ExecContext(ctx, `UPDATE patients SET email_bounced_at = ?, email_bounce_reason = ?, updated_at = ?
		WHERE (id = ? AND lower(email) = ? OR email = ?) AND email_bounced_at IS NULL`, now, why, now, patient, strings.ToLower(email), strings.ToLower(email))
	return true, why, err
}

func (s *Store) optOut(ctx context.Context, tx *Tx, f Finding, patient int64, out *InboxOutcome) error {
	now := s.stamp()
	source := "opt-out reply"
	if f.Kind == FindingComplaint {
		source = "spam complaint"
	}
	who, err := sharersOf(ctx, tx, f.Address, patient)
	if err != nil {
		return err
	}
	what := "promotions"
	if f.AllEmail {
		what = "all email (care reminders too)"
	}
	for _, id := range who {
		if _, err := tx.ExecContext(ctx, `UPDATE patients SET promo_consent = 'opted_out', promo_changed_at = ?, promo_source = ?, updated_at = ?
			WHERE id = ? AND promo_consent != 'opted_out'`, now, source, now, id); err != nil {
			return err
		}
		if f.AllEmail {
			if _, err := tx.ExecContext(ctx, `UPDATE patients SET care_consent = 'opted_out', care_changed_at = ?, care_source = ?, updated_at = ?
				WHERE id = ? AND care_consent != 'opted_out'`, now, source, now, id); err != nil {
				return err
			}
		}
		if err := s.auditTx(ctx, tx, "inbox", fmt.Sprintf("patient #%d opted out of %s (%s)", id, what, source)); err != nil {
			return err
		}
	}
	out.Patients, out.OptedOut = who, true
	out.Summary = fmt.Sprintf("%s: %s opted out of %s", source, f.Address, what)
	if len(who) > 1 {
		out.Summary += fmt.Sprintf(" (%s who share the address)", Count(len(who), "patient", "patients"))
	}
	return nil
}

// sharersOf is who an opt-out from an address speaks for: the patient it
// answers, and everyone else at the address when the practice says an
// opt-out from a shared address speaks for all who share it.
func sharersOf(ctx context.Context, tx *Tx, address string, patient int64) ([]int64, error) {
	who := []int64{patient}
	var whole int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE key = 'consent.opt_out_whole_address' AND value = '1'`).Scan(&whole); err != nil {
		return nil, err
	}
	if whole == 0 || address == "" {
		return who, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM patients WHERE email = ? AND id <> ? ORDER BY id`, strings.ToLower(address), patient)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		who = append(who, id)
	}
	return who, rows.Err()
}

func (s *Store) review(ctx context.Context, tx *Tx, f Finding, patient int64, why string, out *InboxOutcome) error {
	var pid any
	if patient != 0 {
		pid = patient
	}
	received := f.Received
	if received.IsZero() {
		received = s.Now()
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO inbox_review (patient_id, from_addr, subject, received_at, why, excerpt) VALUES (?, ?, ?, ?, ?, ?)`,
		pid, f.From, f.Subject, received.UTC().Format(time.RFC3339), why, capText(f.Excerpt, 500)); err != nil {
		return err
	}
	out.Review, out.Summary = true, "to review: "+why
	return nil
}

// SaveInboxState records that the mailbox was read up to lastUID.
func (s *Store) SaveInboxState(ctx context.Context, st InboxState) error {
	return mapError(s.inTx(ctx, func(tx *Tx) error { return saveInboxState(ctx, tx, st, s.stamp()) }))
}

func saveInboxState(ctx context.Context, tx *Tx, st InboxState, now string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO inbox_state (mailbox, uidvalidity, last_uid, checked_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (mailbox, uidvalidity) DO UPDATE SET last_uid = max(last_uid, excluded.last_uid), checked_at = excluded.checked_at`,
		st.Mailbox, st.UIDValidity, st.LastUID, now)
	return err
}

// ReviewItem is a message of the inbox the practice decides about.
type ReviewItem struct {
	ID                          int64
	From, Subject, Why, Excerpt string
	Received                    time.Time
}

// InboxReview lists the messages waiting for the practice's decision.
func (s *Store) InboxReview(ctx context.Context) ([]ReviewItem, error) {
	return queryAll(ctx, s, "the inbox review list", `SELECT id, from_addr, subject, why, excerpt, received_at FROM inbox_review WHERE decided = '' ORDER BY id`,
		func(row scanner) (ReviewItem, error) {
			var r ReviewItem
			var at string
			err := row.Scan(&r.ID, &r.From, &r.Subject, &r.Why, &r.Excerpt, &at)
			r.Received, _ = time.Parse(time.RFC3339, at)
			return r, err
		})
}

func idList(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("#%d", id)
	}
	return strings.Join(parts, ", ")
}

func capText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// InboxTotals is what the inbox has done so far, for Today.
type InboxTotals struct {
	Bounced     int       // addresses that bounced for good (patients not archived)
	OptOuts     int       // patients opted out by a reply or a spam complaint
	ToReview    int       // messages waiting for the practice's decision
	LastChecked time.Time // zero: never checked
}

// InboxTotals counts the bounced addresses, the opt-outs that came by mail
// and the messages to review.
func (s *Store) InboxTotals(ctx context.Context) (InboxTotals, error) {
	var t InboxTotals
	var last sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(DISTINCT lower(email)) FROM patients WHERE email_bounced_at IS NOT NULL AND archived = 0),
		(SELECT count(*) FROM patients WHERE archived = 0 AND promo_consent = 'opted_out'
			AND promo_source IN ('opt-out reply', 'spam complaint')),
		(SELECT count(*) FROM inbox_review WHERE decided = ''),
		(SELECT max(checked_at) FROM inbox_state)`).Scan(&t.Bounced, &t.OptOuts, &t.ToReview, &last)
	if err != nil {
		return t, fmt.Errorf("cannot count what came back to the inbox: %w", mapError(err))
	}
	if last.Valid {
		t.LastChecked, _ = time.Parse(time.RFC3339, last.String)
	}
	return t, nil
}

// The practice's decisions about a message on the review list.
const (
	DecideOptOut    = "opt-out"     // opt the sender out of promotions
	DecideOptOutAll = "opt-out-all" // out of care reminders too: no email at all
	DecideNothing   = "nothing"     // nothing to do
)

// ErrReviewDecided says the message was decided about already.
var ErrReviewDecided = errors.New("that message was decided about already")

// DecideReview records the practice's decision about a message on the
// review list: an opt-out applies to the patient it concerns or, when
// Kindly did not know which, to every patient with the sender's address.
// It returns what changed, in a line.
func (s *Store) DecideReview(ctx context.Context, id int64, decision string) (string, error) {
	if decision != DecideOptOut && decision != DecideOptOutAll && decision != DecideNothing {
		return "", fmt.Errorf("decide %q, %q or %q, not %q", DecideOptOut, DecideOptOutAll, DecideNothing, decision)
	}
	var summary string
	err := s.inTx(ctx, func(tx *Tx) error {
		var pid sql.NullInt64
		var from, subject, decided string
		err := tx.QueryRowContext(ctx, `SELECT patient_id, from_addr, subject, decided FROM inbox_review WHERE id = ?`, id).
			Scan(&pid, &from, &subject, &decided)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: no message #%d on the review list", ErrNotFound, id)
		}
		if err != nil {
			return err
		}
		if decided != "" {
			return ErrReviewDecided
		}
		if _, err := tx.ExecContext(ctx, `UPDATE inbox_review SET decided = ? WHERE id = ?`, decision, id); err != nil {
			return err
		}
		if decision == DecideNothing {
			summary = fmt.Sprintf("nothing to do about %q from %s", subject, from)
			return s.auditTx(ctx, tx, "inbox", fmt.Sprintf("review #%d: %s", id, summary))
		}
		addr := strings.ToLower(from)
		if a, err := mail.ParseAddress(from); err == nil {
			addr = strings.ToLower(a.Address)
		}
		patients := map[int64]bool{}
		if pid.Valid {
			patients[pid.Int64] = true
		} else if err := addPatientsWithEmail(ctx, tx, addr, patients); err != nil {
			return err
		}
		if len(patients) == 0 {
			return fmt.Errorf("no patient has the address %s: there is no one to opt out (choose \"nothing to do\")", from)
		}
		f := Finding{Kind: FindingOptOut, Address: addr, AllEmail: decision == DecideOptOutAll}
		var lines []string
		for p := range patients {
			var out InboxOutcome
			if err := s.optOut(ctx, tx, f, p, &out); err != nil {
				return err
			}
			lines = append(lines, out.Summary)
		}
		sort.Strings(lines)
		summary = strings.Join(lines, "; ")
		return nil
	})
	return summary, mapError(err)
}

// PatientEmails is the set of the patients' addresses, lower-cased: the
// inbox check reads the whole of a message only when it may concern one.
func (s *Store) PatientEmails(ctx context.Context) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT lower(email) FROM patients WHERE email != ''`)
	if err != nil {
		return nil, fmt.Errorf("cannot read the patients' addresses: %w", mapError(err))
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		set[e] = true
	}
	return set, rows.Err()
}
