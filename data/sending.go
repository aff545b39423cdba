package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// OutboxMessage is a queued email ready to send.
type OutboxMessage struct {
	ID        int64
	PatientID int64
	Email     string
	Subject   string
	Text      string
	HTML      string
	Attempts  int
}

// RecoverInterrupted marks rows left "sending" by a crash as uncertain:
// the server may have delivered them, so they are shown, never re-sent.
// Only the holder of the sending lock may call it.
func (s *Store) RecoverInterrupted(ctx context.Context) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET status = 'uncertain',
		reason = 'Kindly stopped while this email was being sent; it may or may not have arrived' WHERE status = 'sending'`)
	if err != nil {
		return 0, mapError(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

const markResultSQL = `UPDATE outbox SET status = ?, reason = ?, sent_at = coalesce(?, sent_at), retry_at = NULL WHERE id = ?`

// MarkResult records how a message ended: sent, failed, skipped or
// uncertain (with the reason).
func (s *Store) MarkResult(ctx context.Context, id int64, status, reason string) error {
	var sent any
	if status == StatusSent {
		sent = s.stamp()
	}
	st, err := s.prepared(ctx, markResultSQL)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, status, reason, sent, id)
	return mapError(err)
}

// MarkRefused records that the recipient's server refused a message for
// good (a 5xx reply at send time): the message failed, and the refusal is
// a bounce of the address, in the same table the inbox writes, so hard
// ones make the address unusable and soft ones add up the same way.
func (s *Store) MarkRefused(ctx context.Context, id int64, reason string, hard bool, bounceReason string) error {
	err := s.inTx(ctx, func(tx *Tx) error {
		var patient sql.NullInt64
		var email string
		if err := tx.QueryRowContext(ctx, `UPDATE outbox SET status = 'failed', reason = ?, retry_at = NULL WHERE id = ?
			RETURNING patient_id, email`, reason, id).Scan(&patient, &email); err != nil {
			return err
		}
		if !patient.Valid || email == "" {
			return nil
		}
		_, _, err := s.addBounce(ctx, tx, patient.Int64, strings.ToLower(email), hard, bounceReason, id)
		return err
	})
	return mapError(err)
}

// TakeBackRefusal puts a message refused at send time back in the queue,
// uncounted, and forgets the bounce it recorded: the refusal was the
// server refusing everyone, not this patient's address.
func (s *Store) TakeBackRefusal(ctx context.Context, id int64) error {
	err := s.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM bounces WHERE outbox_id = ?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'queued', reason = '', retry_at = NULL, attempts = max(attempts - 1, 0)
			WHERE id = ?`, id)
		return err
	})
	return mapError(err)
}

// MarkRetry puts a message back in the queue, to go out at or after at (the
// zero time: at once). An attempt that was not the recipient's doing (the
// connection failed, the mailbox was throttled) is not counted.
func (s *Store) MarkRetry(ctx context.Context, id int64, at time.Time, reason string, counted bool) error {
	var retry any
	if !at.IsZero() {
		retry = at.UTC().Format(time.RFC3339)
	}
	uncount := 0
	if !counted {
		uncount = 1
	}
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET status = 'queued', reason = ?, retry_at = ?, attempts = max(attempts - ?, 0)
		WHERE id = ?`, reason, retry, uncount, id)
	return mapError(err)
}

// MaySend says why a queued message may not go out now, if so: its
// patient may no longer get this purpose of email, its appointment was
// cancelled or moved, or someone its family email names may no longer
// get it.
func (s *Store) MaySend(ctx context.Context, outboxID, patientID int64, purpose string) (bool, string, error) {
	if ok, why, err := s.patientMaySend(ctx, patientID, purpose); !ok || err != nil {
		return ok, why, err
	}
	var appt sql.NullInt64
	var still bool
	err := s.db.QueryRowContext(ctx, `SELECT appointment_id, `+appointmentStillSQL+` FROM outbox WHERE id = ?`, outboxID).Scan(&appt, &still)
	if errors.Is(err, sql.ErrNoRows) {
		return true, "", nil
	}
	if err != nil {
		return false, "", mapError(err)
	}
	if !still {
		return false, "the appointment was cancelled or moved after the reminder was queued", nil
	}
	family, err := queryAll(ctx, s, "read the family", `SELECT coalesce(f.patient_id, 0) FROM outbox f JOIN outbox o ON o.id = ?
		WHERE f.campaign_id = o.campaign_id AND f.occurrence = o.occurrence AND f.family_of = o.patient_id AND f.status = 'queued'`,
		func(row scanner) (int64, error) { var id int64; err := row.Scan(&id); return id, err }, outboxID)
	if err != nil {
		return false, "", mapError(err)
	}
	for _, id := range family {
		if ok, why, err := s.patientMaySend(ctx, id, purpose); !ok || err != nil {
			return false, "the family email names someone who may no longer get it (" + why + "); queue it again to write it without them", err
		}
	}
	return true, "", nil
}

// patientMaySend says why a patient may not get this purpose of email
// now, if so.
func (s *Store) patientMaySend(ctx context.Context, patientID int64, purpose string) (bool, string, error) {
	p, err := s.Patient(ctx, patientID)
	if errors.Is(err, ErrNotFound) {
		return false, "the patient was deleted", nil
	}
	if err != nil {
		return false, "", mapError(err)
	}
	switch {
	case p.Archived:
		return false, "the patient was archived", nil
	case p.Email == "":
		return false, "the patient no longer has an email address", nil
	case !p.EmailBouncedAt.IsZero():
		return false, "the address bounced: " + p.EmailBounceReason, nil
	case p.DoNotContact:
		return false, "opted out: marked do-not-contact", nil
	case purpose == PurposeCare && p.CareConsent != CareAllowed:
		return false, "opted out of care reminders", nil
	case purpose == PurposePromotion && p.PromoConsent != PromoOptedIn:
		return false, "opted out: no consent to promotions", nil
	case purpose == PurposeCare && p.CareOptedInAt.IsZero():
		var optIn int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE key = 'consent.care_opt_in' AND value = '1'`).Scan(&optIn); err != nil {
			return false, "", mapError(err)
		}
		if optIn > 0 {
			return false, "no consent to care reminders (the practice asks for it first)", nil
		}
	}
	return true, "", nil
}

// SentSince counts messages the mailbox sent since t, across all campaigns.
func (s *Store) SentSince(ctx context.Context, t time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE sent_at >= ?`, t.UTC().Format(time.RFC3339)).Scan(&n)
	return n, mapError(err)
}

// OldestSentSince returns the earliest send time at or after t, to know
// when a rolling limit frees a slot again.
func (s *Store) OldestSentSince(ctx context.Context, t time.Time) (time.Time, error) {
	var at sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT min(sent_at) FROM outbox WHERE sent_at >= ?`, t.UTC().Format(time.RFC3339)).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, mapError(err)
	}
	return time.Parse(time.RFC3339, at.String)
}

// SendPace is the mail server's measured time per email: what the sender
// measured over the SMTP transactions of its last runs (RecordPace); the
// waits for the mailbox's limits and the send window are not in it. ok is
// false before a run measured it.
func (s *Store) SendPace(ctx context.Context) (pace time.Duration, ok bool, err error) {
	v, err := s.setting(ctx, keySendPace, "")
	if err != nil || v == "" {
		return 0, false, err
	}
	us, err := strconv.ParseInt(v, 10, 64)
	if err != nil || us <= 0 {
		return 0, false, nil
	}
	return time.Duration(us) * time.Microsecond, true, nil
}

// RecordPace keeps a run's mean time per email, weighed equally with what
// was kept before: one slow run does not make every estimate slow.
func (s *Store) RecordPace(ctx context.Context, pace time.Duration) error {
	if pace <= 0 {
		return nil
	}
	if old, ok, err := s.SendPace(ctx); err != nil {
		return err
	} else if ok {
		pace = (old + pace) / 2
	}
	return s.setSetting(ctx, keySendPace, strconv.FormatInt(int64(pace/time.Microsecond)+1, 10))
}

// NextQueuedBatch returns up to limit of an occurrence's oldest messages
// that may go out now (a small window: the campaign is never read whole).
func (s *Store) NextQueuedBatch(ctx context.Context, campaignID int64, occurrence string, limit int) ([]OutboxMessage, error) {
	out, err := queryAll(ctx, s, "read the send queue", `SELECT o.id, coalesce(o.patient_id, 0), o.email, o.subject,
		coalesce(b.body_text, o.body_text), coalesce(b.body_html, o.body_html), o.attempts
		FROM outbox o LEFT JOIN outbox_bodies b ON b.outbox_id = o.id
		WHERE o.campaign_id = ? AND o.occurrence = ? AND o.status = 'queued' AND (o.retry_at IS NULL OR o.retry_at <= ?) AND o.family_of IS NULL
		ORDER BY o.id LIMIT ?`,
		func(row scanner) (OutboxMessage, error) {
			var m OutboxMessage
			err := row.Scan(&m.ID, &m.PatientID, &m.Email, &m.Subject, &m.Text, &m.HTML, &m.Attempts)
			return m, err
		}, campaignID, occurrence, s.stamp(), limit)
	return out, mapError(err)
}

// NextRetry is when the first message of an occurrence that waits to be
// retried may go out, and how many wait; zero when none waits.
func (s *Store) NextRetry(ctx context.Context, campaignID int64, occurrence string) (time.Time, int, error) {
	var at sql.NullString
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT min(retry_at), count(*) FROM outbox
		WHERE campaign_id = ? AND occurrence = ? AND status = 'queued' AND retry_at > ?`, campaignID, occurrence, s.stamp()).Scan(&at, &n)
	if err != nil || !at.Valid {
		return time.Time{}, 0, mapError(err)
	}
	t, err := time.Parse(time.RFC3339, at.String)
	return t, n, err
}

// ClaimForSending marks a queued message "sending" if its patient still
// may get this purpose of email, in one statement, and returns the
// patient's address as it is now (corrected since queueing, perhaps).
// false means not (then MaySend says why) or that it is no longer queued.
func (s *Store) ClaimForSending(ctx context.Context, id int64, purpose string) (bool, string, error) {
	st, err := s.claimStmt(ctx, purpose)
	if err != nil {
		return false, "", err
	}
	return claimWith(ctx, st, id)
}

func (s *Store) claimStmt(ctx context.Context, purpose string) (*Stmt, error) {
	query, err := claimSQL(purpose)
	if err != nil {
		return nil, err
	}
	return s.prepared(ctx, query)
}

// claimSQL claims a queued email (its id the one argument) for a purpose.
func claimSQL(purpose string) (string, error) {
	consent, err := consentSQLFor(purpose)
	if err != nil {
		return "", err
	}
	return `UPDATE outbox SET status = 'sending', attempts = attempts + 1, retry_at = NULL,
		email = (SELECT p.email FROM patients p WHERE p.id = outbox.patient_id)
		WHERE id = ? AND status = 'queued' AND EXISTS (SELECT 1 FROM patients p WHERE p.id = outbox.patient_id AND ` + consent + `)
		AND ` + appointmentStillSQL + `
		AND NOT EXISTS (SELECT 1 FROM outbox f WHERE f.campaign_id = outbox.campaign_id AND f.occurrence = outbox.occurrence
			AND f.family_of = outbox.patient_id AND f.status = 'queued'
			AND NOT EXISTS (SELECT 1 FROM patients p WHERE p.id = f.patient_id AND ` + consent + `))
		RETURNING email`, nil
}

func claimWith(ctx context.Context, st *Stmt, id int64) (bool, string, error) {
	var email string
	err := st.QueryRowContext(ctx, id).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return false, "", nil
	}
	return err == nil, email, mapError(err)
}

// MarkSentAndClaim records that a message was sent and claims the next
// one (ClaimForSending) in one transaction: one write to the disk per
// email instead of two, and still never more than one message "sending".
func (s *Store) MarkSentAndClaim(ctx context.Context, sentID, nextID int64, purpose string) (bool, string, error) {
	if s.eng.server {
		// One statement, one round trip over the network: both updates
		// commit together or not at all.
		claim, err := claimSQL(purpose)
		if err != nil {
			return false, "", err
		}
		st, err := s.prepared(ctx, `WITH sent AS (`+markResultSQL+` RETURNING id) `+claim)
		if err != nil {
			return false, "", err
		}
		var to string
		err = st.QueryRowContext(ctx, StatusSent, "", s.stamp(), sentID, nextID).Scan(&to)
		if errors.Is(err, sql.ErrNoRows) {
			return false, "", nil
		}
		return err == nil, to, mapError(err)
	}
	mark, err := s.prepared(ctx, markResultSQL)
	if err != nil {
		return false, "", err
	}
	claim, err := s.claimStmt(ctx, purpose)
	if err != nil {
		return false, "", err
	}
	var claimed bool
	var to string
	err = s.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.StmtContext(ctx, mark).ExecContext(ctx, StatusSent, "", s.stamp(), sentID); err != nil {
			return err
		}
		claimed, to, err = claimWith(ctx, tx.StmtContext(ctx, claim), nextID)
		return err
	})
	return claimed, to, mapError(err)
}

// Uncertain lists a campaign's emails that were being sent when the
// connection or Kindly stopped: they may or may not have arrived.
func (s *Store) Uncertain(ctx context.Context, campaignID int64) ([]OutboxEntry, error) {
	var out []OutboxEntry
	err := s.EachOutboxEntry(ctx, campaignID, func(e OutboxEntry) error {
		if e.Status == StatusUncertain {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// ResolveUncertain records the practice's decision about uncertain emails
// of a campaign: they arrived (sent), or they go out again (queued). It
// returns how many changed; the audit log says who decided what.
func (s *Store) ResolveUncertain(ctx context.Context, c Campaign, ids []int64, arrived bool) (int, error) {
	status, reason, decision := StatusQueued, "to be sent again, as the practice decided (it may have arrived before)", "to be sent again"
	if arrived {
		status, reason, decision = StatusSent, "marked as arrived by the practice", "marked as arrived"
	}
	n := 0
	err := s.inTx(ctx, func(tx *Tx) error {
		for _, id := range ids {
			// A family email is decided whole, by the row that carries it:
			// the others follow it.
			if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT l.id FROM outbox f JOIN outbox l ON l.campaign_id = f.campaign_id
				AND l.occurrence = f.occurrence AND l.patient_id = f.family_of AND l.family_of IS NULL WHERE f.id = ?), ?)`, id, id).Scan(&id); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = ?, reason = ?, retry_at = NULL,
				sent_at = CASE WHEN ? = 'sent' THEN coalesce(sent_at, queued_at) ELSE sent_at END
				WHERE id = ? AND campaign_id = ? AND status = 'uncertain'`, status, reason, status, id, c.ID)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		if n == 0 {
			return nil
		}
		what := fmt.Sprintf("%d uncertain emails", n)
		if n == 1 {
			what = "1 uncertain email"
		}
		return s.auditTx(ctx, tx, "send", fmt.Sprintf("campaign %q: %s %s by the practice", c.Name, what, decision))
	})
	return n, err
}
