package data

import (
	"context"
	"fmt"
)

// FamilyMember is a queued row of a family email: whose it is, and which
// birthday, reminder or appointment.
type FamilyMember struct {
	OutboxID  int64
	PatientID int64
	Step      Step
}

// BrokenFamilies lists the queued family emails of an occurrence that name
// someone who may no longer get this purpose of email (opted out,
// archived, bounced since it was queued): each family's rows, the one
// carrying the email first. Sent as they are, the claim would refuse them
// whole; written again, the others still get theirs.
func (s *Store) BrokenFamilies(ctx context.Context, campaignID int64, occurrence, purpose string) ([][]FamilyMember, error) {
	consent, err := consentSQLFor(purpose)
	if err != nil {
		return nil, err
	}
	rows, err := queryAll(ctx, s, "read the family emails", `SELECT f.id, coalesce(f.patient_id, 0), coalesce(f.cycle, ''), coalesce(f.reminder, 0),
			coalesce(f.appointment_id, 0), coalesce(f.appointment_at, ''), coalesce(f.family_of, 0), l.patient_id
		FROM outbox l JOIN outbox f ON f.campaign_id = l.campaign_id AND f.occurrence = l.occurrence
			AND (f.id = l.id OR f.family_of = l.patient_id) AND f.status = 'queued'
		WHERE l.campaign_id = ? AND l.occurrence = ? AND l.status = 'queued' AND l.family_of IS NULL
		AND EXISTS (SELECT 1 FROM outbox x WHERE x.campaign_id = l.campaign_id AND x.occurrence = l.occurrence AND x.family_of = l.patient_id)
		AND EXISTS (SELECT 1 FROM outbox b WHERE b.campaign_id = l.campaign_id AND b.occurrence = l.occurrence AND b.status = 'queued'
			AND (b.id = l.id OR b.family_of = l.patient_id)
			AND NOT EXISTS (SELECT 1 FROM patients p WHERE p.id = b.patient_id AND `+consent+`))
		ORDER BY l.patient_id, f.family_of IS NOT NULL, f.id`,
		func(row scanner) (struct {
			m    FamilyMember
			lead int64
		}, error) {
			var r struct {
				m    FamilyMember
				lead int64
			}
			var reminder int
			var familyOf int64
			err := row.Scan(&r.m.OutboxID, &r.m.PatientID, &r.m.Step.Cycle, &reminder, &r.m.Step.AppointmentID, &r.m.Step.AppointmentAt, &familyOf, &r.lead)
			r.m.Step.Reminder = reminder
			return r, err
		}, campaignID, occurrence)
	if err != nil {
		return nil, fmt.Errorf("cannot read the family emails: %w", mapError(err))
	}
	var out [][]FamilyMember
	var lead int64 = -1
	for _, r := range rows {
		if r.lead != lead {
			out = append(out, nil)
			lead = r.lead
		}
		out[len(out)-1] = append(out[len(out)-1], r.m)
	}
	return out, nil
}

// AppointmentByID reads one appointment.
func (s *Store) AppointmentByID(ctx context.Context, id int64) (Appointment, error) {
	a, err := scanAppt(s.db.QueryRowContext(ctx, `SELECT `+apptColumns+` FROM appointments a WHERE a.id = ?`, id))
	return a, mapError(err)
}
