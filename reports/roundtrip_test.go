package reports

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"kindly/data"
	"kindly/data/demo"
)

// A practice's own export imports back into an empty database with every
// patient, tag and consent as it was: moving to a new computer by
// spreadsheet loses nobody's opt-out.
func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	from := newStore(t)
	if err := demo.Fill(ctx, from, demo.Options{Patients: 400, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "patients.xlsx")
	if _, err := ExportPatients(ctx, from, "", out, nil); err != nil {
		t.Fatal(err)
	}
	to := newStore(t)
	p, _, err := importPatients(ctx, to, out, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Rejected > 0 {
		t.Errorf("%d of the practice's own rows rejected, e.g. %+v", p.Rejected, p.RowErrors()[0])
	}
	key := func(p data.Patient) string { return p.ExternalID + "|" + p.Email + "|" + p.LastName }
	show := func(p data.Patient, tags []string) string {
		return fmt.Sprintf("%s %s %q %q %s %s %s %s %q care=%s promo=%s dnc=%v notes=%q tags=%v", p.FirstName, p.LastName,
			p.PreferredName, p.Phone, p.BirthDate, p.Sex, p.PostalCode, p.Language, p.Email, p.CareConsent, p.PromoConsent,
			p.DoNotContact, p.Notes, tags)
	}
	consents := map[string]int{}
	state := func(s *data.Store) map[string]string {
		tags, err := s.AllPatientTags(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		err = s.EachPatient(ctx, func(p data.Patient) error {
			if !p.Archived {
				tags := slices.Sorted(slices.Values(tags[p.ID]))
				m[key(p)] = show(p, tags)
				consents[p.CareConsent+" "+p.PromoConsent+fmt.Sprint(p.DoNotContact)]++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	want, got := state(from), state(to)
	if len(got) != len(want) {
		t.Errorf("%d patients imported, %d exported", len(got), len(want))
	}
	bad := 0
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			if bad++; bad <= 5 {
				t.Errorf("patient %s:\nexported %s\nimported %s", k, w, g)
			}
		}
	}
	// The demo has every kind of consent; the test means nothing otherwise.
	for _, c := range []string{"opted_out unknownfalse", "allowed opted_outfalse", "allowed opted_infalse", "allowed unknowntrue"} {
		if consents[c] == 0 {
			t.Errorf("no exported patient with consent %q: %v", c, consents)
		}
	}
	if bad > 0 {
		t.Errorf("%d patients differ", bad)
	}
}
