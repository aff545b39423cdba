package data

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// schema lists the database's indexes and triggers with their SQL.
func schema(t *testing.T, s *Store) map[string]string {
	t.Helper()
	query := `SELECT name, coalesce(sql, '') FROM sqlite_schema WHERE type IN ('index', 'trigger')`
	if s.Server() {
		query = `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()
			UNION ALL SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal`
	}
	rows, err := s.db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			t.Fatal(err)
		}
		out[name] = def
	}
	return out
}

// A bulk batch drops indexes and the search trigger while it writes (in
// the file; the server keeps them); after it (committed or rolled back)
// they are all back, the tag lists it wrote itself equal what the
// triggers compute, and search finds everyone.
func TestBulkBatch(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	want := schema(t, s)
	if want["patients_fts_insert"] == "" && want["patients_search"] == "" {
		t.Fatal("no search trigger to begin with")
	}
	add := func(n int, fail bool) error {
		return s.WithBatch(ctx, func(b *Batch) error {
			if err := b.ExpectPatients(n); err != nil {
				return err
			}
			if len(b.dropped) == 0 && !s.Server() {
				t.Fatal("a bulk batch dropped nothing")
			}
			for i := 0; i < n; i++ {
				p := Patient{FirstName: "Bulk", LastName: fmt.Sprintf("Person%d", i), Email: fmt.Sprintf("b%d@example.com", i)}
				tags := [][]string{nil, {"Flu"}, {"flu ", "VIP", "Flu"}, {"Diabetes", "", "vip"}}[i%4]
				if err := b.AddPatient(&p, tags...); err != nil {
					return err
				}
			}
			if fail {
				return errors.New("stop")
			}
			return nil
		})
	}
	if err := add(6000, true); err == nil {
		t.Fatal("the failed batch reported success")
	}
	if got := schema(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after a rollback the schema is\n%v\nwant\n%v", got, want)
	}
	if err := add(6000, false); err != nil {
		t.Fatal(err)
	}
	if got := schema(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after a bulk batch the schema is\n%v\nwant\n%v", got, want)
	}
	// The same tags, in any order (instr() finds them either way).
	rows, err := s.db.Query(`SELECT tag_list, (
		SELECT coalesce(group_concat(char(30) || lower(t.name), '') || char(30), '')
		FROM patient_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.patient_id = patients.id) FROM patients`)
	if err != nil {
		t.Fatal(err)
	}
	differ := 0
	for rows.Next() {
		var got, want string
		if err := rows.Scan(&got, &want); err != nil {
			t.Fatal(err)
		}
		g, w := strings.Split(strings.Trim(got, "\x1e"), "\x1e"), strings.Split(strings.Trim(want, "\x1e"), "\x1e")
		slices.Sort(g)
		slices.Sort(w)
		if want == "" && got == "" || slices.Equal(g, w) {
			continue
		}
		differ++
	}
	rows.Close()
	var vip int
	if err := s.db.QueryRow(`SELECT count(*) FROM patients WHERE instr(tag_list, char(30) || 'vip' || char(30)) > 0`).Scan(&vip); err != nil {
		t.Fatal(err)
	}
	if differ != 0 || vip != 3000 {
		t.Fatalf("%d tag lists differ from the tags, %d patients tagged vip (want 3000)", differ, vip)
	}
	if n, err := s.CountPatients(ctx, PatientQuery{Search: "person59"}); err != nil || n != 111 {
		t.Fatalf("search person59: %d, %v (want 111: 59, 590-599, 5900-5999)", n, err)
	}
	// The trigger is back: a patient added one at a time is found too.
	p := Patient{FirstName: "Single", LastName: "Later"}
	if err := s.CreatePatient(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountPatients(ctx, PatientQuery{Search: "later"}); n != 1 {
		t.Fatalf("a patient added after the batch is not found (%d)", n)
	}
}

// A patient added and changed in the same batch is found by its new name
// only, and the search index stays sound.
func TestBatchAddThenUpdate(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	old := Patient{FirstName: "Stays", LastName: "Put", Email: "put@example.com"}
	if err := s.CreatePatient(ctx, &old); err != nil {
		t.Fatal(err)
	}
	err := s.WithBatch(ctx, func(b *Batch) error {
		p := Patient{FirstName: "Before", LastName: "Rename"}
		if err := b.AddPatient(&p); err != nil {
			return err
		}
		p.FirstName = "After"
		if err := b.UpdatePatient(&p); err != nil {
			return err
		}
		old.LastName = "Moved"
		return b.UpdatePatient(&old)
	})
	if err != nil {
		t.Fatal(err)
	}
	for search, want := range map[string]int{"after": 1, "before": 0, "rename": 1, "moved": 1, "put": 1, "stays": 1} {
		if n, err := s.CountPatients(ctx, PatientQuery{Search: search}); err != nil || n != want {
			t.Errorf("search %q: %d, %v (want %d)", search, n, err, want)
		}
	}
	if s.Server() {
		return // the server's search words are a column of the patient's row
	}
	if _, err := s.db.Exec(`INSERT INTO patients_fts (patients_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Fatalf("search index: %v", err)
	}
}
