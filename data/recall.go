package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// Forever is the day a recall paused for good is paused until.
var Forever = Date{9999, time.December, 31}

// RecallStep is one reminder of one patient's recall: which recall (its
// cycle: the last visit it counts from, or the date set by hand) and
// which reminder of it (1 is the first, 2 the first follow-up, ...).
type RecallStep struct {
	PatientID int64
	Cycle     string
	Reminder  int
	Due       Date
}

// recallSQL are the SQL pieces of a recall: the last visit of its
// service, and the patient's recall (due date and cycle) as it stands,
// from that visit or from the date the practice set.
type recallSQL struct {
	last, cycle, due string
	args             []any // the last visit's, bound before each of the above
}

func newRecallSQL(e *engine, service string, months int) recallSQL {
	marker := "\x1e" + ServiceKey(service) + "\x1f"
	last := "coalesce(substr(p.visit_summary, nullif(instr(p.visit_summary, ?), 0) + ?, 10), '')"
	byHand := "(h.due_date IS NOT NULL AND (" + last + " = '' OR " + last + " < h.due_date))"
	return recallSQL{
		last:  last,
		cycle: "CASE WHEN " + byHand + " THEN 'd' || h.due_date WHEN " + last + " <> '' THEN 'v' || " + last + " ELSE '' END",
		due:   fmt.Sprintf("CASE WHEN %s THEN h.due_date WHEN %s <> '' THEN %s ELSE '' END", byHand, last, e.addMonths(last, months)),
		args:  []any{marker, utf8.RuneCountInString(marker)},
	}
}

// times repeats the last visit's arguments n times.
func (r recallSQL) times(n int) []any {
	var out []any
	for i := 0; i < n; i++ {
		out = append(out, r.args...)
	}
	return out
}

// flat lays out query arguments, []any parts spread.
func flat(parts ...any) []any {
	var out []any
	for _, p := range parts {
		if list, ok := p.([]any); ok {
			out = append(out, list...)
		} else {
			out = append(out, p)
		}
	}
	return out
}

// RecallOptions say how a recall runs.
type RecallOptions struct {
	Service  string
	Months   int
	Reminder int // reminders in all: 1 plus the follow-ups
	Every    int // days between reminders
	CatchUp  int // a first reminder goes up to this many days after its due day
}

// RecallDue lists who gets a reminder of a recall campaign on a day: a
// first reminder when the recall fell due in the last CatchUp days, a
// follow-up when the previous reminder went out Every days ago or more
// and the patient has not come in since. Left out: a patient with an
// appointment booked ahead, a recall paused for the patient, a recall
// whose reminders are all sent (or one was not: skipped, failed, bounced).
func (s *Store) RecallDue(ctx context.Context, campaignID int64, o RecallOptions, day Date, loc *time.Location) ([]RecallStep, error) {
	r := newRecallSQL(s.eng, o.Service, o.Months)
	held := `LEFT JOIN recall_holds h ON h.campaign_id = ? AND h.patient_id = p.id`
	free := `(h.off_until IS NULL OR h.off_until < ?) AND p.archived = 0
		AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.patient_id = p.id AND a.status = 'booked' AND a.starts_at >= ?)`
	from := day.AddDays(-o.CatchUp)
	scan := func(row scanner) (RecallStep, error) {
		var st RecallStep
		var due string
		err := row.Scan(&st.PatientID, &st.Cycle, &st.Reminder, &due)
		st.Due, _ = ParseDate(due)
		return st, err
	}
	// The last visit near the due range (a few days either side: months
	// differ in length) picks the few candidates before the due date is
	// worked out for them.
	first, err := queryAll(ctx, s, "read who is due for a recall", `SELECT p.id, `+r.cycle+`, 1, `+r.due+`
		FROM patients p `+held+`
		WHERE (h.due_date IS NOT NULL OR `+r.last+` BETWEEN ? AND ?) AND (`+r.due+`) BETWEEN ? AND ? AND `+free+`
		AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.campaign_id = ? AND o.patient_id = p.id AND o.cycle = `+r.cycle+`)
		ORDER BY p.id`, scan,
		flat(r.times(8), campaignID, r.args, from.AddMonths(-o.Months).AddDays(-3).String(), day.AddMonths(-o.Months).AddDays(3).String(),
			r.times(4), from.String(), day.String(), day.String(), day.String(), campaignID, r.times(4))...)
	if err != nil {
		return nil, mapError(err)
	}
	if o.Reminder <= 1 {
		return first, nil
	}
	cutoff := day.AddDays(-o.Every + 1).Time(loc).UTC().Format(time.RFC3339)
	more, err := queryAll(ctx, s, "read who is due for a follow-up", `SELECT p.id, o.cycle, o.reminder + 1, `+r.due+`
		FROM outbox o JOIN patients p ON p.id = o.patient_id `+held+`
		WHERE o.campaign_id = ? AND o.cycle IS NOT NULL AND o.status = 'sent' AND o.reminder < ? AND o.sent_at < ?
		AND NOT EXISTS (SELECT 1 FROM outbox o2 WHERE o2.campaign_id = o.campaign_id AND o2.patient_id = o.patient_id
			AND o2.cycle = o.cycle AND o2.reminder > o.reminder)
		AND o.cycle = `+r.cycle+` AND `+free+`
		ORDER BY p.id`, scan,
		flat(r.times(4), campaignID, campaignID, o.Reminder, cutoff, r.times(4), day.String(), day.String())...)
	if err != nil {
		return nil, mapError(err)
	}
	return append(first, more...), nil
}

// RecallHold is a patient's own recall: a due date set by hand, or the
// recall paused until a day (Forever: for good), with the reason.
type RecallHold struct {
	Due      Date // zero: from the last visit
	OffUntil Date // zero: not paused
	Reason   string
}

// SetRecallHold sets (or, with a zero hold, clears) a patient's own
// recall of a campaign; nothing else is changed or deleted.
func (s *Store) SetRecallHold(ctx context.Context, campaignID, patientID int64, h RecallHold) error {
	h.Reason = OneLine(h.Reason)
	if !h.OffUntil.IsZero() && h.Reason == "" {
		return &ValidationError{"reason", "Say why the recall is paused (the next person to look will want to know)."}
	}
	return s.inTx(ctx, func(tx *Tx) error {
		var err error
		if h.Due.IsZero() && h.OffUntil.IsZero() {
			_, err = tx.ExecContext(ctx, `DELETE FROM recall_holds WHERE campaign_id = ? AND patient_id = ?`, campaignID, patientID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO recall_holds (campaign_id, patient_id, due_date, off_until, reason, updated_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (campaign_id, patient_id) DO UPDATE SET due_date = excluded.due_date,
				off_until = excluded.off_until, reason = excluded.reason, updated_at = excluded.updated_at`,
				campaignID, patientID, nullString(h.Due.String()), nullString(h.OffUntil.String()), h.Reason, s.stamp())
		}
		if err != nil {
			return err
		}
		what := "back to its usual course"
		switch {
		case h.OffUntil == Forever:
			what = "off for good: " + h.Reason
		case !h.OffUntil.IsZero():
			what = fmt.Sprintf("paused until %s: %s", h.OffUntil, h.Reason)
		case !h.Due.IsZero():
			what = "due on " + h.Due.String()
		}
		return s.auditTx(ctx, tx, "recall", fmt.Sprintf("patient #%d, campaign #%d: recall %s", patientID, campaignID, what))
	})
}

// RecallReminder is a reminder of a patient's recall as it went.
type RecallReminder struct {
	Number int
	Status string
	Reason string
	At     time.Time // sent, else queued
}

// RecallState is a patient's recall of a campaign as it stands.
type RecallState struct {
	Due       Date // zero: no visit of the service yet
	ByHand    bool // the due date was set by hand
	Hold      RecallHold
	Booked    Appointment // the appointment ahead, if any (ID 0: none)
	Reminders []RecallReminder
}

// RecallOf reads a patient's recall of a campaign on a day.
func (s *Store) RecallOf(ctx context.Context, campaignID, patientID int64, o RecallOptions, day Date) (RecallState, error) {
	var st RecallState
	r := newRecallSQL(s.eng, o.Service, o.Months)
	var due, cycle, hDue, hOff, reason string
	err := s.db.QueryRowContext(ctx, `SELECT `+r.due+`, `+r.cycle+`, coalesce(h.due_date, ''), coalesce(h.off_until, ''), coalesce(h.reason, '')
		FROM patients p LEFT JOIN recall_holds h ON h.campaign_id = ? AND h.patient_id = p.id WHERE p.id = ?`,
		flat(r.times(8), campaignID, patientID)...).Scan(&due, &cycle, &hDue, &hOff, &reason)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("patient %d: %w", patientID, ErrNotFound)
	}
	if err != nil {
		return st, mapError(err)
	}
	st.Due, _ = ParseDate(due)
	st.ByHand = len(cycle) > 0 && cycle[0] == 'd'
	st.Hold.Due, _ = ParseDate(hDue)
	st.Hold.OffUntil, _ = ParseDate(hOff)
	st.Hold.Reason = reason
	appts, err := queryAll(ctx, s, "read the appointments", `SELECT `+apptColumns+` FROM appointments a
		WHERE a.patient_id = ? AND a.status = 'booked' AND a.starts_at >= ? ORDER BY a.starts_at LIMIT 1`, scanAppt, patientID, day.String())
	if err != nil {
		return st, mapError(err)
	}
	if len(appts) > 0 {
		st.Booked = appts[0]
	}
	st.Reminders, err = queryAll(ctx, s, "read the reminders", `SELECT reminder, status, reason, coalesce(sent_at, queued_at)
		FROM outbox WHERE campaign_id = ? AND patient_id = ? AND cycle = ? ORDER BY reminder`,
		func(row scanner) (RecallReminder, error) {
			var m RecallReminder
			var at string
			err := row.Scan(&m.Number, &m.Status, &m.Reason, &at)
			m.At, _ = time.Parse(time.RFC3339, at)
			return m, err
		}, campaignID, patientID, cycle)
	return st, mapError(err)
}
