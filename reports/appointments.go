package reports

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"kindly/data"
)

// PlanAppointments is the dry run of an appointment import: each row names
// a patient (as a visit row does), a day, perhaps a time, the service and
// the status. A row the export already gave (the same appointment id, else
// the same patient and start) updates it: importing tomorrow's list again
// never makes a second appointment.
func PlanAppointments(ctx context.Context, s *data.Store, t *Table, o Options) (*Plan, error) {
	p, err := prepare(ctx, s, t, o, apptFields, FieldVisitDate, FieldBirthDate)
	if err != nil {
		return nil, err
	}
	if p.Mapping.column(FieldVisitDate) < 0 {
		return nil, fmt.Errorf("an appointment import needs a date column")
	}
	if p.Mapping.column(FieldExternalID) < 0 && p.Mapping.column(FieldEmail) < 0 {
		return nil, fmt.Errorf("an appointment import needs a patient id or an email column to find the patient")
	}
	if p.today, err = s.Today(ctx); err != nil {
		return nil, err
	}
	ap := &apptPlanner{vp: &visitPlanner{p: p}, byExt: map[string]data.Appointment{}, byStart: map[string]data.Appointment{}}
	if ap.vp.ex, err = loadExisting(ctx, s); err != nil {
		return nil, err
	}
	if err := s.EachAppointment(ctx, ap.remember); err != nil {
		return nil, err
	}
	for i := p.HeaderRow; i < len(t.Rows); i++ {
		if cells := t.Rows[i]; !blank(cells) {
			p.Rows = append(p.Rows, ap.row(i, cells))
		}
	}
	return p, p.finish()
}

// apptPlanner plans appointment rows against the appointments known, the
// rows above included.
type apptPlanner struct {
	vp      *visitPlanner
	byExt   map[string]data.Appointment
	byStart map[string]data.Appointment
}

func (ap *apptPlanner) remember(a data.Appointment) {
	if a.ExternalID != "" {
		ap.byExt[a.ExternalID] = a
	} else {
		ap.byStart[fmt.Sprint(a.PatientID, "|", a.StartsAt())] = a
	}
}

func (ap *apptPlanner) row(i int, cells []string) RowResult {
	p := ap.vp.p
	r := RowResult{Row: i + 1, Cells: cells}
	reject := func(format string, args ...any) RowResult {
		r.Action, r.Reason = ActionReject, fmt.Sprintf(format, args...)
		return r
	}
	get := func(f Field) string { v, _ := p.cell(cells, f); return v }
	day, clock, err := p.dayAndTime(get(FieldVisitDate), get(FieldTime))
	switch {
	case err != nil:
		return reject("%v", err)
	case day.IsZero():
		return reject("no appointment date")
	}
	status, ok := data.ParseApptStatus(get(FieldStatus))
	if !ok {
		return reject("status %q is not booked, cancelled, no-show or completed", get(FieldStatus))
	}
	born, err := parseDate(get(FieldBirthDate), p.DateOrder, p.Table.Date1904, p.today)
	if err != nil {
		return reject("birth date: %v", err)
	}
	patientID, why := ap.vp.patient(cleanNumberText(get(FieldExternalID)), data.NormalizeEmail(get(FieldEmail)), born)
	if patientID == 0 {
		return reject("%s", why)
	}
	a := data.Appointment{PatientID: patientID, ExternalID: cleanNumberText(get(FieldAppointmentID)), Day: day, Time: clock,
		Service: get(FieldService), Provider: get(FieldProvider), Status: status}
	r.Appointment = a
	r.Action, r.Reason = ap.change(a)
	ap.remember(a)
	return r
}

// change is what importing an appointment does: add it, update the one
// the export gave before (and what changed), or nothing.
func (ap *apptPlanner) change(a data.Appointment) (Action, string) {
	old, known := ap.byExt[a.ExternalID]
	if a.ExternalID == "" {
		old, known = ap.byStart[fmt.Sprint(a.PatientID, "|", a.StartsAt())]
	}
	switch {
	case !known:
		return ActionAdd, ""
	case old.PatientID == a.PatientID && old.StartsAt() == a.StartsAt() && old.Service == a.Service && old.Provider == a.Provider && old.Status == a.Status:
		return ActionUnchanged, ""
	}
	var what []string
	if old.StartsAt() != a.StartsAt() {
		what = append(what, "moved from "+old.StartsAt())
	}
	if old.Status != a.Status {
		what = append(what, strings.ReplaceAll(a.Status, "_", "-"))
	}
	if len(what) == 0 {
		what = append(what, "details")
	}
	return ActionUpdate, strings.Join(what, ", ")
}

// dayAndTime reads an appointment's start: a date cell that may hold the
// time too ("12/8/2026 9:30 AM", "2026-12-08T09:30", an Excel serial with
// a fraction), and a time cell, which wins when given.
func (p *Plan) dayAndTime(date, clock string) (data.Date, string, error) {
	date = strings.TrimSpace(date)
	var inCell string
	if serialNumber.MatchString(date) {
		if f, err := strconv.ParseFloat(date, 64); err == nil && f != float64(int64(f)) {
			minutes := int((f-float64(int64(f)))*24*60 + 0.5)
			inCell = fmt.Sprintf("%02d:%02d", minutes/60%24, minutes%60)
			date = strconv.FormatInt(int64(f), 10)
		}
	} else if d, t, ok := strings.Cut(strings.Replace(date, "T", " ", 1), " "); ok && strings.ContainsAny(t, ":.h") {
		date, inCell = d, t
	}
	day, err := parseDate(date, p.DateOrder, p.Table.Date1904, p.today)
	if err != nil {
		return day, "", fmt.Errorf("appointment date: %v", err)
	}
	if strings.TrimSpace(clock) == "" {
		clock = inCell
	}
	if serialNumber.MatchString(strings.TrimSpace(clock)) { // a time cell as a fraction of a day
		if f, err := strconv.ParseFloat(strings.TrimSpace(clock), 64); err == nil && f < 1 {
			minutes := int(f*24*60 + 0.5)
			clock = fmt.Sprintf("%02d:%02d", minutes/60%24, minutes%60)
		}
	}
	t, err := data.ParseClock(clock)
	if err != nil {
		return day, "", fmt.Errorf("appointment time: %v", err)
	}
	return day, t, nil
}

// WriteAppointments writes an appointment plan's new and changed
// appointments into b (the caller's transaction: every row, or none).
func WriteAppointments(ctx context.Context, b *data.Batch, p *Plan, progress func(done, total int)) error {
	done, total := 0, p.Added+p.Updated
	for _, r := range p.Rows {
		if r.Action != ActionAdd && r.Action != ActionUpdate {
			continue
		}
		if err := b.SaveAppointment(r.Appointment); err != nil {
			return cancelled(ctx, fmt.Errorf("row %d: %w", r.Row, err))
		}
		if done++; done%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if progress != nil {
				progress(done, total)
			}
		}
	}
	if progress != nil {
		progress(total, total)
	}
	return ctx.Err()
}
