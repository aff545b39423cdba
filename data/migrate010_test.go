package data

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// A database from before follow-ups (schema 9): the birthday and recall
// emails it sent count as this year's birthday and the recall's first
// reminder, so the daily runs that catch up missed days never send them
// again.
func TestUpgradeKeepsWhatWasSent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kindly.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(migrationFiles, "migrations/*.sql")
	sort.Strings(names)
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for i, n := range names[:9] {
		body, _ := migrationFiles.ReadFile(n)
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		db.Exec(`INSERT INTO schema_migrations VALUES (?, '2026-01-01T00:00:00Z')`, i+1)
	}
	stamp := "2026-12-05T15:00:00Z"
	for _, q := range []string{
		`INSERT INTO settings VALUES ('practice.time_zone', 'America/New_York')`,
		`INSERT INTO patients (id, first_name, email, birth_date, created_at, updated_at) VALUES (1, 'Sam', 'sam@example.com', '1990-12-05', '` + stamp + `', '` + stamp + `')`,
		`INSERT INTO visits (patient_id, date, service, service_key) VALUES (1, '2025-12-01', 'Check-up', 'check-up')`,
		`INSERT INTO campaigns (id, name, purpose, schedule, status, created_at, updated_at) VALUES
			(1, 'Birthdays', 'care', '{"kind":"birthday","bypass_cap":true}', 'scheduled', '` + stamp + `', '` + stamp + `'),
			(2, 'Recall', 'care', '{"kind":"recall","service":"Check-up","months":12,"bypass_cap":true}', 'scheduled', '` + stamp + `', '` + stamp + `')`,
		`INSERT INTO outbox (campaign_id, occurrence, patient_id, email, subject, body_text, status, queued_at, sent_at) VALUES
			(1, 'birthday-2026', 1, 'sam@example.com', 'Happy birthday', '', 'sent', '` + stamp + `', '` + stamp + `'),
			(2, 'recall-2026-12', 1, 'sam@example.com', 'Check-up', '', 'sent', '2026-12-01T15:00:00Z', '2026-12-01T15:00:00Z')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC) // Monday: Saturday's birthday is within the catch-up
	s.Now = func() time.Time { return now }
	ctx := context.Background()
	for _, name := range []string{"Birthdays", "Recall"} {
		c, err := s.CampaignByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		sched, _ := ParseSchedule(c.Schedule)
		sched.CatchUp = 7
		run, err := s.DayRun(ctx, c, sched, Rule{Kind: KindAll}, Date{2026, 12, 7})
		if err != nil {
			t.Fatal(err)
		}
		res := queueAll(t, s, c, sched.Kind+"-2026-12-07", run.Audience, run.Options)
		if res.Queued != 0 {
			t.Errorf("%s: sent again after the upgrade: %+v", c.Name, res)
		}
	}
}
