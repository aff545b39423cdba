package data_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"kindly/data"
	"kindly/data/demo"
	"kindly/internal/storetest"
)

// TestRandomRulesCountAsTheirMembers draws 400 rule trees over a sample
// practice and holds each count to the members listed. On the practice
// server the count reads patient_facts (numbers for dates, an array of
// last visits) and the members the patients table (the visit summary's
// text): two ways of writing every rule, which must agree - birthdays
// around the new year, leap days, a service nobody had, "never" and
// "more than" included.
func TestRandomRulesCountAsTheirMembers(t *testing.T) {
	s := storetest.Open(t, time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC))
	ctx := context.Background()
	if err := demo.Fill(ctx, s, demo.Options{Patients: 600, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 25))
	counted := 0
	for i := 0; i < 400; i++ {
		r := randomRule(rng, 0)
		if r.Validate() != nil {
			continue
		}
		n, err := s.SegmentCount(ctx, r)
		if err != nil {
			t.Fatalf("%s: %v", r.JSON(), err)
		}
		ps, err := s.SegmentMembers(ctx, r, 0, 10_000)
		if err != nil {
			t.Fatalf("%s: %v", r.JSON(), err)
		}
		if n != len(ps) {
			t.Errorf("%s\n  %s: count %d, members %d", r.Sentence(), r.JSON(), n, len(ps))
		}
		counted++
	}
	if counted < 300 {
		t.Fatalf("only %d of 400 rules were valid", counted)
	}
}

func randomRule(rng *rand.Rand, depth int) data.Rule {
	if depth < 2 && rng.IntN(3) == 0 {
		g := data.Rule{Kind: data.KindAll}
		if rng.IntN(2) == 0 {
			g.Kind = data.KindAny
		}
		for range 1 + rng.IntN(3) {
			g.Rules = append(g.Rules, randomRule(rng, depth+1))
		}
		return g
	}
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	day := func() string {
		return fmt.Sprintf("%d-%02d-%02d", 2023+rng.IntN(5), 1+rng.IntN(12), 1+rng.IntN(28))
	}
	age := func() *int { n := rng.IntN(95); return &n }
	switch rng.IntN(9) {
	case 0:
		r := data.Rule{Kind: data.KindAge}
		if rng.IntN(3) > 0 {
			r.Min = age()
		}
		if r.Min == nil || rng.IntN(2) == 0 {
			r.Max = age()
		}
		return r
	case 1:
		return data.Rule{Kind: data.KindSex, Value: pick("F", "M", "X")}
	case 2:
		return data.Rule{Kind: data.KindTag, Op: pick("has", "has_not"), Value: pick("diabetes-program", "Cosmetic", "smoker", "nobody-has-this")}
	case 3, 4:
		r := data.Rule{Kind: data.KindVisit, Service: pick("flu shot", "Annual Physical", "consultation", "never offered", ""),
			Op: pick(data.VisitWithin, data.VisitNotWithin, data.VisitMoreThan, data.VisitNever, data.VisitEver,
				data.VisitSince, data.VisitNotSince, data.VisitBefore, data.VisitAfter, data.VisitLastIn),
			Months: 1 + rng.IntN(36), Month: 1 + rng.IntN(12), Date: day(), Until: day()}
		if r.Until < r.Date {
			r.Date, r.Until = r.Until, r.Date
		}
		return r
	case 5:
		r := data.Rule{Kind: data.KindBirthday, Op: pick("within_days", "month", "between"), Days: rng.IntN(367), Month: 1 + rng.IntN(12)}
		from := time.Date(2026, time.Month(1+rng.IntN(12)), 1+rng.IntN(31), 0, 0, 0, 0, time.UTC)
		r.Date, r.Until = from.Format("2006-01-02"), from.AddDate(0, 0, rng.IntN(120)).Format("2006-01-02")
		return r
	case 6:
		return data.Rule{Kind: data.KindConsent, Value: pick(data.ConsentCareAllowed, data.ConsentCareOptedOut, data.ConsentPromoOptedIn,
			data.ConsentPromoNotOptIn, data.ConsentPromoOptedOut, data.ConsentDoNotContact, data.ConsentMayBeContacted)}
	case 7:
		if rng.IntN(2) == 0 {
			return data.Rule{Kind: data.KindEmail, Op: pick("has", "has_not")}
		}
		return data.Rule{Kind: data.KindCreated, Op: "within_days", Days: rng.IntN(1000)}
	}
	return data.Rule{Kind: data.KindPostal, Value: pick("1", "10", "9", "02", "SW1")}
}
