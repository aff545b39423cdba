package data

import (
	"context"
	"errors"
	"testing"
)

// FuzzRule feeds arbitrary text to the rule parser and, when it is a valid
// rule, through the compiler into SQLite. Nothing may panic, and a valid
// rule must either count or fail with a RuleError (a missing segment) -
// never with an SQL error, which would mean text reached the SQL.
// Run longer with: go test ./data -run '^$' -fuzz FuzzRule -fuzztime 60s
func FuzzRule(f *testing.F) {
	for _, seed := range []string{
		`{"kind":"all","rules":[{"kind":"age","min":65},{"kind":"visit","service":"flu shot","op":"not_since","month":9}]}`,
		`{"kind":"any","rules":[{"kind":"tag","op":"has","value":"'); DROP TABLE patients;--"},{"kind":"postal","value":"10%"}]}`,
		`{"kind":"all","rules":[{"kind":"birthday","op":"within_days","days":40},{"kind":"consent","value":"promo_opted_in"}]}`,
		`{"kind":"all","rules":[{"kind":"segment","op":"not_in","value":"Seniors"},{"kind":"created","op":"within_days","days":3}]}`,
		`{"kind":"all","rules":[{"kind":"visit","op":"before","date":"2025-01-01"},{"kind":"email","op":"has_not"},{"kind":"sex","value":"X"}]}`,
		`{"kind":"age","max":0}`,
		`{"kind":"all","rules":[{"kind":"any","rules":[{"kind":"all"}]}]}`,
		`[]`, `null`, `{"kind":"visit","op":"within","months":-1}`,
	} {
		f.Add(seed)
	}
	s := newTestStore(f)
	ctx := context.Background()
	for _, p := range []Patient{
		{FirstName: "A", LastName: "One", Email: "a@example.com", BirthDate: Date{1950, 2, 28}, Sex: "F", PostalCode: "10%01"},
		{FirstName: "B", LastName: "Two", BirthDate: Date{2000, 2, 29}},
	} {
		if err := s.CreatePatient(ctx, &p); err != nil {
			f.Fatal(err)
		}
	}
	if _, err := s.SaveSegment(ctx, "Seniors", Rule{Kind: KindAll, Rules: []Rule{{Kind: KindAge, Min: ptr(65)}}}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := ParseRule(text)
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("parse error is not a RuleError: %v", err)
			}
			return
		}
		if r.Sentence() == "" {
			t.Fatal("a valid rule has no sentence")
		}
		if _, err := ParseRule(r.JSON()); err != nil {
			t.Fatalf("a valid rule does not survive its own JSON: %v", err)
		}
		if _, err := s.SegmentCount(ctx, r); err != nil {
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("%s: %v", text, err)
			}
		}
	})
}
