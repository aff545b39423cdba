package reports

import (
	"context"
	"fmt"

	"kindly/data"
)

// PlanVisits is the dry run of a visit import: each row names a patient
// (practice id, else email and birth date, else an email only one patient
// has), a date and a service.
func PlanVisits(ctx context.Context, s *data.Store, t *Table, o Options) (*Plan, error) {
	p, err := prepare(ctx, s, t, o, visitFields, FieldVisitDate, FieldBirthDate)
	if err != nil {
		return nil, err
	}
	if p.Mapping.column(FieldVisitDate) < 0 || p.Mapping.column(FieldService) < 0 {
		return nil, fmt.Errorf("a visit import needs a date column and a service column")
	}
	if p.Mapping.column(FieldExternalID) < 0 && p.Mapping.column(FieldEmail) < 0 {
		return nil, fmt.Errorf("a visit import needs a patient id or an email column to find the patient")
	}
	today, err := s.Today(ctx)
	if err != nil {
		return nil, err
	}
	p.today = today
	ex, err := loadExisting(ctx, s)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	if err := s.EachVisitKey(ctx, func(id int64, key, date string) { known[fmt.Sprint(id, "|", key, "|", date)] = true }); err != nil {
		return nil, err
	}
	for i := p.HeaderRow; i < len(t.Rows); i++ {
		cells := t.Rows[i]
		if blank(cells) {
			continue
		}
		r := RowResult{Row: i + 1, Cells: cells}
		reject := func(format string, args ...any) {
			r.Action, r.Reason = ActionReject, fmt.Sprintf(format, args...)
			p.Rows = append(p.Rows, r)
		}
		get := func(f Field) string { v, _ := p.cell(cells, f); return v }
		date, err := parseDate(get(FieldVisitDate), p.DateOrder, p.Table.Date1904, today)
		if err != nil {
			reject("visit date: %v", err)
			continue
		}
		if date.IsZero() {
			reject("no visit date")
			continue
		}
		service := get(FieldService)
		if service == "" {
			reject("no service")
			continue
		}
		born, err := parseDate(get(FieldBirthDate), p.DateOrder, p.Table.Date1904, today)
		if err != nil {
			reject("birth date: %v", err)
			continue
		}
		ext, email := cleanNumberText(get(FieldExternalID)), data.NormalizeEmail(get(FieldEmail))
		var patientID int64
		switch {
		case ext != "":
			if m := ex.byExternal[ext]; m != nil {
				patientID = m.ID
			}
		case email != "" && !born.IsZero():
			if ms := ex.byKey[emailBornKey(email, born)]; len(ms) == 1 {
				patientID = ms[0].ID
			}
		case email != "":
			if ms := ex.byEmail[email]; len(ms) == 1 {
				patientID = ms[0].ID
			} else if len(ms) > 1 {
				reject("%d patients share the email %s; add a birth date or patient id column", len(ms), email)
				continue
			}
		}
		if patientID == 0 {
			reject("no patient matches (practice id %q, email %q)", ext, email)
			continue
		}
		r.Visit = data.Visit{PatientID: patientID, Date: date, Service: service}
		key := fmt.Sprint(patientID, "|", data.ServiceKey(service), "|", date.String())
		if known[key] {
			r.Action = ActionUnchanged
		} else {
			known[key] = true
			r.Action = ActionAdd
		}
		p.Rows = append(p.Rows, r)
	}
	return p, p.finish()
}

// WriteVisits writes a visit plan's new visits into b (the caller's
// transaction: every row lands, or none does).
func WriteVisits(ctx context.Context, b *data.Batch, p *Plan, progress func(done, total int)) error {
	done := 0
	for _, r := range p.Rows {
		if r.Action != ActionAdd {
			continue
		}
		if err := b.AddVisit(r.Visit); err != nil {
			return fmt.Errorf("row %d: %w", r.Row, err)
		}
		if done++; done%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if progress != nil {
				progress(done, p.Added)
			}
		}
	}
	if progress != nil {
		progress(p.Added, p.Added)
	}
	return ctx.Err()
}
