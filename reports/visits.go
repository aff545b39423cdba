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
	if p.today, err = s.Today(ctx); err != nil {
		return nil, err
	}
	vp := &visitPlanner{p: p, known: map[string]bool{}}
	if vp.ex, err = loadExisting(ctx, s); err != nil {
		return nil, err
	}
	if err := s.EachVisitKey(ctx, func(id int64, key, date string) { vp.known[fmt.Sprint(id, "|", key, "|", date)] = true }); err != nil {
		return nil, err
	}
	for i := p.HeaderRow; i < len(t.Rows); i++ {
		if cells := t.Rows[i]; !blank(cells) {
			p.Rows = append(p.Rows, vp.row(i, cells))
		}
	}
	return p, p.finish()
}

// visitPlanner plans visit rows: the patients there are, and the visits
// known (by patient, service and day), those of the sheet's rows above too.
type visitPlanner struct {
	p     *Plan
	ex    *existing
	known map[string]bool
}

// row plans one row of the sheet (i counts from 0).
func (vp *visitPlanner) row(i int, cells []string) RowResult {
	p := vp.p
	r := RowResult{Row: i + 1, Cells: cells}
	reject := func(format string, args ...any) RowResult {
		r.Action, r.Reason = ActionReject, fmt.Sprintf(format, args...)
		return r
	}
	get := func(f Field) string { v, _ := p.cell(cells, f); return v }
	date, err := parseDate(get(FieldVisitDate), p.DateOrder, p.Table.Date1904, p.today)
	switch {
	case err != nil:
		return reject("visit date: %v", err)
	case date.IsZero():
		return reject("no visit date")
	}
	service := get(FieldService)
	if service == "" {
		return reject("no service")
	}
	born, err := parseDate(get(FieldBirthDate), p.DateOrder, p.Table.Date1904, p.today)
	if err != nil {
		return reject("birth date: %v", err)
	}
	ext, email := cleanNumberText(get(FieldExternalID)), data.NormalizeEmail(get(FieldEmail))
	patientID, why := vp.patient(ext, email, born)
	if patientID == 0 {
		return reject("%s", why)
	}
	r.Visit = data.Visit{PatientID: patientID, Date: date, Service: service}
	key := fmt.Sprint(patientID, "|", data.ServiceKey(service), "|", date.String())
	r.Action = ActionUnchanged
	if !vp.known[key] {
		vp.known[key] = true
		r.Action = ActionAdd
	}
	return r
}

// patient finds the row's patient: by practice id, else by email and birth
// date, else by an email only one patient has; 0 and why not otherwise.
func (vp *visitPlanner) patient(ext, email string, born data.Date) (int64, string) {
	ex := vp.ex
	switch {
	case ext != "":
		if m := ex.byExternal[ext]; m != nil {
			return m.ID, ""
		}
	case email != "" && !born.IsZero():
		if ms := ex.byKey[emailBornKey(email, born)]; len(ms) == 1 {
			return ms[0].ID, ""
		}
	case email != "":
		if ms := ex.byEmail[email]; len(ms) == 1 {
			return ms[0].ID, ""
		} else if len(ms) > 1 {
			return 0, fmt.Sprintf("%d patients share the email %s; add a birth date or patient id column", len(ms), email)
		}
	}
	return 0, fmt.Sprintf("no patient matches (practice id %q, email %q)", ext, email)
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
			return cancelled(ctx, fmt.Errorf("row %d: %w", r.Row, err))
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
