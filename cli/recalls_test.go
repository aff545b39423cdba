package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kindlyOn runs the command line with the clock at a fixed instant.
func kindlyOn(t *testing.T, now time.Time, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Run(context.Background(), args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("kindly %s: %v", strings.Join(args, " "), err)
	}
	return out.String()
}

// The recall commands: a recall with follow-ups, appointments imported
// from a practice system's list, a patient's recall shown and paused,
// closed days and public holidays, and an appointment reminder campaign.
func TestRecallCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "k.db")
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	run := func(args ...string) string { return kindlyOn(t, now, append([]string{"--db", db}, args...)...) }
	run("practice", "--name", "Praxis Sonne", "--address", "Hauptstr. 1, Berlin", "--phone", "030 123", "--email", "praxis@sonne.example",
		"--time-zone", "Europe/Berlin")
	run("import", "patients", write("p.csv", "Patientennummer,Vorname,Nachname,E-Mail,Recall-Einwilligung\n1,Anna,Meier,anna@example.com,ja\n2,Ben,Meier,ben@example.com,\n"))
	run("import", "visits", write("v.csv", "Patientennummer,Datum,Leistung\n1,2025-12-01,Kontrolle\n2,2025-12-01,Kontrolle\n"))
	run("segment", "Alle", "--rules", `{"kind":"all"}`)
	run("template", "Recall", "--subject", "Zeit für Ihre Kontrolle", "--body-file", write("r.txt", "Liebe(r) {{first_name}}, Ihre Kontrolle ist fällig."))
	out := run("campaign", "create", "Kontrolle", "--segment", "Alle", "--template", "Recall", "--recall", "Kontrolle", "--months", "12",
		"--followups", "2", "--every", "14")
	if !strings.Contains(out, "scheduled") {
		t.Fatalf("create: %q", out)
	}
	// Germany: care reminders need consent; Ben gave none.
	out = run("send", "Kontrolle", "--dry-run")
	if !strings.Contains(out, "1 patient for want of consent to care reminders") {
		t.Errorf("review: %q", out)
	}
	out = run("recall", "Anna Meier")
	if !strings.Contains(out, "Kontrolle: due 1 Dec 2026 (12 months after the last Kontrolle)") || !strings.Contains(out, "first reminder with the next run") {
		t.Errorf("recall: %q", out)
	}
	run("import", "appointments", write("a.csv", "PatNum,AptNum,AptDateTime,ProcDescript,AptStatus\n1,77,12/15/2026 9:30 AM,Kontrolle,Scheduled\n"))
	if out = run("recall", "1"); !strings.Contains(out, "no reminder while an appointment is booked (for 15 Dec 2026)") {
		t.Errorf("booked: %q", out)
	}
	if out = run("recall", "anna@example.com", "--campaign", "Kontrolle", "--off", "--reason", "moved to Hamburg"); !strings.Contains(out, "paused for good: moved to Hamburg") {
		t.Errorf("off: %q", out)
	}
	run("closed", "add", "2026-12-31", "--name", "Silvester")
	if out = run("closed", "holidays", "2027"); !strings.Contains(out, "public holidays of 2027 added") {
		t.Errorf("holidays: %q", out)
	}
	if out = run("closed", "list", "--year", "2027"); !strings.Contains(out, "Neujahr") || !strings.Contains(out, "public holidays") {
		t.Errorf("list 2027: %q", out)
	}
	if out = run("closed", "list"); !strings.Contains(out, "Silvester") {
		t.Errorf("list: %q", out)
	}
	out = run("campaign", "create", "Termine", "--segment", "Alle", "--template", "Recall", "--before-appointment", "2", "--family")
	if !strings.Contains(out, "scheduled") {
		t.Errorf("appointment campaign: %q", out)
	}
}

// A database on a network share is refused with what to do instead.
func TestNetworkShareRefused(t *testing.T) {
	_, err := kindly(t, "--db", `//nas/praxis/Kindly/kindly.db`, "segments")
	if err == nil || !strings.Contains(err.Error(), `is on a network share (\\nas\praxis)`) {
		t.Fatalf("%v", err)
	}
	if _, statErr := os.Stat("/nas"); statErr == nil {
		t.Error("a folder was made for the refused database")
	}
}
