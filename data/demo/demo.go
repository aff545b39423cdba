// Package demo fills a database with realistic sample patients, visits and
// segments, the same ones for the same seed.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"kindly/data"
)

var (
	femaleNames = strings.Fields(`Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy
		Betty Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie
		Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha
		Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia Joyce
		Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha
		Gloria Teresa Ann Sara Madison Frances Kathryn Janice Jean Abigail Alice Judy Sophia Grace Denise Amber
		Doris Marilyn Danielle Beverly Isabella Theresa Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori
		Zoë Chloé Renée Siobhán Ingrid Greta Ayesha Mei Priya Fatima Lucía Sofía Astrid`)
	maleNames = strings.Fields(`James Robert John Michael David William Richard Joseph Thomas Charles Christopher
		Daniel Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald
		Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin
		Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry
		Douglas Zachary Peter Kyle Ethan Walter Noah Jeremy Christian Keith Roger Terry Gerald Harold Sean Austin
		Carl Arthur Lawrence Dylan Jesse Jordan Bryan Billy Joe Bruce Gabriel Logan Albert Willie Alan Juan
		Wayne Elijah Randy Roy Vincent Ralph Eugene Russell Bobby Mason Philip Louis Björn Sören José Tomás
		Rahul Wei Omar Mateo Liam Seán`)
	lastNames = strings.Fields(`Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez
		Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
		Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores
		Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz
		Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan
		Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James
		Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez
		O'Brien O'Connor McDonald Müller Schäfer Jensen Novák Kowalski Dubois Rossi Silva Okafor Haddad Tanaka`)
	// Reserved for examples (RFC 2606): sample data never names a real mailbox provider.
	domains  = []string{"example.com", "example.org", "example.net", "mail.example", "inbox.example", "home.example"}
	services = []struct {
		name   string
		weight int
	}{{"consultation", 30}, {"blood test", 14}, {"follow-up", 20}, {"vaccination", 5}, {"ECG", 4},
		{"skin check", 5}, {"travel advice", 3}, {"physiotherapy referral", 3}, {"wound care", 4}}
	languages = []string{"en", "en", "en", "en", "en", "en", "es", "es", "fr", "de", "zh", "vi"}
)

// Options say how much sample data to make.
type Options struct {
	Patients int
	Seed     uint64
	// Progress, when set, is called now and then with patients written so far.
	Progress func(done, total int)
}

// Fill adds sample patients with tags, visits over the last three years
// (flu shots each autumn, annual physicals) and a mix of consent, plus a
// few example segments. Everything lands in one transaction.
func Fill(ctx context.Context, s *data.Store, o Options) error {
	if o.Patients < 0 {
		return fmt.Errorf("the number of patients cannot be negative")
	}
	today, err := s.Today(ctx)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	// Practice ids follow those of patients already there (sample ones added before).
	first, err := s.CountPatients(ctx, data.PatientQuery{IncludeArchived: true})
	if err != nil {
		return err
	}
	err = s.WithBatch(ctx, func(b *data.Batch) error {
		if err := b.ExpectPatients(o.Patients); err != nil {
			return err
		}
		for i := 0; i < o.Patients; i++ {
			if i%1000 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				if o.Progress != nil {
					o.Progress(i, o.Patients)
				}
			}
			p, tags := patient(rng, today, first+i)
			if err := b.AddPatient(&p, tags...); err != nil {
				return err
			}
			for _, v := range visits(rng, today, p) {
				v.PatientID = p.ID
				if err := b.AddVisit(v); err != nil {
					return err
				}
			}
		}
		if o.Progress != nil {
			o.Progress(o.Patients, o.Patients)
		}
		return b.Audit("demo", fmt.Sprintf("%d sample patients added (seed %d)", o.Patients, o.Seed))
	})
	if err != nil {
		return fmt.Errorf("cannot add sample patients: %w", err)
	}
	return Segments(ctx, s)
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func chance(rng *rand.Rand, p float64) bool { return rng.Float64() < p }

func patient(rng *rand.Rand, today data.Date, i int) (data.Patient, []string) {
	var p data.Patient
	switch r := rng.IntN(100); {
	case r < 51:
		p.Sex, p.FirstName = "F", pick(rng, femaleNames)
	case r < 99:
		p.Sex, p.FirstName = "M", pick(rng, maleNames)
	default:
		p.Sex, p.FirstName = "X", pick(rng, append(femaleNames[:20:20], maleNames[:20]...))
	}
	p.LastName = pick(rng, lastNames)
	if chance(rng, 0.04) {
		p.PreferredName = string([]rune(p.FirstName)[:min(len([]rune(p.FirstName)), 3)])
	}
	p.ExternalID = fmt.Sprintf("P%06d", 100000+i)
	// Ages 0-95, weighted towards adults as in a family practice.
	age := rng.IntN(96)
	if age < 18 && chance(rng, 0.5) {
		age = 18 + rng.IntN(78)
	}
	born := today.AddYears(-age).AddDays(-rng.IntN(365))
	p.BirthDate = born
	if chance(rng, 0.88) {
		p.Email = fmt.Sprintf("%s.%s%d@%s", asciiLower(p.FirstName), asciiLower(p.LastName), i, pick(rng, domains))
	}
	if chance(rng, 0.9) {
		p.Phone = fmt.Sprintf("(%03d) %03d-%04d", 200+rng.IntN(700), rng.IntN(1000), rng.IntN(10000))
	}
	p.PostalCode = fmt.Sprintf("%05d", []int{10001, 10002, 10003, 11201, 11215, 7030, 94110}[rng.IntN(7)]+rng.IntN(40))
	p.Language = pick(rng, languages)
	switch {
	case chance(rng, 0.03):
		p.CareConsent, p.CareSource = data.CareOptedOut, "front desk"
		p.CareChangedAt = today.AddDays(-rng.IntN(700)).Time(time.UTC)
	default:
		p.CareConsent = data.CareAllowed
	}
	switch r := rng.Float64(); {
	case r < 0.30:
		p.PromoConsent, p.PromoSource = data.PromoOptedIn, "registration form"
		p.PromoChangedAt = today.AddDays(-rng.IntN(1000)).Time(time.UTC)
	case r < 0.35:
		p.PromoConsent, p.PromoSource = data.PromoOptedOut, "unsubscribe email"
		p.PromoChangedAt = today.AddDays(-rng.IntN(700)).Time(time.UTC)
	default:
		p.PromoConsent = data.PromoUnknown
	}
	p.DoNotContact = chance(rng, 0.01)
	p.Archived = chance(rng, 0.02)
	// Added to the practice within the last five years, never before birth.
	added := today.AddDays(-rng.IntN(5 * 365))
	if added.Before(born) {
		added = born.AddDays(rng.IntN(max(1, daysBetween(born, today)+1)))
	}
	p.CreatedAt = added.Time(time.UTC).Add(time.Duration(8+rng.IntN(10)) * time.Hour)
	for _, at := range []*time.Time{&p.CareChangedAt, &p.PromoChangedAt} {
		if !at.IsZero() && at.Before(p.CreatedAt) {
			*at = p.CreatedAt
		}
	}

	var tags []string
	if age >= 40 && chance(rng, 0.10) {
		tags = append(tags, "diabetes-program")
	}
	if age >= 25 && chance(rng, 0.05) {
		tags = append(tags, "cosmetic")
	}
	if chance(rng, 0.12) {
		tags = append(tags, "smoker")
	}
	if age < 18 {
		tags = append(tags, "pediatric")
	}
	if age >= 50 && chance(rng, 0.15) {
		tags = append(tags, "heart-health")
	}
	if chance(rng, 0.06) {
		tags = append(tags, "newsletter")
	}
	return p, tags
}

// visits makes about five visits per patient over the last three years.
func visits(rng *rand.Rand, today data.Date, p data.Patient) []data.Visit {
	var out []data.Visit
	age := p.BirthDate.AgeOn(today)
	fluRate := 0.25
	if age >= 65 {
		fluRate = 0.6
	} else if age >= 50 {
		fluRate = 0.4
	}
	for y := 0; y <= 3; y++ {
		// Flu shots from mid-September to November.
		d := data.Date{Year: today.Year - y, Month: time.September, Day: 15}.AddDays(rng.IntN(75))
		if !today.Before(d) && chance(rng, fluRate) {
			out = append(out, data.Visit{Date: d, Service: "flu shot"})
		}
		d = data.Date{Year: today.Year - y, Month: time.January, Day: 5}.AddDays(rng.IntN(355))
		if !today.Before(d) && today.AddYears(-3).Before(d) && chance(rng, 0.55) {
			out = append(out, data.Visit{Date: d, Service: "annual physical"})
		}
	}
	total := 0
	for _, s := range services {
		total += s.weight
	}
	for n := rng.IntN(5); n > 0; n-- {
		w := rng.IntN(total)
		for _, s := range services {
			if w < s.weight {
				out = append(out, data.Visit{Date: today.AddDays(-rng.IntN(3 * 365)), Service: s.name})
				break
			}
			w -= s.weight
		}
	}
	kept := out[:0] // nobody visits before they were born
	for _, v := range out {
		if !v.Date.Before(p.BirthDate) {
			kept = append(kept, v)
		}
	}
	return kept
}

// daysBetween counts the days from a to b.
func daysBetween(a, b data.Date) int {
	return int(b.Time(time.UTC).Sub(a.Time(time.UTC)).Hours() / 24)
}

func asciiLower(s string) string {
	repl := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ë", "e", "é", "e", "á", "a", "í", "i", "ó", "o", "ø", "o", "'", "")
	s = repl.Replace(strings.ToLower(s))
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Segments saves the example segments (again, if they exist).
func Segments(ctx context.Context, s *data.Store) error {
	sixtyFive := 65
	for _, seg := range []struct {
		name string
		rule data.Rule
	}{
		{"65+ without a flu shot this season", data.Rule{Kind: data.KindAll, Rules: []data.Rule{
			{Kind: data.KindAge, Min: &sixtyFive},
			{Kind: data.KindVisit, Service: "flu shot", Op: data.VisitNotSince, Month: 9},
			{Kind: data.KindEmail, Op: "has"},
		}}},
		{"Annual physical due", data.Rule{Kind: data.KindAll, Rules: []data.Rule{
			{Kind: data.KindVisit, Service: "annual physical", Op: data.VisitMoreThan, Months: 11},
			{Kind: data.KindEmail, Op: "has"},
		}}},
		{"Birthdays in the next 30 days", data.Rule{Kind: data.KindAll, Rules: []data.Rule{
			{Kind: data.KindBirthday, Op: "within_days", Days: 30},
			{Kind: data.KindEmail, Op: "has"},
		}}},
		{"Diabetes program", data.Rule{Kind: data.KindAll, Rules: []data.Rule{
			{Kind: data.KindTag, Op: "has", Value: "diabetes-program"},
		}}},
		{"Open to promotions", data.Rule{Kind: data.KindAll, Rules: []data.Rule{
			{Kind: data.KindConsent, Value: data.ConsentPromoOptedIn},
			{Kind: data.KindConsent, Value: data.ConsentMayBeContacted},
			{Kind: data.KindEmail, Op: "has"},
			{Kind: data.KindSegment, Op: "not_in", Value: "Diabetes program"},
		}}},
	} {
		if _, err := s.SaveSegment(ctx, seg.name, seg.rule); err != nil {
			return fmt.Errorf("cannot save the example segment %q: %w", seg.name, err)
		}
	}
	return nil
}
