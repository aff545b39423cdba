package data_test

import (
	"fmt"
	"strconv"

	"context"
	"kindly/internal/pgtest"
	"kindly/internal/storetest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"kindly/data"
	"kindly/data/demo"
)

// benchPatients is the practice's size: 100,000 patients (about 524,000
// visits), or KINDLY_BENCH_PATIENTS (the shared store is measured at
// 1,000,000, about 5,240,000 visits). KINDLY_TEST_DB=postgres measures
// the practice server (a throwaway PostgreSQL cluster).
var benchPatients = func() int {
	if n, err := strconv.Atoi(os.Getenv("KINDLY_BENCH_PATIENTS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}()

var (
	benchOnce  sync.Once
	benchDir   string
	benchStore *data.Store
	benchErr   error
)

// benchPractice builds benchPatients demo patients once per run.
func benchPractice(b *testing.B) *data.Store {
	b.Helper()
	benchOnce.Do(func() {
		if where := os.Getenv("KINDLY_BENCH_DB"); where != "" {
			// A practice made before (a file, or a server's database),
			// measured as it is: for trying a change again and again.
			benchStore, benchErr = data.Open(where)
			if benchErr == nil {
				now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
				benchStore.Now = func() time.Time { return now }
			}
			return
		}
		benchDir, benchErr = os.MkdirTemp("", "kindly-bench-")
		if benchErr != nil {
			return
		}
		where := filepath.Join(benchDir, "kindly.db")
		benchStore, benchErr = data.Open(where)
		if benchErr != nil {
			return
		}
		now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
		benchStore.Now = func() time.Time { return now }
		st, err := benchStore.Settings(context.Background())
		if err != nil {
			benchErr = err
			return
		}
		st.TimeZone = "America/New_York"
		if benchErr = benchStore.SaveSettings(context.Background(), st); benchErr != nil {
			return
		}
		if benchErr = demo.Fill(context.Background(), benchStore, demo.Options{Patients: benchPatients, Seed: 1}); benchErr != nil {
			return
		}
		if storetest.OnServer {
			// The same practice on the server: moved there as a practice
			// moves (COPY), which is faster than making it there.
			srv := pgtest.Start(b)
			name := fmt.Sprintf("bench_%d", os.Getpid())
			srv.Exec(b, "CREATE DATABASE "+name)
			where = srv.URL(name)
			var server *data.Store
			if server, benchErr = data.Open(where); benchErr != nil {
				return
			}
			_, benchErr = data.CopyStore(context.Background(), benchStore, server, nil)
			server.Close()
			if benchErr != nil {
				return
			}
			srv.ExecIn(b, name, "VACUUM ANALYZE") // as autovacuum leaves a database some minutes after a move
		}
		// Measure the database as the app finds it when it starts.
		benchStore.Close()
		benchStore, benchErr = data.Open(where)
		if benchErr == nil {
			benchStore.Now = func() time.Time { return now }
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchStore
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchStore != nil {
		benchStore.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func ptr(n int) *int { return &n }

// Three representative segments: an age + visit-history rule (the flu
// campaign), a birthday rule, and a consent + tag + exclusion rule.
var benchSegments = []struct {
	name string
	rule data.Rule
}{
	{"flu-65plus", data.Rule{Kind: data.KindAll, Rules: []data.Rule{
		{Kind: data.KindAge, Min: ptr(65)},
		{Kind: data.KindVisit, Service: "flu shot", Op: data.VisitNotSince, Month: 9},
		{Kind: data.KindEmail, Op: "has"},
	}}},
	{"birthdays-30d", data.Rule{Kind: data.KindAll, Rules: []data.Rule{
		{Kind: data.KindBirthday, Op: "within_days", Days: 30},
		{Kind: data.KindConsent, Value: data.ConsentCareAllowed},
	}}},
	{"promo-not-diabetic-recall", data.Rule{Kind: data.KindAll, Rules: []data.Rule{
		{Kind: data.KindConsent, Value: data.ConsentPromoOptedIn},
		{Kind: data.KindTag, Op: "has_not", Value: "diabetes-program"},
		{Kind: data.KindAny, Rules: []data.Rule{
			{Kind: data.KindVisit, Service: "annual physical", Op: data.VisitMoreThan, Months: 11},
			{Kind: data.KindAge, Min: ptr(18), Max: ptr(40)},
		}},
	}}},
}

func BenchmarkSegmentCount(b *testing.B) {
	s := benchPractice(b)
	ctx := context.Background()
	for _, seg := range benchSegments {
		b.Run(seg.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				var err error
				if n, err = s.SegmentCount(ctx, seg.rule); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "patients")
		})
	}
}

func BenchmarkSearch(b *testing.B) {
	s := benchPractice(b)
	ctx := context.Background()
	// Keystrokes as typed into the search box: each shows one page of the
	// matches at once, and the count of them after it (the window does not
	// wait for the count to show the page).
	for _, typed := range []string{"s", "smi", "smith", "mary smi", "555", "john.wil"} {
		q := data.PatientQuery{Search: typed, Limit: 200}
		b.Run(typed+"/page", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Patients(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(typed+"/count", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.CountPatients(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkListPage(b *testing.B) {
	s := benchPractice(b)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		q    data.PatientQuery
	}{
		{"by-name-first-page", data.PatientQuery{Sort: data.SortName, Limit: 200}},
		{"by-name-page-250", data.PatientQuery{Sort: data.SortName, Limit: 200, Offset: 50_000}},
		{"by-birth-desc-last-page", data.PatientQuery{Sort: data.SortBirthDate, Descending: true, Limit: 200, Offset: 97_800}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Patients(ctx, tc.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecallDue is a recall campaign's day: who is due a first
// reminder or a follow-up (Today and every review of the campaign ask).
func BenchmarkRecallDue(b *testing.B) {
	s := benchPractice(b)
	ctx := context.Background()
	c := data.Campaign{Name: "bench recall", Purpose: data.PurposeCare}
	if err := s.CreateCampaign(ctx, &c); err != nil {
		if c, err = s.CampaignByName(ctx, "bench recall"); err != nil {
			b.Fatal(err)
		}
	}
	loc, _ := time.LoadLocation("America/New_York")
	day := data.Date{Year: 2026, Month: 11, Day: 25}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		steps, err := s.RecallDue(ctx, c.ID, data.RecallOptions{Service: "annual physical", Months: 12, Reminder: 3, Every: 14, CatchUp: 7}, day, loc)
		if err != nil || len(steps) == 0 {
			b.Fatal(len(steps), err)
		}
	}
}
