package data

import (
	"context"
	"testing"
)

// TestCountsFollowEveryChange counts segments after each kind of change a
// practice makes (a form, tags, visits added, moved and removed, an
// import, archiving, a deletion) and holds every count to the members the
// patients table gives. On the practice server the counts come from
// patient_facts, which the triggers keep: this is where it would drift.
func TestCountsFollowEveryChange(t *testing.T) {
	s, ids := segmentFixture(t)
	ctx := context.Background()
	all := func(rs ...Rule) Rule { return Rule{Kind: KindAll, Rules: rs} }
	rules := []Rule{
		all(Rule{Kind: KindAge, Min: ptr(65)}, Rule{Kind: KindEmail, Op: "has"}),
		all(Rule{Kind: KindEmail, Op: "has_not"}),
		all(Rule{Kind: KindTag, Op: "has", Value: "cosmetic"}),
		all(Rule{Kind: KindVisit, Service: "flu shot", Op: VisitNotSince, Month: 9}),
		all(Rule{Kind: KindVisit, Service: "flu shot", Op: VisitSince, Month: 9}),
		all(Rule{Kind: KindVisit, Service: "Skin Check", Op: VisitEver}),
		all(Rule{Kind: KindVisit, Op: VisitMoreThan, Months: 6}),
		all(Rule{Kind: KindVisit, Service: "annual physical", Op: VisitLastIn, Date: "2025-01-01", Until: "2025-12-31"}),
		all(Rule{Kind: KindVisit, Service: "never offered", Op: VisitNever}),
		all(Rule{Kind: KindVisit, Service: "never offered", Op: VisitEver}),
		all(Rule{Kind: KindConsent, Value: ConsentPromoOptedIn}),
		all(Rule{Kind: KindConsent, Value: ConsentDoNotContact}),
		all(Rule{Kind: KindBirthday, Op: "month", Month: 12}),
		all(Rule{Kind: KindPostal, Value: "100"}),
		all(Rule{Kind: KindSex, Value: "M"}),
	}
	agree := func(step string) {
		t.Helper()
		t.Run("after "+step, func(t *testing.T) {
			for _, r := range rules {
				members(t, s, r) // the count held to the members listed
			}
		})
	}
	agree("the fixture")

	p, err := s.Patient(ctx, ids["turns65today"])
	if err != nil {
		t.Fatal(err)
	}
	p.Email, p.PostalCode, p.Sex, p.PromoConsent = "tia@example.com", "10003", "M", PromoOptedIn
	p.BirthDate = Date{1950, 12, 1}
	if err := s.UpdatePatient(ctx, &p); err != nil {
		t.Fatal(err)
	}
	agree("a form's save")

	if err := s.SetTags(ctx, ids["senior"], []string{"cosmetic"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTags(ctx, ids["turns65today"], nil); err != nil {
		t.Fatal(err)
	}
	agree("tags changed")

	flu := Visit{PatientID: ids["child"], Date: Date{2026, 10, 2}, Service: "FLU shot"}
	skin := Visit{PatientID: ids["nobirth"], Date: Date{2025, 3, 3}, Service: "skin check"}
	for _, v := range []*Visit{&flu, &skin, {PatientID: ids["leapling"], Date: Date{2025, 6, 1}, Service: "annual physical"}} {
		if err := s.AddVisit(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	agree("visits added, a service new to the practice among them")

	if err := s.DeleteVisit(ctx, flu.ID); err != nil {
		t.Fatal(err)
	}
	agree("a visit removed")

	if err := s.SetArchived(ctx, ids["senior"], true); err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePatient(ctx, ids["senior-jabbed"]); err != nil {
		t.Fatal(err)
	}
	agree("archived and deleted")

	leap, err := s.Patient(ctx, ids["leapling"])
	if err != nil {
		t.Fatal(err)
	}
	leap.Email, leap.PromoConsent = "", PromoOptedIn
	err = s.WithBatch(ctx, func(b *Batch) error {
		if err := b.UpdatePatient(&leap); err != nil {
			return err
		}
		for i, email := range []string{"new1@example.com", ""} {
			np := Patient{FirstName: "New", LastName: []string{"One", "Two"}[i], Email: email, BirthDate: Date{1940 + i*50, 12, 24}}
			if err := b.AddPatient(&np, "cosmetic"); err != nil {
				return err
			}
			if err := b.AddVisit(Visit{PatientID: np.ID, Date: Date{2026, 9, 15}, Service: "Flu Shot"}); err != nil {
				return err
			}
		}
		if err := b.AddVisit(Visit{PatientID: ids["nobirth"], Date: Date{2026, 11, 1}, Service: "skin check"}); err != nil {
			return err
		}
		return b.AddTag(ids["child"], "cosmetic")
	})
	if err != nil {
		t.Fatal(err)
	}
	agree("an import")

	if s.Server() {
		// Services are numbered without gaps: the numbers are positions in
		// every patient's array, and each save of a patient with visits
		// offers its services again.
		var n, most int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*), max(n) FROM services`).Scan(&n, &most); err != nil {
			t.Fatal(err)
		}
		if n != most || n < 4 {
			t.Errorf("%d services numbered up to %d", n, most)
		}
	}
}
