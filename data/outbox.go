package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Outbox statuses.
const (
	StatusQueued    = "queued"
	StatusSending   = "sending"
	StatusSent      = "sent"
	StatusFailed    = "failed"
	StatusSkipped   = "skipped"
	StatusUncertain = "uncertain" // in flight when Kindly stopped: maybe delivered, never re-sent
	StatusCancelled = "cancelled"
	StatusBounced   = "bounced" // sent, and came back: the address or the mailbox refused it
)

// consentSQLFor is who may get an email of a purpose: an address, not
// archived, not do-not-contact, and consent for that purpose.
func consentSQLFor(purpose string) (string, error) {
	base := "p.email <> '' AND p.email_bounced_at IS NULL AND p.archived = 0 AND p.do_not_contact = 0 AND "
	switch purpose {
	case PurposeCare:
		return base + "p.care_consent = 'allowed' AND NOT " + careOptInMissing, nil
	case PurposePromotion:
		return base + "p.promo_consent = 'opted_in'", nil
	}
	return "", fmt.Errorf("unknown campaign purpose %q", purpose)
}

// careOptInMissing is true when the practice makes care reminders opt-in
// (the law of its country asks for it) and patient p has not opted in.
const careOptInMissing = `(p.care_opted_in_at IS NULL AND EXISTS (SELECT 1 FROM settings WHERE key = 'consent.care_opt_in' AND value = '1'))`

// Rendered is one patient's email as queued.
type Rendered struct {
	Subject, Text, HTML string
}

// QueueOptions say how an occurrence is queued.
type QueueOptions struct {
	// BypassCap lets a care reminder through the frequency cap.
	BypassCap bool
	// Step, when set, says which birthday, recall reminder or appointment
	// a member's email is (false: not this member). A member who already
	// had that one, on any day, is left out: one of each per patient.
	Step func(Patient) (Step, bool)
	// Family sends one email to an address several members share, naming
	// each of them; every member still counts as emailed (the cap, the
	// recipients list, exactly once).
	Family bool
	// Replace are queued rows deleted first, in the same transaction: a
	// family email written again (MendFamilies).
	Replace []int64
}

// Step is which email of a patient's birthdays, recalls or appointments a
// row is: its cycle ("b2026-12-12", "v2025-06-03", "a17@2026-12-09 09:30")
// and reminder (1 the first, 2 the first follow-up).
type Step struct {
	// Due is the day the email was due (zero when it is today's own or
	// has no such day): a birthday's or a recall's, caught up late.
	Due           Date
	Cycle         string
	Reminder      int
	AppointmentID int64
	AppointmentAt string
}

// QueueResult counts what queueing did.
type QueueResult struct {
	Queued  int // new messages to send, one per patient
	Emails  int // emails they make (fewer when families share one)
	Skipped int // members not sent to, each with a skipped row and the reason
}

// QueueCampaign writes one outbox row per member of the audience for an
// occurrence, in one transaction. Members who may get this purpose of
// email, and are under the frequency cap, are queued with their rendered
// message; the others get a "skipped" row with the reason, so the practice
// sees who was left out and why. A patient who already has a row for this
// occurrence is left alone: the unique key allows one per patient and
// occurrence. Rows stream from the database while they are written.
func (s *Store) QueueCampaign(ctx context.Context, c Campaign, occurrence string, audience Rule, opt QueueOptions, render func(Patient) (Rendered, error)) (QueueResult, error) {
	var res QueueResult
	err := s.inTx(ctx, func(tx *Tx) error {
		q := &queuer{ctx: ctx, c: c, occurrence: occurrence, now: s.stamp(), render: render, res: &res}
		for _, id := range opt.Replace {
			if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ? AND status = 'queued'`, id); err != nil {
				return err
			}
		}
		var err error
		if q.ins, err = tx.PrepareContext(ctx, `INSERT INTO outbox (campaign_id, occurrence, patient_id, email, subject, body_text, body_html, status, reason, queued_at,
				cycle, reminder, appointment_id, appointment_at, family_of)
			VALUES (?, ?, ?, ?, ?, '', '', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`); err != nil {
			return err
		}
		defer q.ins.Close()
		if q.body, err = tx.PrepareContext(ctx, `INSERT INTO outbox_bodies (outbox_id, body_text, body_html) VALUES (?, ?, ?)`); err != nil {
			return err
		}
		defer q.body.Close()
		var family []member
		err = s.plan(ctx, tx, c, occurrence, audience, opt, func(m member, whyNot string) error {
			if whyNot != "" {
				ok, err := q.insert(m, "", StatusSkipped, whyNot, Rendered{}, 0)
				if ok {
					res.Skipped++
				}
				return err
			}
			if len(family) > 0 && (!opt.Family || family[0].p.Email != m.p.Email) {
				if err := q.send(family); err != nil {
					return err
				}
				family = family[:0]
			}
			family = append(family, m)
			return nil
		})
		if err == nil && len(family) > 0 {
			err = q.send(family)
		}
		if err != nil {
			return err
		}
		return s.auditTx(ctx, tx, "queue", fmt.Sprintf("campaign %q, occurrence %s: %d emails queued, %d skipped", c.Name, occurrence, res.Queued, res.Skipped))
	})
	return res, err
}

// queuer writes an occurrence's outbox rows in QueueCampaign's transaction.
type queuer struct {
	ctx             context.Context
	c               Campaign
	occurrence, now string
	ins, body       *Stmt
	render          func(Patient) (Rendered, error)
	res             *QueueResult
}

// insert writes a row and its body; false when the patient already is in
// the occurrence (or had this step): then nothing is written.
func (q *queuer) insert(m member, subject, status, reason string, r Rendered, familyOf int64) (bool, error) {
	var id int64
	st := m.step
	err := q.ins.QueryRowContext(q.ctx, q.c.ID, q.occurrence, m.p.ID, m.p.Email, subject, status, reason, q.now,
		nullString(st.Cycle), nullInt(int64(st.Reminder)), nullInt(st.AppointmentID), nullString(st.AppointmentAt), nullInt(familyOf)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil || r.Text == "" && r.HTML == "" {
		return err == nil, err
	}
	_, err = q.body.ExecContext(q.ctx, id, r.Text, r.HTML)
	return err == nil, err
}

// send renders and queues one email for a family (one member, most
// often): the first carries it, named with the others; they follow it.
func (q *queuer) send(family []member) error {
	lead := family[0]
	to := lead.p
	if len(family) > 1 {
		names := make([]string, len(family))
		for i, m := range family {
			names[i] = m.p.CallName()
		}
		to.FirstName, to.PreferredName = JoinNames(names), ""
	}
	m, err := q.render(to)
	if err != nil {
		return fmt.Errorf("cannot write the email to %s: %w", lead.p.DisplayName(), err)
	}
	ok, err := q.insert(lead, m.Subject, StatusQueued, "", m, 0)
	if err != nil {
		return fmt.Errorf("cannot queue the email to %s: %w", lead.p.DisplayName(), err)
	}
	if !ok {
		return nil
	}
	q.res.Queued++
	q.res.Emails++
	for _, f := range family[1:] {
		if ok, err := q.insert(f, m.Subject, StatusQueued, "sent with "+lead.p.CallName()+"'s email", Rendered{}, lead.p.ID); err != nil {
			return err
		} else if ok {
			q.res.Queued++
		}
	}
	return nil
}

// Planned is a member of an occurrence's audience not queued yet: whether
// the next Send emails them, and if not, why.
type Planned struct {
	Patient Patient
	WhyNot  string // "" when they get the email
	Step    Step
}

// Recipient is a row of a campaign's recipients table: who the next Send
// emails, or skips and why.
type Recipient struct {
	PatientID   int64
	Name, Email string
	Gets        bool
	Reason      string // why not, when skipped (or why it failed)
	// Result is what became of an email of the occurrence already handled
	// (sent, failed, skipped, bounced, uncertain, cancelled), at At (when
	// it was sent; else when it was queued); "" for one still to send.
	Result string
	At     time.Time
	// Due is the day a caught-up birthday or recall email was due.
	Due Date
}

// PlanRecipients is what QueueCampaign would do, without doing it: each
// member of the audience not in the occurrence's outbox yet, in id order,
// with the reason when they would be skipped.
func (s *Store) PlanRecipients(ctx context.Context, c Campaign, occurrence string, audience Rule, opt QueueOptions, each func(Planned) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return mapError(err)
	}
	defer tx.Rollback()
	return s.plan(ctx, tx, c, occurrence, audience, opt, func(m member, whyNot string) error { return each(Planned{m.p, whyNot, m.step}) })
}

// plan selects the audience members not in the occurrence's outbox yet
// and says for each why they would be skipped ("" when they get it): no
// address, a bounced one, an opt-out or missing consent, or the frequency
// cap. QueueCampaign and PlanRecipients share it, so the review shows
// exactly what a send does.
func (s *Store) plan(ctx context.Context, tx *Tx, c Campaign, occurrence string, audience Rule, opt QueueOptions, each func(member, string) error) error {
	seg, err := s.SegmentSQL(ctx, audience)
	if err != nil {
		return err
	}
	if c.Purpose != PurposeCare && c.Purpose != PurposePromotion {
		return fmt.Errorf("unknown campaign purpose %q", c.Purpose)
	}
	limit, err := s.FrequencyCap(ctx)
	if err != nil {
		return err
	}
	bypass := opt.BypassCap && c.Purpose == PurposeCare
	since := s.Now().AddDate(0, 0, -limit.Days).UTC().Format(time.RFC3339)
	query := planSQL(seg, opt.Family)
	had, err := tx.PrepareContext(ctx, `SELECT count(*) FROM outbox WHERE campaign_id = ? AND patient_id = ? AND cycle = ? AND reminder = ?`)
	if err != nil {
		return err
	}
	defer had.Close()
	one := func(p Patient, whyNot string, recent int) error {
		m := member{p: p}
		if opt.Step != nil {
			step, ok, err := stepOf(ctx, had, c, p, opt.Step)
			if err != nil || !ok {
				return err
			}
			m.step = step
		}
		if whyNot == "" && !bypass && limit.Count > 0 && recent >= limit.Count {
			whyNot = fmt.Sprintf("frequency cap: already %d emails in the last %d days", recent, limit.Days)
		}
		return each(m, whyNot)
	}
	return s.eachPlanned(ctx, tx, query, seg.Args([]any{c.Purpose, c.Purpose, c.Purpose, since}, c.ID, occurrence), one)
}

// eachPlanned reads the plan's rows and hands each to one: as they come
// in the file; on the server after the last (its connection reads one
// statement at a time, and one writes and asks more).
func (s *Store) eachPlanned(ctx context.Context, tx *Tx, query string, args []any, one func(p Patient, whyNot string, recent int) error) error {
	type planned struct {
		p      Patient
		whyNot string
		recent int
	}
	var later []planned
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("cannot select the recipients: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pl planned
		if pl.p, err = scanPatient(rows, &pl.whyNot, &pl.recent); err != nil {
			return err
		}
		if s.eng.server {
			later = append(later, pl)
		} else if err := one(pl.p, pl.whyNot, pl.recent); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	for _, pl := range later {
		if err := one(pl.p, pl.whyNot, pl.recent); err != nil {
			return err
		}
	}
	return nil
}

// planSQL selects an occurrence's members not in its outbox yet, with why
// each may not get it and their emails in the cap's days; a family's
// members (who share an address) one after another.
func planSQL(seg SegmentQuery, family bool) string {
	order := "p.id"
	if family {
		order = "p.email, p.id"
	}
	return `SELECT ` + patientColumns + `,
		` + whyNotSQL + `,
		(SELECT count(*) FROM outbox o WHERE o.patient_id = p.id AND o.queued_at >= ? AND o.status IN ('queued', 'sending', 'sent', 'uncertain'))
		FROM patients p WHERE ` + seg.Where + ` AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.campaign_id = ? AND o.occurrence = ? AND o.patient_id = p.id)
		ORDER BY ` + order
}

// stepOf is which birthday, reminder or appointment a member's email is,
// and false when the member is not in this run or had it already (on
// another day: had counts their rows of that step).
func stepOf(ctx context.Context, had *Stmt, c Campaign, p Patient, step func(Patient) (Step, bool)) (Step, bool, error) {
	st, ok := step(p)
	if !ok || st.Cycle == "" {
		return st, ok, nil
	}
	var n int
	if err := had.QueryRowContext(ctx, c.ID, p.ID, st.Cycle, st.Reminder).Scan(&n); err != nil {
		return st, false, err
	}
	return st, n == 0, nil
}

// member is an audience member as planned: the patient, and which
// birthday, reminder or appointment their email is.
type member struct {
	p    Patient
	step Step
}

// whyNotSQL is why patient p may not get an email of a purpose (bound three
// times), ” when they may: the same reasons for the plan, the queue left
// of a run and the claim.
const whyNotSQL = `CASE WHEN p.email = '' THEN 'no email address'
		     WHEN p.archived = 1 THEN 'the patient was archived'
		     WHEN p.email_bounced_at IS NOT NULL THEN 'the address bounced: ' || p.email_bounce_reason
		     WHEN p.do_not_contact = 1 THEN 'opted out: marked do-not-contact'
		     WHEN ? = 'care' AND (p.care_consent <> 'allowed' OR ` + careOptInMissing + `) THEN
		         CASE WHEN p.care_consent <> 'allowed' THEN 'opted out of care reminders'
		         ELSE 'no consent to care reminders (the practice asks for it first)' END
		     WHEN ? = 'promotion' AND p.promo_consent = 'opted_out' THEN 'opted out of promotions'
		     WHEN ? = 'promotion' AND p.promo_consent <> 'opted_in' THEN 'no consent to promotions (not opted in)'
		     ELSE '' END`

// LeftToSend lists what is left of an unfinished run of an occurrence,
// each with whether the next Send emails them as things stand now (an
// opt-out since queueing is skipped at the claim, and here).
func (s *Store) LeftToSend(ctx context.Context, c Campaign, occurrence string) ([]Recipient, error) {
	return queryAll(ctx, s, "read what is left to send", `SELECT coalesce(o.patient_id, 0), coalesce(p.last_name || ', ' || p.first_name, ''), o.email,
		coalesce(`+whyNotSQL+`, 'the patient was deleted')
		FROM outbox o LEFT JOIN patients p ON p.id = o.patient_id
		WHERE o.campaign_id = ? AND o.occurrence = ? AND o.status IN ('queued', 'sending') ORDER BY o.id`,
		func(row scanner) (Recipient, error) {
			var r Recipient
			err := row.Scan(&r.PatientID, &r.Name, &r.Email, &r.Reason)
			r.Gets = r.Reason == ""
			return r, err
		}, c.Purpose, c.Purpose, c.Purpose, c.ID, occurrence)
}

// HandledRecipients are the emails of an occurrence no longer waiting to
// be sent, in queue order: who got it and when, and who did not and why.
func (s *Store) HandledRecipients(ctx context.Context, c Campaign, occurrence string) ([]Recipient, error) {
	return queryAll(ctx, s, "read who got the email", `SELECT coalesce(o.patient_id, 0), coalesce(p.last_name || ', ' || p.first_name, ''),
		o.email, o.status, o.reason, coalesce(o.sent_at, o.queued_at)
		FROM outbox o LEFT JOIN patients p ON p.id = o.patient_id
		WHERE o.campaign_id = ? AND o.occurrence = ? AND o.status NOT IN ('queued', 'sending') ORDER BY o.id`,
		func(row scanner) (Recipient, error) {
			var r Recipient
			var at string
			err := row.Scan(&r.PatientID, &r.Name, &r.Email, &r.Result, &r.Reason, &at)
			r.Gets = r.Result == StatusSent || r.Result == StatusBounced || r.Result == StatusUncertain
			r.At, _ = time.Parse(time.RFC3339, at)
			return r, err
		}, c.ID, occurrence)
}

// OutboxCounts counts an occurrence's messages by status (occurrence "" counts all of the campaign).
func (s *Store) OutboxCounts(ctx context.Context, campaignID int64, occurrence string) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, count(*) FROM outbox WHERE campaign_id = ? AND (? = '' OR occurrence = ?)
		GROUP BY status`, campaignID, occurrence, occurrence)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// UnfinishedOccurrence returns an occurrence of the campaign that still
// has queued messages, so a new send resumes it; "" when there is none.
func (s *Store) UnfinishedOccurrence(ctx context.Context, campaignID int64) (string, error) {
	var occ string
	err := s.db.QueryRowContext(ctx, `SELECT occurrence FROM outbox WHERE campaign_id = ? AND status IN ('queued', 'sending')
		ORDER BY id LIMIT 1`, campaignID).Scan(&occ)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return occ, err
}

// CancelQueued cancels the messages of an occurrence not sent yet.
func (s *Store) CancelQueued(ctx context.Context, campaignID int64, occurrence string) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET status = 'cancelled', reason = 'cancelled by the practice'
		WHERE campaign_id = ? AND occurrence = ? AND status = 'queued'`, campaignID, occurrence)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// SetCampaignStatus moves a campaign to draft, scheduled, sending, paused or done.
func (s *Store) SetCampaignStatus(ctx context.Context, id int64, status CampaignStatus) error {
	_, err := s.db.ExecContext(ctx, `UPDATE campaigns SET status = ?, updated_at = ? WHERE id = ?`, status, s.stamp(), id)
	return err
}

// recipientsSQL selects who would get an email of this purpose from a segment.
func (s *Store) recipientsSQL(ctx context.Context, purpose string, rule Rule) (SegmentQuery, error) {
	q, err := s.SegmentSQL(ctx, rule)
	if err != nil {
		return q, err
	}
	consent, err := consentSQLFor(purpose)
	if err != nil {
		return q, err
	}
	q.Where += " AND " + consent
	return q, nil
}

// RecipientCount counts who would get an email of this purpose today.
func (s *Store) RecipientCount(ctx context.Context, purpose string, rule Rule) (int, error) {
	q, err := s.recipientsSQL(ctx, purpose, rule)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM patients p WHERE `+q.Where, q.Args(nil)...).Scan(&n)
	return n, err
}

// SampleRecipients returns up to n recipients, for previews.
func (s *Store) SampleRecipients(ctx context.Context, purpose string, rule Rule, n int) ([]Patient, error) {
	q, err := s.recipientsSQL(ctx, purpose, rule)
	if err != nil {
		return nil, err
	}
	return s.queryPatients(ctx, "sample the recipients", `SELECT `+patientColumns+` FROM patients p WHERE `+q.Where+` ORDER BY p.id LIMIT ?`, q.Args(nil, n)...)
}

// LastOccurrence is the occurrence of a campaign queued last ("" when none).
func (s *Store) LastOccurrence(ctx context.Context, campaignID int64) (string, error) {
	var occ string
	err := s.db.QueryRowContext(ctx, `SELECT occurrence FROM outbox WHERE campaign_id = ? ORDER BY id DESC LIMIT 1`, campaignID).Scan(&occ)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return occ, mapError(err)
}
