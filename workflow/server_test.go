package workflow

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"kindly/data"
	"kindly/internal/pgtest"
	"kindly/internal/storetest"
)

// The way a practice gets onto its server: the administrator's SQL makes
// the database and a role without superuser rights; this computer
// connects (the password to the keychain, never a file); the practice's
// file moves over whole and is checked; from the next start Kindly opens
// the server, with the same patients; the file is left as it was.
func TestMoveToServer(t *testing.T) {
	keyring.MockInit()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv(DatabaseEnv, "")
	ctx := context.Background()
	srv := pgtest.Start(t)
	admin, _ := url.Parse(srv.URL("postgres"))
	admin.User = url.User(pgtest.User)
	name := "practice_" + strings.ReplaceAll(strings.ToLower(t.Name()), "/", "_")
	t.Cleanup(func() { srv.Exec(t, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)", "DROP ROLE IF EXISTS "+name) })

	if _, err := RunServerInit(ctx, admin.String(), pgtest.Password, name, name, "short"); data.KindOf(err) != data.KindInvalid {
		t.Fatalf("a short role password: %v", err)
	}
	address, err := RunServerInit(ctx, admin.String(), pgtest.Password, name, name, "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if HasPassword(address) {
		t.Fatalf("the address carries a password: %s", address)
	}
	if err := TestServer(ctx, address, "wrong password!"); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("a wrong password: %v", err)
	}

	file, err := data.Open(filepath.Join(t.TempDir(), "kindly.db")) // a file, whatever the run's tests use
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	w := New(file)
	if err := w.Demo(ctx, 200, 1, false, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := file.CountPatients(ctx, data.PatientQuery{IncludeArchived: true})
	logBefore, _ := file.AuditLog(ctx, 1000)
	withPassword := strings.Replace(address, "@", ":x@", 1)
	withPassword = strings.Replace(withPassword, "postgres://"+name+"@", "postgres://"+name+":x@", 1)
	if _, err := w.MoveToServer(ctx, withPassword, "", nil); !errors.Is(err, ErrPasswordInAddress) {
		t.Fatalf("an address with its password: %v", err)
	}
	var tables int
	r, err := w.MoveToServer(ctx, address, "a long enough password", func(data.CopyProgress) { tables++ })
	if err != nil {
		t.Fatal(err)
	}
	if r.Patients() != int64(before) || tables == 0 {
		t.Fatalf("moved %d patients of %d (%d progress reports)", r.Patients(), before, tables)
	}
	if Where("") != address {
		t.Fatalf("this computer uses %q, want the server %q", Where(""), address)
	}
	// The next start opens the server, with the password from the keychain.
	on, err := Open(ctx, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer on.Close()
	if n, _ := on.store.CountPatients(ctx, data.PatientQuery{IncludeArchived: true}); n != before || !on.store.Server() {
		t.Fatalf("the server has %d patients (want %d), server %v", n, before, on.store.Server())
	}
	// The file is as it was.
	if n, _ := file.CountPatients(ctx, data.PatientQuery{IncludeArchived: true}); n != before {
		t.Fatalf("the file has %d patients after the move, want %d", n, before)
	}
	if logAfter, _ := file.AuditLog(ctx, 1000); len(logAfter) != len(logBefore) {
		t.Fatalf("the move wrote into the file's audit log: %d lines, were %d", len(logAfter), len(logBefore))
	}
	// A second move into a database with a practice mixes nothing.
	if _, err := w.MoveToServer(ctx, address, "", nil); err == nil || !strings.Contains(err.Error(), "already holds a practice") {
		t.Fatalf("a second move: %v", err)
	}
	// The role can do only what Kindly needs.
	var super, createDB, createRole bool
	if err := on.store.QueryServerRole(ctx, &super, &createDB, &createRole); err != nil || super || createDB || createRole {
		t.Fatalf("the role: superuser %v, create databases %v, create roles %v (%v)", super, createDB, createRole, err)
	}
	if err := DisconnectServer(); err != nil || Where("") != "" {
		t.Fatalf("after disconnecting: %q, %v", Where(""), err)
	}
}

// The administrator's SQL names only what it makes, and refuses names
// that are not plain identifiers.
func TestServerInitSQL(t *testing.T) {
	sql, err := ServerInit("kindly", "kindly")
	if err != nil || !strings.Contains(sql, "NOSUPERUSER") || !strings.Contains(sql, `\password kindly`) {
		t.Fatalf("%s %v", sql, err)
	}
	if _, err := ServerInit("kindly; DROP DATABASE x", "kindly"); data.KindOf(err) != data.KindInvalid {
		t.Fatalf("a name with SQL in it: %v", err)
	}
}

// Two computers edit the same patient: the second save is told the patient
// changed meanwhile, with what differs, and saving again over the saved
// version is a choice that then works.
func TestSecondSaveIsToldOfTheFirst(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, storetest.Now)
	frontDesk := New(s)
	p, err := frontDesk.SavePatient(ctx, data.Patient{FirstName: "Anna", LastName: "Lee", Email: "anna@example.com"}, []string{"flu"})
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := frontDesk.Patient(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The doctor's computer (the same database) changes her first.
	doctor := New(s)
	theirs := loaded.Patient
	theirs.Phone = "555-0100"
	if _, err := doctor.SaveEditedPatient(ctx, loaded, theirs, []string{"flu", "vip"}); err != nil {
		t.Fatal(err)
	}
	mine := loaded.Patient
	mine.Email = "anna.lee@example.com"
	_, err = frontDesk.SaveEditedPatient(ctx, loaded, mine, loaded.Tags)
	var changed *data.PatientChangedError
	if !errors.As(err, &changed) || data.KindOf(err) != data.KindConflict {
		t.Fatalf("the second save: %v", err)
	}
	diff := Differences(PatientRecord{changed.Now.Patient, changed.Now.Tags}, mine, loaded.Tags)
	var fields []string
	for _, d := range diff {
		fields = append(fields, d.Field)
	}
	if strings.Join(fields, ",") != "Email,Phone,Tags" {
		t.Fatalf("differences: %+v", diff)
	}
	// Saving over the saved version, as the practice chose.
	now := PatientRecord{changed.Now.Patient, changed.Now.Tags}
	over := now.Patient
	over.Email = mine.Email
	if _, err := frontDesk.SaveEditedPatient(ctx, now, over, now.Tags); err != nil {
		t.Fatal(err)
	}
	got, _ := frontDesk.Patient(ctx, p.ID)
	if got.Patient.Email != "anna.lee@example.com" || got.Patient.Phone != "555-0100" || len(got.Tags) != 2 {
		t.Fatalf("saved: %+v %q", got.Patient, got.Tags)
	}
}
