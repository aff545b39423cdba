package workflow

import (
	"context"

	"kindly/data"
)

// Patients lists a page of the patients matching q.
func (w *Workflow) Patients(ctx context.Context, q data.PatientQuery) ([]data.Patient, error) {
	return w.store.Patients(ctx, q)
}

// CountPatients counts the patients matching q.
func (w *Workflow) CountPatients(ctx context.Context, q data.PatientQuery) (int, error) {
	return w.store.CountPatients(ctx, q)
}

// PatientPage is the first page of a search and how many match.
type PatientPage struct {
	Total int
	Rows  []data.Patient
}

// FirstPage counts the matches of q and reads its first page of limit rows.
func (w *Workflow) FirstPage(ctx context.Context, q data.PatientQuery, limit int) (PatientPage, error) {
	n, err := w.store.CountPatients(ctx, q)
	if err != nil {
		return PatientPage{}, err
	}
	q.Offset, q.Limit = 0, limit
	rows, err := w.store.Patients(ctx, q)
	return PatientPage{n, rows}, err
}

// FindPatient is the first patient matching what was typed (a name, an
// email, a phone number), archived ones too when withArchived; false when
// nobody matches.
func (w *Workflow) FindPatient(ctx context.Context, typed string, withArchived bool) (data.Patient, bool, error) {
	ps, err := w.store.Patients(ctx, data.PatientQuery{Search: typed, Limit: 1, IncludeArchived: withArchived})
	if err != nil || len(ps) == 0 {
		return data.Patient{}, false, err
	}
	return ps[0], true, nil
}

// PatientRecord is a patient as saved, with their tags.
type PatientRecord struct {
	Patient data.Patient
	Tags    []string
}

// Patient loads a patient with their tags.
func (w *Workflow) Patient(ctx context.Context, id int64) (PatientRecord, error) {
	p, err := w.store.Patient(ctx, id)
	if err != nil {
		return PatientRecord{}, err
	}
	tags, err := w.store.Tags(ctx, id)
	return PatientRecord{p, tags}, err
}

// ConsentAtFrontDesk is the source of a consent changed in the window.
const ConsentAtFrontDesk = "front desk"

// SavePatient adds (ID 0) or saves a patient with their tags in one
// transaction; a changed consent is stamped now as given at the front
// desk, and the audit log notes it.
func (w *Workflow) SavePatient(ctx context.Context, p data.Patient, tags []string) (data.Patient, error) {
	err := w.store.SavePatient(ctx, &p, tags, ConsentAtFrontDesk)
	return p, err
}

// SetArchived archives (moved away, deceased: no more emails, kept in
// reports) or restores a patient.
func (w *Workflow) SetArchived(ctx context.Context, id int64, archived bool) error {
	return w.store.SetArchived(ctx, id, archived)
}

// Visits lists a patient's visits, newest first.
func (w *Workflow) Visits(ctx context.Context, id int64) ([]data.Visit, error) {
	return w.store.Visits(ctx, id)
}

// AddVisit records a visit.
func (w *Workflow) AddVisit(ctx context.Context, v data.Visit) error {
	return w.store.AddVisit(ctx, &v)
}
