package data

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func ptr(n int) *int { return &n }

// segmentFixture saves a small practice; today is 2026-11-25 in New York.
func segmentFixture(t *testing.T) (*Store, map[string]int64) {
	t.Helper()
	s := newTestStore(t)
	ctx := context.Background()
	ids := map[string]int64{}
	add := func(key string, p Patient, tags []string, visits ...Visit) {
		t.Helper()
		p.LastName = key
		if err := s.CreatePatient(ctx, &p); err != nil {
			t.Fatal(err)
		}
		ids[key] = p.ID
		if err := s.SetTags(ctx, p.ID, tags); err != nil {
			t.Fatal(err)
		}
		for _, v := range visits {
			v.PatientID = p.ID
			if err := s.AddVisit(ctx, &v); err != nil {
				t.Fatal(err)
			}
		}
	}
	add("senior", Patient{FirstName: "Sam", Email: "senior@example.com", BirthDate: Date{1950, 6, 1}, Sex: "M", PostalCode: "10001"},
		[]string{"diabetes-program"}, Visit{Date: Date{2025, 10, 1}, Service: "flu shot"})
	add("senior-jabbed", Patient{FirstName: "Ann", Email: "jab@example.com", BirthDate: Date{1955, 12, 10}, Sex: "F", PostalCode: "10002",
		PromoConsent: PromoOptedIn}, nil, Visit{Date: Date{2026, 10, 5}, Service: "Flu Shot"}, Visit{Date: Date{2025, 11, 1}, Service: "annual physical"})
	add("turns65today", Patient{FirstName: "Tia", BirthDate: Date{1961, 11, 25}, Sex: "F", PostalCode: "94110"}, []string{"cosmetic"})
	add("turns65tomorrow", Patient{FirstName: "Tom", Email: "tom@example.com", BirthDate: Date{1961, 11, 26}, Sex: "M"}, nil)
	add("child", Patient{FirstName: "Kid", Email: "kid@example.com", BirthDate: Date{2019, 1, 2}, Sex: "X", CareConsent: CareOptedOut}, nil,
		Visit{Date: Date{2024, 1, 2}, Service: "vaccination"})
	add("nobirth", Patient{FirstName: "Nob", Email: "nob@example.com", DoNotContact: true}, nil)
	add("leapling", Patient{FirstName: "Lea", Email: "lea@example.com", BirthDate: Date{2000, 2, 29}, PromoConsent: PromoOptedOut}, nil)
	add("archived", Patient{FirstName: "Arch", Email: "arch@example.com", BirthDate: Date{1940, 1, 1}, Archived: true}, nil)
	return s, ids
}

func members(t *testing.T, s *Store, r Rule) []string {
	t.Helper()
	ps, err := s.SegmentMembers(context.Background(), r, 0, 1000)
	if err != nil {
		t.Fatalf("%s: %v", r.JSON(), err)
	}
	n, err := s.SegmentCount(context.Background(), r)
	if err != nil || n != len(ps) {
		t.Fatalf("%s: count %d (%v) but %d members", r.JSON(), n, err, len(ps))
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.LastName)
	}
	return out
}

func TestSegmentConditions(t *testing.T) {
	s, _ := segmentFixture(t)
	all := func(rs ...Rule) Rule { return Rule{Kind: KindAll, Rules: rs} }
	any := func(rs ...Rule) Rule { return Rule{Kind: KindAny, Rules: rs} }
	for _, tc := range []struct {
		name string
		rule Rule
		want string
	}{
		{"empty group is everyone", all(), "child leapling nobirth senior senior-jabbed turns65today turns65tomorrow"},
		{"65 or older, birthday today counts", all(Rule{Kind: KindAge, Min: ptr(65)}), "senior senior-jabbed turns65today"},
		{"64 or younger", all(Rule{Kind: KindAge, Max: ptr(64)}), "child leapling turns65tomorrow"},
		{"exactly 26", all(Rule{Kind: KindAge, Min: ptr(26), Max: ptr(26)}), "leapling"},
		{"sex", all(Rule{Kind: KindSex, Value: "F"}), "senior-jabbed turns65today"},
		{"tag has, any case", all(Rule{Kind: KindTag, Op: "has", Value: "Diabetes-Program"}), "senior"},
		{"tag has not", all(Rule{Kind: KindTag, Op: "has_not", Value: "cosmetic"}), "child leapling nobirth senior senior-jabbed turns65tomorrow"},
		{"flu shot since 1 September", all(Rule{Kind: KindVisit, Service: "flu shot", Op: VisitSince, Month: 9}), "senior-jabbed"},
		{"no flu shot since 1 September", all(Rule{Kind: KindVisit, Service: "FLU SHOT", Op: VisitNotSince, Month: 9}), "child leapling nobirth senior turns65today turns65tomorrow"},
		{"flu shot within 10 months", all(Rule{Kind: KindVisit, Service: "flu shot", Op: VisitWithin, Months: 10}), "senior-jabbed"},
		{"no flu shot within 10 months", all(Rule{Kind: KindVisit, Service: "flu shot", Op: VisitNotWithin, Months: 10}), "child leapling nobirth senior turns65today turns65tomorrow"},
		{"last flu shot more than 10 months ago", all(Rule{Kind: KindVisit, Service: "flu shot", Op: VisitMoreThan, Months: 10}), "senior"},
		{"never a flu shot", all(Rule{Kind: KindVisit, Service: "flu shot", Op: VisitNever}), "child leapling nobirth turns65today turns65tomorrow"},
		{"any visit ever", all(Rule{Kind: KindVisit, Op: VisitEver}), "child senior senior-jabbed"},
		{"last visit before 2025", all(Rule{Kind: KindVisit, Op: VisitBefore, Date: "2025-01-01"}), "child"},
		{"a visit after 2025-10-15", all(Rule{Kind: KindVisit, Op: VisitAfter, Date: "2025-10-15"}), "senior-jabbed"},
		{"birthday today", all(Rule{Kind: KindBirthday, Op: "within_days", Days: 0}), "turns65today"},
		{"birthday within 20 days", all(Rule{Kind: KindBirthday, Op: "within_days", Days: 20}), "senior-jabbed turns65today turns65tomorrow"},
		{"birthday within 40 days wraps the year", all(Rule{Kind: KindBirthday, Op: "within_days", Days: 40}), "child senior-jabbed turns65today turns65tomorrow"},
		{"born in February", all(Rule{Kind: KindBirthday, Op: "month", Month: 2}), "leapling"},
		{"promotions opted in", all(Rule{Kind: KindConsent, Value: ConsentPromoOptedIn}), "senior-jabbed"},
		{"promotions opted out", all(Rule{Kind: KindConsent, Value: ConsentPromoOptedOut}), "leapling"},
		{"care opted out", all(Rule{Kind: KindConsent, Value: ConsentCareOptedOut}), "child"},
		{"do not contact", all(Rule{Kind: KindConsent, Value: ConsentDoNotContact}), "nobirth"},
		{"without email", all(Rule{Kind: KindEmail, Op: "has_not"}), "turns65today"},
		{"created within 1 day", all(Rule{Kind: KindCreated, Op: "within_days", Days: 1}), "child leapling nobirth senior senior-jabbed turns65today turns65tomorrow"},
		{"postal code starts with 100", all(Rule{Kind: KindPostal, Value: "100"}), "senior senior-jabbed"},
		{"any of two", any(Rule{Kind: KindSex, Value: "X"}, Rule{Kind: KindPostal, Value: "941"}), "child turns65today"},
		{"nested: 65+ and (no flu shot this season or diabetic)", all(Rule{Kind: KindAge, Min: ptr(65)},
			any(Rule{Kind: KindVisit, Service: "flu shot", Op: VisitNotSince, Month: 9}, Rule{Kind: KindTag, Op: "has", Value: "diabetes-program"})),
			"senior turns65today"},
		{"not 65+ includes unknown birth dates", all(Rule{Kind: KindEmail, Op: "has"}, any(all(Rule{Kind: KindAge, Min: ptr(65)}), Rule{Kind: KindSex, Value: "X"})), "child senior senior-jabbed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(sorted(members(t, s, tc.rule)), " ")
			if got != tc.want {
				t.Errorf("members = %q\nwant      %q", got, tc.want)
			}
		})
	}
}

func sorted(xs []string) []string {
	out := append([]string(nil), xs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestSegmentReferences(t *testing.T) {
	s, _ := segmentFixture(t)
	ctx := context.Background()
	seniors := Rule{Kind: KindAll, Rules: []Rule{{Kind: KindAge, Min: ptr(65)}}}
	if _, err := s.SaveSegment(ctx, "Seniors", seniors); err != nil {
		t.Fatal(err)
	}
	notSeniors := Rule{Kind: KindAll, Rules: []Rule{{Kind: KindEmail, Op: "has"}, {Kind: KindSegment, Op: "not_in", Value: "seniors"}}}
	if _, err := s.SaveSegment(ctx, "Younger with email", notSeniors); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sorted(members(t, s, notSeniors)), " "); got != "child leapling nobirth turns65tomorrow" {
		t.Fatalf("not in Seniors = %q", got)
	}
	// A segment may not include itself, directly or through another.
	loop := Rule{Kind: KindAll, Rules: []Rule{{Kind: KindSegment, Op: "in", Value: "Younger with email"}}}
	if _, err := s.SaveSegment(ctx, "Seniors", loop); KindOf(err) != KindInvalid || !strings.Contains(err.Error(), "refers back to itself") {
		t.Fatalf("a cycle was saved: %v", err)
	}
	if _, err := s.SaveSegment(ctx, "Ghost", Rule{Kind: KindAll, Rules: []Rule{{Kind: KindSegment, Op: "in", Value: "nope"}}}); err == nil {
		t.Fatal("a reference to a missing segment was saved")
	}
	seg, _ := s.SegmentByName(ctx, "seniors")
	if err := s.DeleteSegment(ctx, seg.ID); KindOf(err) != KindInUse {
		t.Fatalf("deleting a segment another uses: %v", err)
	}
	other, _ := s.SegmentByName(ctx, "Younger with email")
	if err := s.DeleteSegment(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSegment(ctx, seg.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Segments(ctx); len(list) != 0 {
		t.Fatalf("segments left: %v", list)
	}
}

// Values reach SQL only as parameters: a hostile value is a harmless string.
func TestSegmentSQLInjection(t *testing.T) {
	s, _ := segmentFixture(t)
	ctx := context.Background()
	evil := `'); DROP TABLE patients;--`
	for _, r := range []Rule{
		{Kind: KindTag, Op: "has", Value: evil},
		{Kind: KindTag, Op: "has_not", Value: evil},
		{Kind: KindVisit, Service: evil, Op: VisitNever},
		{Kind: KindPostal, Value: evil},
		{Kind: KindPostal, Value: "1' OR '1'='1"},
	} {
		rule := Rule{Kind: KindAll, Rules: []Rule{r}}
		if _, err := s.SegmentCount(ctx, rule); err != nil {
			t.Fatalf("%s: %v", rule.JSON(), err)
		}
		q, err := s.SegmentSQL(ctx, rule)
		if err != nil {
			t.Fatal(err)
		}
		if text := q.Where; strings.Contains(text, "DROP") || strings.Contains(text, "'1'='1") || len(q.Args(nil)) == 0 {
			t.Fatalf("a value was pasted into SQL: %s", text)
		}
	}
	if _, err := s.SaveSegment(ctx, evil, Rule{Kind: KindAll, Rules: []Rule{{Kind: KindTag, Op: "has", Value: evil}}}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.CountPatients(ctx, PatientQuery{IncludeArchived: true}); err != nil || n != 8 {
		t.Fatalf("patients after hostile values: %d, %v", n, err)
	}
	if got := members(t, s, Rule{Kind: KindAll, Rules: []Rule{{Kind: KindPostal, Value: "1' OR '1'='1"}}}); len(got) != 0 {
		t.Fatalf("an injected postal code matched %v", got)
	}
}

func TestRuleValidation(t *testing.T) {
	for _, tc := range []struct {
		json, want string
	}{
		{`{"kind":"all","rules":[{"kind":"age","min":70,"max":60}]}`, "rule 1: the lowest age (70) is above the highest (60)"},
		{`{"kind":"all","rules":[{"kind":"age"}]}`, "needs a lowest or a highest age"},
		{`{"kind":"any","rules":[{"kind":"all","rules":[{"kind":"tag","op":"has"}]}]}`, "rule 1 > rule 1: a tag rule needs the tag's name"},
		{`{"kind":"all","rules":[{"kind":"visit","op":"within"}]}`, "months must be between 1 and 1200"},
		{`{"kind":"all","rules":[{"kind":"visit","op":"before","date":"2026-13-01"}]}`, "is not a date"},
		{`{"kind":"all","rules":[{"kind":"colour","value":"blue"}]}`, `"colour" is not a kind of rule`},
		{`{"kind":"all","rules":[{"kind":"sex","value":"Q"}]}`, "sex must be F, M or X"},
		{`{"kind":"all","rules":[{"kind":"consent","value":"maybe"}]}`, `"maybe" is not a consent state`},
		{`{"kind":"all","rules":[{"kind":"birthday","op":"month","month":13}]}`, "birth month must be 1 to 12"},
		{`{"kind":"all","rulez":[]}`, "cannot be read"},
		{`{"kind":"age","min":1,"rules":[{"kind":"all"}]}`, "cannot hold other rules"},
		{`{"kind":"all"} trailing`, "extra text"},
		{`{}`, "a rule has no kind"},
	} {
		_, err := ParseRule(tc.json)
		if KindOf(err) != KindInvalid || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to say %q", tc.json, err, tc.want)
		}
	}
	deep := strings.Repeat(`{"kind":"all","rules":[`, 40) + strings.Repeat(`]}`, 40)
	if _, err := ParseRule(deep); KindOf(err) != KindInvalid || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("deep nesting: %v", err)
	}
	r, err := ParseRule(`{"kind":"all","rules":[{"kind":"age","min":65},{"kind":"visit","service":"flu shot","op":"more_than","months":10}]}`)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseRule(r.JSON())
	if err != nil || again.JSON() != r.JSON() {
		t.Fatalf("JSON round trip: %s vs %s (%v)", again.JSON(), r.JSON(), err)
	}
}

func TestSentence(t *testing.T) {
	for _, tc := range []struct {
		rule Rule
		want string
	}{
		{Rule{Kind: KindAll, Rules: []Rule{{Kind: KindAge, Min: ptr(65)}, {Kind: KindVisit, Service: "flu shot", Op: VisitMoreThan, Months: 10}}},
			"Patients aged 65 or older and whose last flu shot was more than 10 months ago"},
		{Rule{Kind: KindAll}, "All patients"},
		{Rule{Kind: KindAny, Rules: []Rule{{Kind: KindTag, Op: "has", Value: "cosmetic"}, {Kind: KindBirthday, Op: "month", Month: 10}}},
			`Patients who match any of: tagged "cosmetic"; or born in October`},
		{Rule{Kind: KindAll, Rules: []Rule{{Kind: KindAge, Min: ptr(18), Max: ptr(64)},
			{Kind: KindAny, Rules: []Rule{{Kind: KindEmail, Op: "has"}, {Kind: KindSegment, Op: "not_in", Value: "VIP"}}}}},
			`Patients aged 18 to 64 and (with an email address or not in the segment "VIP")`},
		{Rule{Kind: KindAll, Rules: []Rule{{Kind: KindBirthday, Op: "within_days", Days: 1}, {Kind: KindCreated, Op: "within_days", Days: 30}}},
			"Patients whose birthday is within the next 1 day and added within the last 30 days"},
	} {
		if got := tc.rule.Sentence(); got != tc.want {
			t.Errorf("sentence = %q\nwant       %q", got, tc.want)
		}
	}
}

func TestExplain(t *testing.T) {
	s, ids := segmentFixture(t)
	ctx := context.Background()
	rule := Rule{Kind: KindAll, Rules: []Rule{
		{Kind: KindAge, Min: ptr(65)},
		{Kind: KindVisit, Service: "flu shot", Op: VisitNotSince, Month: 9},
	}}
	in, err := s.Explain(ctx, rule, ids["senior"])
	if err != nil {
		t.Fatal(err)
	}
	if !in.Holds || len(in.Parts) != 2 || !in.Parts[0].Holds || !in.Parts[1].Holds {
		t.Fatalf("senior should be in: %+v", in)
	}
	out, _ := s.Explain(ctx, rule, ids["senior-jabbed"])
	if out.Holds || !out.Parts[0].Holds || out.Parts[1].Holds || out.Parts[1].Text != "who had no flu shot since 1 September" {
		t.Fatalf("senior-jabbed is out because of the flu shot: %+v", out)
	}
	arch, _ := s.Explain(ctx, rule, ids["archived"])
	if arch.Holds || !strings.Contains(arch.Parts[0].Text, "archived") {
		t.Fatalf("archived patient: %+v", arch)
	}
	if _, err := s.Explain(ctx, rule, 99999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown patient: %v", err)
	}
}

// "Today" is the practice's calendar day, whatever the machine's zone.
func TestSegmentTimeZones(t *testing.T) {
	s, _ := segmentFixture(t)
	birthdayToday := Rule{Kind: KindAll, Rules: []Rule{{Kind: KindBirthday, Op: "within_days", Days: 0}}}
	aged65 := Rule{Kind: KindAll, Rules: []Rule{{Kind: KindAge, Min: ptr(65), Max: ptr(65)}}}
	// 03:00 UTC on 26 November: still the 25th in New York, the 26th in Tokyo.
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	for _, tc := range []struct {
		zone, birthdays, aged65 string
	}{
		{"America/New_York", "turns65today", "turns65today"},
		{"Asia/Tokyo", "turns65tomorrow", "turns65today turns65tomorrow"},
		{"Pacific/Honolulu", "turns65today", "turns65today"},
	} {
		setZone(t, s, tc.zone)
		if got := strings.Join(members(t, s, birthdayToday), " "); got != tc.birthdays {
			t.Errorf("%s: birthdays today = %q, want %q", tc.zone, got, tc.birthdays)
		}
		if got := strings.Join(sorted(members(t, s, aged65)), " "); got != tc.aged65 {
			t.Errorf("%s: aged 65 = %q, want %q", tc.zone, got, tc.aged65)
		}
	}
	if err := s.SaveSettings(context.Background(), Settings{TimeZone: "Mars/Olympus"}); err == nil {
		t.Error("an unknown time zone was accepted")
	}
}

// A 29 February birthday is celebrated on 1 March in other years.
func TestLeapDayBirthdays(t *testing.T) {
	s, _ := segmentFixture(t)
	rule := Rule{Kind: KindAll, Rules: []Rule{{Kind: KindBirthday, Op: "within_days", Days: 0}}}
	for _, tc := range []struct {
		today string
		in    bool
	}{
		{"2027-02-28", false},
		{"2027-03-01", true},
		{"2028-02-29", true},
		{"2028-03-01", false},
	} {
		d, _ := ParseDate(tc.today)
		now := d.Time(time.UTC).Add(17 * time.Hour) // noon in New York
		s.Now = func() time.Time { return now }
		got := strings.Contains(strings.Join(members(t, s, rule), " "), "leapling")
		if got != tc.in {
			t.Errorf("%s: leapling has a birthday today = %v, want %v", tc.today, got, tc.in)
		}
	}
}

// Rules read the per-patient tag list and visit summary; both follow every change.
func TestSummariesFollowChanges(t *testing.T) {
	s, ids := segmentFixture(t)
	ctx := context.Background()
	diabetic := Rule{Kind: KindAll, Rules: []Rule{{Kind: KindTag, Op: "has", Value: "DIABETES-program"}}}
	flu := Rule{Kind: KindAll, Rules: []Rule{{Kind: KindVisit, Service: "flu shot", Op: VisitEver}}}
	anyVisitSince := Rule{Kind: KindAll, Rules: []Rule{{Kind: KindVisit, Op: VisitAfter, Date: "2026-11-01"}}}

	if err := s.RemoveTag(ctx, ids["senior"], "diabetes-program"); err != nil {
		t.Fatal(err)
	}
	if got := members(t, s, diabetic); len(got) != 0 {
		t.Fatalf("tag removed, still tagged: %v", got)
	}
	if err := s.AddTag(ctx, ids["child"], "Diabetes-Program"); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(members(t, s, diabetic), " "); got != "child" {
		t.Fatalf("tag added: %q", got)
	}

	visits, _ := s.Visits(ctx, ids["senior"])
	if err := s.DeleteVisit(ctx, visits[0].ID); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(members(t, s, flu), " "); got != "senior-jabbed" {
		t.Fatalf("flu shot deleted: %q", got)
	}
	v := Visit{PatientID: ids["nobirth"], Date: Date{2026, 11, 20}, Service: "Blood  Test"}
	if err := s.AddVisit(ctx, &v); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(members(t, s, anyVisitSince), " "); got != "nobirth" {
		t.Fatalf("visit added: %q", got)
	}
	if err := s.DeletePatient(ctx, ids["nobirth"]); err != nil {
		t.Fatal(err)
	}
	if got := members(t, s, anyVisitSince); len(got) != 0 {
		t.Fatalf("patient deleted: %v", got)
	}
}

// Segments within segments cost one subquery per segment, however often
// they are used: five levels of "any of 33 times the previous one" count
// at once (inlined, the fourth level took a minute and the fifth ran out
// of memory); a segment too big to count is refused when it is saved.
func TestSegmentsWithinSegmentsStaySmall(t *testing.T) {
	s, _ := segmentFixture(t)
	ctx := context.Background()
	if _, err := s.SaveSegment(ctx, "Level 0", Rule{Kind: KindAll, Rules: []Rule{{Kind: KindAge, Min: ptr(65)}}}); err != nil {
		t.Fatal(err)
	}
	for level := 1; level <= 5; level++ {
		r := Rule{Kind: KindAny}
		for i := 0; i < 33; i++ {
			r.Rules = append(r.Rules, Rule{Kind: KindSegment, Op: "in", Value: fmt.Sprintf("Level %d", level-1)})
		}
		name := fmt.Sprintf("Level %d", level)
		if _, err := s.SaveSegment(ctx, name, r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		start := time.Now()
		got := members(t, s, Rule{Kind: KindAll, Rules: []Rule{{Kind: KindSegment, Op: "in", Value: name}}})
		if len(got) != 3 || time.Since(start) > 5*time.Second {
			t.Fatalf("%s: %v in %v", name, got, time.Since(start))
		}
		q, err := s.SegmentSQL(ctx, r)
		if err != nil || len(q.Args(nil)) > 10 || len(q.Where) > 20_000 {
			t.Fatalf("%s compiles to %d values, %d bytes (%v)", name, len(q.Args(nil)), len(q.Where), err)
		}
	}
	// Not in a segment within a segment.
	if got := members(t, s, Rule{Kind: KindAll, Rules: []Rule{{Kind: KindEmail, Op: "has"}, {Kind: KindSegment, Op: "not_in", Value: "Level 3"}}}); len(got) != 4 {
		t.Errorf("not in Level 3: %v", got)
	}
	huge := Rule{Kind: KindAny}
	for i := 0; i < 1100; i++ {
		huge.Rules = append(huge.Rules, Rule{Kind: KindPostal, Value: fmt.Sprint(10000 + i)})
	}
	if _, err := s.SaveSegment(ctx, "Huge", huge); KindOf(err) != KindInvalid || !strings.Contains(err.Error(), "too big") {
		t.Errorf("a segment of 2,200 values: %v", err)
	}
}

// A search reads only the start of what was pasted into the box.
func TestSearchOfAPastedDocument(t *testing.T) {
	s, _ := segmentFixture(t)
	typed := "senior " + strings.Repeat("lorem ipsum dolor ", 20000)
	start := time.Now()
	ps, err := s.Patients(context.Background(), PatientQuery{Search: typed})
	if err != nil || time.Since(start) > 2*time.Second {
		t.Fatalf("%d found in %v: %v", len(ps), time.Since(start), err)
	}
	if q := ftsQuery(typed); strings.Count(q, `"*`) != maxSearchWords {
		t.Errorf("query %q", q)
	}
}
