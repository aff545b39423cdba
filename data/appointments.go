package data

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Appointment statuses, as the practice system's export says them.
const (
	ApptBooked    = "booked"
	ApptCancelled = "cancelled"
	ApptNoShow    = "no_show"
	ApptCompleted = "completed"
)

// Appointment is a booked (or cancelled, missed, kept) appointment from
// the practice system's export.
type Appointment struct {
	ID         int64
	PatientID  int64
	ExternalID string // the export's appointment id; "" when it has none
	Day        Date
	Time       string // "09:30", the practice's time; "" when the export gives no time
	Service    string
	Provider   string
	Status     string
}

// StartsAt is how the start is stored and compared: "2026-12-08 09:30".
func (a Appointment) StartsAt() string {
	t := a.Time
	if t == "" {
		t = "00:00"
	}
	return a.Day.String() + " " + t
}

// When is the appointment in words: "Tuesday 8 December 2026 at 09:30".
func (a Appointment) When() string {
	s := fmt.Sprintf("%s %d %s %d", a.Day.Time(time.UTC).Weekday(), a.Day.Day, a.Day.Month, a.Day.Year)
	if a.Time != "" && a.Time != "00:00" {
		s += " at " + a.Time
	}
	return s
}

// ParseApptStatus reads a status as exports write it ("Scheduled",
// "Broken", "Complete", "abgesagt", Open Dental's numbers, ...); ok is
// false when it is none Kindly knows. An appointment that is not on the
// schedule (Open Dental's "Planned" or "UnschedList") is read as
// cancelled: it is never reminded, and holds no recall back.
func ParseApptStatus(s string) (string, bool) {
	k := strings.ToLower(strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' }), ""))
	switch k {
	case "", "booked", "scheduled", "confirmed", "open", "unconfirmed", "asap", "gebucht", "geplant", "vereinbart", "bestätigt", "réservé", "confirmé",
		"reservado", "confirmado", "programado", "1", "4":
		return ApptBooked, true
	case "cancelled", "canceled", "broken", "deleted", "planned", "unschedlist", "unscheduled", "abgesagt", "storniert", "annulé",
		"cancelado", "cancelada", "3", "5", "6":
		return ApptCancelled, true
	case "noshow", "missed", "failed", "nichterschienen", "absent", "nonhonoré", "nonhonore", "absence", "noapareció", "ausente":
		return ApptNoShow, true
	case "completed", "complete", "done", "attended", "arrived", "checkedout", "erledigt", "erschienen", "wahrgenommen", "terminé", "honoré",
		"honore", "completado", "atendido", "2":
		return ApptCompleted, true
	}
	return "", false
}

// ParseClock reads a time of day ("9:30", "09:30:00", "9.30", "2:15 PM",
// "14h15") into "HH:MM".
func ParseClock(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", nil
	}
	pm, am := strings.HasSuffix(s, "pm") || strings.HasSuffix(s, "p.m."), strings.HasSuffix(s, "am") || strings.HasSuffix(s, "a.m.")
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, "pm"), "am"), "p.m."), "a.m."))
	s = strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(s, "uhr")), "h")
	var h, m, sec int
	var n int
	for _, sep := range []string{":", ".", "h"} {
		if n, _ = fmt.Sscanf(s, "%d"+sep+"%d"+sep+"%d", &h, &m, &sec); n >= 2 {
			break
		}
	}
	if n < 2 {
		if _, err := fmt.Sscanf(s, "%d", &h); err != nil || strings.ContainsAny(s, ":.") {
			return "", fmt.Errorf("%q is not a time of day", s)
		}
	}
	switch {
	case pm && h < 12:
		h += 12
	case am && h == 12:
		h = 0
	}
	if h < 0 || h > 23 || m < 0 || m > 59 {
		return "", fmt.Errorf("%q is not a time of day", s)
	}
	return fmt.Sprintf("%02d:%02d", h, m), nil
}

// SaveAppointment adds an appointment, or updates the one the export
// already gave (the same appointment id, else the same patient and start):
// importing tomorrow's list again updates, never duplicates.
func (b *Batch) SaveAppointment(a Appointment) error {
	if a.PatientID == 0 || a.Day.IsZero() {
		return &ValidationError{"appointment", "An appointment needs a patient and a day."}
	}
	if a.Status == "" {
		a.Status = ApptBooked
	}
	if err := b.writeKept(); err != nil { // the patient may be one of them
		return err
	}
	now := b.s.stamp()
	var err error
	if a.ExternalID != "" {
		_, err = b.tx.ExecContext(b.ctx, `INSERT INTO appointments (patient_id, external_id, starts_at, service, service_key, provider, status, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (external_id) DO UPDATE SET patient_id = excluded.patient_id, starts_at = excluded.starts_at,
				service = excluded.service, service_key = excluded.service_key, provider = excluded.provider,
				status = excluded.status, updated_at = excluded.updated_at`,
			a.PatientID, a.ExternalID, a.StartsAt(), a.Service, ServiceKey(a.Service), a.Provider, a.Status, now)
	} else {
		_, err = b.tx.ExecContext(b.ctx, `INSERT INTO appointments (patient_id, starts_at, service, service_key, provider, status, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (patient_id, starts_at) WHERE external_id IS NULL DO UPDATE SET service = excluded.service,
				service_key = excluded.service_key, provider = excluded.provider, status = excluded.status, updated_at = excluded.updated_at`,
			a.PatientID, a.StartsAt(), a.Service, ServiceKey(a.Service), a.Provider, a.Status, now)
	}
	return err
}

// EachAppointment calls fn for every stored appointment (the import
// compares with them).
func (s *Store) EachAppointment(ctx context.Context, fn func(Appointment)) error {
	return s.eachRow(ctx, "read appointments", `SELECT `+apptColumns+` FROM appointments a`, nil, func(row scanner) error {
		a, err := scanAppt(row)
		if err == nil {
			fn(a)
		}
		return err
	})
}

const apptColumns = `a.id, a.patient_id, coalesce(a.external_id, ''), a.starts_at, a.service, a.provider, a.status`

func scanAppt(row scanner) (Appointment, error) {
	var a Appointment
	var start string
	err := row.Scan(&a.ID, &a.PatientID, &a.ExternalID, &start, &a.Service, &a.Provider, &a.Status)
	if err != nil {
		return a, err
	}
	day, clock, _ := strings.Cut(start, " ")
	a.Day, _ = ParseDate(day)
	if clock != "00:00" {
		a.Time = clock
	}
	return a, nil
}

// Appointments lists a patient's appointments, the latest first.
func (s *Store) Appointments(ctx context.Context, patientID int64) ([]Appointment, error) {
	out, err := queryAll(ctx, s, "read the appointments", `SELECT `+apptColumns+` FROM appointments a
		WHERE a.patient_id = ? ORDER BY a.starts_at DESC`, scanAppt, patientID)
	return out, mapError(err)
}

// AppointmentsOn lists the booked appointments of a day, earliest first,
// each patient's first only (one reminder per patient and day).
func (s *Store) AppointmentsOn(ctx context.Context, day Date) (map[int64]Appointment, error) {
	list, err := queryAll(ctx, s, "read the day's appointments", `SELECT `+apptColumns+` FROM appointments a
		WHERE a.status = 'booked' AND a.starts_at >= ? AND a.starts_at < ? ORDER BY a.starts_at, a.id`,
		scanAppt, day.String(), day.AddDays(1).String())
	if err != nil {
		return nil, mapError(err)
	}
	out := map[int64]Appointment{}
	for _, a := range list {
		if _, ok := out[a.PatientID]; !ok {
			out[a.PatientID] = a
		}
	}
	return out, nil
}

// appointmentStillSQL is true when an outbox row's appointment (if it has
// one) is still booked at the time it was queued for.
const appointmentStillSQL = `(outbox.appointment_id IS NULL OR EXISTS (SELECT 1 FROM appointments a
	WHERE a.id = outbox.appointment_id AND a.status = 'booked' AND a.starts_at = outbox.appointment_at))`
