package workflow

import (
	"context"
	"reflect"
	"sort"
	"strings"

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

// PatientPage is the first page of a search and how many match: Total
// is exact when Counted, and otherwise only the page's length (the page
// was full: CountPatients says how many there are in all).
type PatientPage struct {
	Total   int
	Counted bool
	Rows    []data.Patient
}

// FirstPage reads the first page of limit rows of q's matches. A page that
// is not full says how many match; only a full one leaves the count to
// CountPatients, which a window runs after showing the page (counting
// 138,000 matches of "s" at 1,000,000 patients takes longer than the page).
func (w *Workflow) FirstPage(ctx context.Context, q data.PatientQuery, limit int) (PatientPage, error) {
	q.Offset, q.Limit = 0, limit
	rows, err := w.store.Patients(ctx, q)
	if err != nil {
		return PatientPage{}, err
	}
	return PatientPage{Total: len(rows), Counted: len(rows) < limit, Rows: rows}, nil
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
	err := w.store.SavePatient(ctx, &p, tags, ConsentAtFrontDesk, nil)
	return p, err
}

// SaveEditedPatient saves a patient changed in a form that loaded them as
// loaded: one changed meanwhile (on another computer, by an import, by an
// opt-out the inbox read) is not overwritten - the error is a
// *data.PatientChangedError with how they are now (Differences says what
// differs), and the practice chooses: keep theirs, or save again over
// them with SaveEditedPatient(theirs, ...).
func (w *Workflow) SaveEditedPatient(ctx context.Context, loaded PatientRecord, p data.Patient, tags []string) (data.Patient, error) {
	err := w.store.SavePatient(ctx, &p, tags, ConsentAtFrontDesk, &data.Loaded{Patient: loaded.Patient, Tags: loaded.Tags})
	return p, err
}

// Difference is one field of a patient as two people see it.
type Difference struct {
	Field, Theirs, Mine string
}

// Differences are the fields in which a patient as saved (theirs) and as
// edited (mine) differ, in words.
func Differences(theirs PatientRecord, mine data.Patient, mineTags []string) []Difference {
	t, m := theirs.Patient, mine
	pairs := []struct{ field, a, b string }{
		{"First name", t.FirstName, m.FirstName}, {"Last name", t.LastName, m.LastName},
		{"Preferred name", t.PreferredName, m.PreferredName}, {"Email", t.Email, m.Email}, {"Phone", t.Phone, m.Phone},
		{"Date of birth", t.BirthDate.String(), m.BirthDate.String()}, {"Sex", t.Sex, m.Sex},
		{"Postal code", t.PostalCode, m.PostalCode}, {"Language", t.Language, m.Language}, {"Notes", t.Notes, m.Notes},
		{"Care reminders", t.CareConsent, m.CareConsent}, {"Promotions", t.PromoConsent, m.PromoConsent},
		{"Do not contact", yesNo(t.DoNotContact), yesNo(m.DoNotContact)}, {"Archived", yesNo(t.Archived), yesNo(m.Archived)},
		{"Consent to care reminders", yesNo(!t.CareOptedInAt.IsZero()), yesNo(!m.CareOptedInAt.IsZero())},
		{"Email bounced", yesNo(!t.EmailBouncedAt.IsZero()), yesNo(!m.EmailBouncedAt.IsZero())},
		{"Tags", strings.Join(theirs.Tags, ", "), strings.Join(mineTags, ", ")},
	}
	var out []Difference
	for _, p := range pairs {
		if p.a != p.b {
			out = append(out, Difference{p.field, p.a, p.b})
		}
	}
	return out
}

// Merge is what saving an edit over a patient changed meanwhile keeps:
// each field the form changed (mine, against loaded) as the form has it,
// every other field as saved meanwhile (theirs); the tags likewise.
func Merge(loaded, theirs PatientRecord, mine data.Patient, mineTags []string) (data.Patient, []string) {
	out := theirs.Patient
	lv, tv, mv, ov := reflect.ValueOf(loaded.Patient), reflect.ValueOf(theirs.Patient), reflect.ValueOf(mine), reflect.ValueOf(&out).Elem()
	for i := 0; i < lv.NumField(); i++ {
		if !reflect.DeepEqual(mv.Field(i).Interface(), lv.Field(i).Interface()) {
			ov.Field(i).Set(mv.Field(i))
		} else {
			ov.Field(i).Set(tv.Field(i))
		}
	}
	tags := theirs.Tags
	if !sameTags(mineTags, loaded.Tags) {
		tags = mineTags
	}
	return out, tags
}

func sameTags(a, b []string) bool {
	norm := func(l []string) string {
		c := make([]string, len(l))
		for i, t := range l {
			c[i] = strings.ToLower(strings.TrimSpace(t))
		}
		sort.Strings(c)
		return strings.Join(c, "\x1e")
	}
	return norm(a) == norm(b)
}

func yesNo(b bool) string { return map[bool]string{true: "yes", false: "no"}[b] }

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
