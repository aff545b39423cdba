package app

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"kindly/data"
	"kindly/internal/pgtest"
	"kindly/internal/storetest"
	"kindly/mailer"
	"kindly/workflow"
)

// Settings -> Practice server: the connection tested in plain words (a
// wrong password, then the right one), the practice moved onto the
// server with its progress, and this computer switched over for its next
// start.
func TestMoveToServerFromSettings(t *testing.T) {
	if storetest.OnServer {
		t.Skip("moves a practice's file onto the server: this run's store is on the server already")
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv(workflow.DatabaseEnv, "")
	t.Setenv(mailer.ServerPasswordEnv, "")
	srv := pgtest.Start(t)
	target, _ := url.Parse(srv.NewDatabase(t, ""))
	u, w := newTestUI(t, 40)
	defer onUI(nil, w.Close)
	onUI(u, func() { u.Show("Settings") })
	s := u.settings
	onUI(u, s.onServer)
	f := s.server
	onUI(u, func() {
		f.host.SetText("127.0.0.1")
		f.port.SetText(target.Port())
		f.database.SetText(strings.TrimPrefix(target.Path, "/"))
		f.user.SetText(pgtest.User)
		f.password.SetText("not the password")
		f.tls.SetSelectedIndex(2)
		f.onTest()
	})
	waitFor(t, u, "the refusal", func() bool { return strings.Contains(f.status.Text, "refused the user name or password") })
	writeScreenshot(t, w, "settings-server.png")
	onUI(u, func() { f.password.SetText(pgtest.Password); f.onTest() })
	waitFor(t, u, "the answer", func() bool { return strings.Contains(f.status.Text, "The server answers") })
	onUI(u, func() { f.onMove() })
	waitFor(t, u, "the confirmation", func() bool { return strings.Contains(overlayText(w), "Move this practice to the server?") })
	onUI(u, func() { tapButton(t, w, "Yes") })
	waitFor(t, u, "the move", func() bool {
		return strings.Contains(f.status.Text, "Moved 40 patients") || strings.HasPrefix(f.status.Text, "Nothing")
	})
	if !strings.Contains(f.status.Text, "Moved 40 patients to the server and checked every table") {
		t.Fatalf("status: %q", f.status.Text)
	}
	if got := workflow.Where(""); !strings.Contains(got, "127.0.0.1:"+target.Port()) {
		t.Fatalf("this computer uses %q after the move", got)
	}
	// The server has them.
	check, err := data.OpenServer(target.String(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	if n, _ := check.CountPatients(context.Background(), data.PatientQuery{IncludeArchived: true}); n != 40 {
		t.Fatalf("%d patients on the server", n)
	}
}

// Two people edit one patient: the second save shows what changed
// meanwhile beside the form's version; "Save this form's changes" saves
// what the form changed over the saved version, keeping the rest.
func TestPatientChangedMeanwhile(t *testing.T) {
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	ctx := context.Background()
	store := storeOf(u)
	p := data.Patient{FirstName: "Anna", LastName: "Lee", Email: "anna@example.com"}
	if err := store.CreatePatient(ctx, &p); err != nil {
		t.Fatal(err)
	}
	loaded, _ := store.Patient(ctx, p.ID)
	var f *patientForm
	onUI(u, func() { f = showPatientForm(u, loaded, nil, nil) })
	// Meanwhile, on another computer: a new phone number.
	other := loaded
	other.Phone = "555-0199"
	if err := store.UpdatePatient(ctx, &other); err != nil {
		t.Fatal(err)
	}
	onUI(u, func() { f.email.SetText("anna.lee@example.com"); f.onSave() })
	var text string
	waitFor(t, u, "the changed patient", func() bool { text = overlayText(w); return strings.Contains(text, "was changed meanwhile") })
	for _, want := range []string{"Email", "anna.lee@example.com", "Phone", "555-0199"} {
		if !strings.Contains(text, want) {
			t.Errorf("the dialog does not show %q:\n%s", want, text)
		}
	}
	writeScreenshot(t, w, "patient-changed.png")
	onUI(u, func() { tapButton(t, w, "Save this form's changes") })
	waitFor(t, u, "the save", func() bool {
		got, _ := store.Patient(ctx, p.ID)
		return got.Email == "anna.lee@example.com"
	})
	if got, _ := store.Patient(ctx, p.ID); got.Phone != "555-0199" {
		t.Fatalf("the other computer's phone number was lost: %+v", got)
	}
}

// A window on the practice server shows what another computer saved, by
// itself, within seconds: the patient list and its count.
func TestOtherComputersChangesShow(t *testing.T) {
	srv := pgtest.Start(t)
	address := srv.NewDatabase(t, "")
	open := func() *data.Store {
		s, err := data.OpenServer(address, "")
		if err != nil {
			t.Fatal(err)
		}
		s.SetBackupDir(t.TempDir())
		return s
	}
	mine, frontDesk := open(), open()
	defer frontDesk.Close()
	u, w := newTestUIOn(t, mine)
	defer onUI(nil, w.Close)
	onUI(u, func() { u.Show("Patients") })
	p := u.patients
	waitFor(t, u, "the empty list", func() bool { return p.total == 0 && p.count.Text != "" })
	other := workflow.New(frontDesk)
	if _, err := other.SavePatient(context.Background(), data.Patient{FirstName: "Saved", LastName: "AtTheFrontDesk"}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, u, "the front desk's patient", func() bool { return p.total == 1 && strings.Contains(p.count.Text, "1") })
}
