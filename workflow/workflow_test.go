package workflow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"kindly/data"
	"kindly/internal/mailpittest"
	"kindly/internal/storetest"
	"kindly/mailer"
	"kindly/reports"
)

// practice is a workflow over a new database with the starter templates,
// patients with the given emails (allowing care reminders) and the
// segment "Everyone".
func practice(t *testing.T, emails ...string) *Workflow {
	t.Helper()
	w := New(storetest.Open(t, time.Time{}))
	ctx := context.Background()
	if err := w.EnsureStarters(ctx); err != nil {
		t.Fatal(err)
	}
	for i, e := range emails {
		p := data.Patient{FirstName: "Pat", LastName: fmt.Sprint("Number", i+1), Email: e}
		if err := w.store.CreatePatient(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.SaveSegment(ctx, "Everyone", data.Rule{Kind: data.KindAll}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *Workflow) mustSettings(t *testing.T, edit func(*data.Settings)) {
	t.Helper()
	st, err := w.Settings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	edit(&st)
	if err := w.SaveSettings(context.Background(), st, ""); err != nil {
		t.Fatal(err)
	}
}

func TestReviewWarnings(t *testing.T) {
	w := practice(t, "a@example.com", "b@example.com")
	ctx := context.Background()
	w.mustSettings(t, func(st *data.Settings) {
		st.Practice = data.Practice{Name: "Sunny Clinic", Email: "front@sunny.example"}
		st.Mail = data.MailAccount{Host: "localhost", Port: 25, TLS: data.TLSNone, From: "front@sunny.example", PerMinute: 30, PerDay: 1}
		st.SubjectWords = []string{"glow"}
	})
	if _, err := w.SaveTemplate(ctx, mailer.Template{Name: "Botox", Subject: "Our new botox and glow offer", Body: "Hello {{name}}"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Botox", Purpose: data.PurposePromotion, Segment: "Everyone", Template: "Botox"}, true); err != nil {
		t.Fatal(err)
	}
	rv, err := w.Review(ctx, "Botox")
	if err != nil {
		t.Fatal(err)
	}
	// No postal address: no email may go out ("write to ." in a footer).
	if len(rv.Blockers) != 1 || !strings.Contains(rv.Blockers[0], "the practice's postal address") {
		t.Errorf("blockers %q", rv.Blockers)
	}
	var incomplete *mailer.ErrPracticeIncomplete
	if _, err := w.Queue(ctx, "Botox"); !errors.As(err, &incomplete) {
		t.Errorf("queued with an incomplete practice: %v", err)
	}
	text := strings.Join(rv.Warnings, "\n")
	for _, want := range []string{`mentions "botox"`, `mentions "glow"`, "targets all patients", "Nobody would get"} {
		if !strings.Contains(text, want) {
			t.Errorf("warnings %q lack %q", rv.Warnings, want)
		}
	}
	if rv.PurposeRule != PurposeRule(data.PurposePromotion) || rv.Previous != -1 {
		t.Errorf("review %+v", rv)
	}
	// A care reminder: 2 recipients over 2 days at 1 a day; later 7 - more than 3x - is flagged.
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Flu", Segment: "Everyone", Template: "Flu shot"}, true); err != nil {
		t.Fatal(err)
	}
	rv, _ = w.Review(ctx, "Flu")
	if rv.Recipients != 2 || len(rv.Samples) != 2 || rv.Days != 2 || rv.Duration != 24*time.Hour+2*time.Second || rv.Purpose != data.PurposeCare {
		t.Fatalf("review: %+v", rv)
	}
	for i := 0; i < 5; i++ {
		p := data.Patient{FirstName: "New", LastName: "Patient", Email: fmt.Sprintf("new%d@example.com", i)}
		w.store.CreatePatient(ctx, &p)
	}
	rv, _ = w.Review(ctx, "Flu")
	if rv.Previous != 2 || !strings.Contains(strings.Join(rv.Warnings, " "), "grew from 2 to 7") {
		t.Fatalf("growth: %+v", rv.Warnings)
	}
	if facts := rv.Facts(); len(facts) != 5 || facts[3] != (Fact{"Sends to", "7 patients (last review: 2 may get it)"}) {
		t.Fatalf("facts %q", facts)
	}
	if _, err := w.Review(ctx, "Nope"); data.KindOf(err) != data.KindNotFound || !strings.Contains(err.Error(), `no campaign called "Nope"`) {
		t.Fatalf("unknown campaign: %v", err)
	}
}

func TestScheduleText(t *testing.T) {
	for _, tc := range []struct {
		in   ScheduleText
		want data.Schedule
		err  string
	}{
		{ScheduleText{}, data.Schedule{}, ""},
		{ScheduleText{Kind: data.ScheduleOnce, Date: " 2026-12-24 ", Hours: "9-17", Weekdays: "mon-fri"},
			data.Schedule{Kind: data.ScheduleOnce, Date: "2026-12-24", Window: data.Window{FromHour: 9, ToHour: 17,
				Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}}}, ""},
		{ScheduleText{Kind: data.ScheduleSeason, From: "10-01", Until: "11-30", Weekdays: "Saturday,sun", BypassCap: true},
			data.Schedule{Kind: data.ScheduleSeason, Month: 10, Day: 1, UntilMonth: 11, UntilDay: 30, BypassCap: true,
				Window: data.Window{Weekdays: []time.Weekday{time.Saturday, time.Sunday}}}, ""},
		{ScheduleText{Kind: data.ScheduleBirthday, DaysBefore: "0"}, data.Schedule{Kind: data.ScheduleBirthday}, ""},
		{ScheduleText{Kind: data.ScheduleRecall, Service: "annual physical", Months: "12", Weekdays: "fri-mon"},
			data.Schedule{Kind: data.ScheduleRecall, Service: "annual physical", Months: 12,
				Window: data.Window{Weekdays: []time.Weekday{time.Friday, time.Saturday, time.Sunday, time.Monday}}}, ""},
		{ScheduleText{Kind: data.ScheduleSeason, From: "02-30"}, data.Schedule{}, "first day"},
		{ScheduleText{Kind: data.ScheduleSeason, From: "October"}, data.Schedule{}, "not a day of the year"},
		{ScheduleText{Kind: data.ScheduleBirthday, DaysBefore: "a week"}, data.Schedule{}, "whole number"},
		{ScheduleText{Kind: data.ScheduleRecall, Service: "physical"}, data.Schedule{}, "whole number"},
		{ScheduleText{Hours: "9-"}, data.Schedule{}, "range like 9-17"},
		{ScheduleText{Hours: "17-9"}, data.Schedule{}, "not a range within a day"},
		{ScheduleText{Weekdays: "mo-fr"}, data.Schedule{}, "range of days"},
		{ScheduleText{Weekdays: "weekend"}, data.Schedule{}, "not a day"},
	} {
		got, err := tc.in.Schedule()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%+v: err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v: %+v, %v; want %+v", tc.in, got, err, tc.want)
			continue
		}
		// As the form shows it again, and read back: the same schedule.
		if again, err := ScheduleTextOf(got).Schedule(); err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("%+v shown as %+v reads back as %+v, %v", got, ScheduleTextOf(got), again, err)
		}
	}
	st := ScheduleText{Date: "2026-12-24", From: "10-01"}
	if err := st.InferKind(); err == nil {
		t.Error("two schedules at once were accepted")
	}
	st = ScheduleText{DaysBefore: "3", Hours: "9-17"}
	if err := st.InferKind(); err != nil || st.Kind != data.ScheduleBirthday {
		t.Errorf("inferred %q, %v", st.Kind, err)
	}
}

func TestSaveCampaign(t *testing.T) {
	w := practice(t, "a@example.com")
	ctx := context.Background()
	for _, tc := range []struct {
		spec CampaignSpec
		want string
	}{
		{CampaignSpec{Name: "P", Purpose: data.PurposePromotion, Segment: "Everyone", Template: "Flu shot", Schedule: ScheduleText{BypassCap: true}},
			"Only care reminders may pass the frequency cap."},
		{CampaignSpec{Name: "P", Segment: "Nobody", Template: "Flu shot"}, `There is no segment called "Nobody".`},
		{CampaignSpec{Name: "P", Segment: "Everyone", Template: "Nope"}, `There is no template called "Nope".`},
		{CampaignSpec{Name: "P", Template: "Flu shot"}, "Please choose who gets it"},
		{CampaignSpec{Name: "P", Segment: "Everyone", Template: "Flu shot", Schedule: ScheduleText{Kind: data.ScheduleOnce, Date: "soon"}}, "When: the date"},
	} {
		if _, err := w.SaveCampaign(ctx, tc.spec, true); data.KindOf(err) != data.KindInvalid || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.spec, err, tc.want)
		}
	}
	c, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Flu", Segment: "Everyone", Template: "Flu shot"}, true)
	if err != nil || c.Status != data.CampaignDraft || c.Purpose != data.PurposeCare {
		t.Fatalf("created %+v, %v", c, err)
	}
	spec, _ := w.CampaignSpec(ctx, "flu")
	spec.Schedule = ScheduleText{Kind: data.ScheduleSeason, From: "10-01", Hours: "9-17"}
	edited, err := w.SaveCampaign(ctx, spec, false)
	if err != nil || edited.ID != c.ID || edited.Status != data.CampaignScheduled {
		t.Fatalf("edited %+v, %v", edited, err)
	}
	if again, _ := w.CampaignSpec(ctx, "Flu"); !reflect.DeepEqual(again, spec) {
		t.Fatalf("spec %+v, want %+v", again, spec)
	}
}

// A run is sent, paused, cancelled, or left to go on when Kindly closes;
// the audit log and the campaign's status say which.
func TestSendPauseCancelAndInterrupt(t *testing.T) {
	mp := mailpittest.Start(t)
	emails := make([]string, 30)
	for i := range emails {
		emails[i] = fmt.Sprintf("pat%d@example.com", i)
	}
	w := practice(t, emails...)
	ctx := context.Background()
	w.mustSettings(t, func(st *data.Settings) {
		st.Practice = data.Practice{Name: "Sunny Clinic", Address: "1 Main St", Phone: "555-0100", Email: "front@sunny.example"}
		st.Mail = data.MailAccount{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: data.TLSNone, From: "front@sunny.example"}
		st.Cap = data.Cap{Count: 0, Days: 30}
	})
	for _, name := range []string{"Flu", "Recall", "Birthday"} {
		if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: name, Segment: "Everyone", Template: "Flu shot"}, true); err != nil {
			t.Fatal(err)
		}
	}
	var reports []SendProgress
	res, err := w.Send(ctx, "Flu", SendOptions{Progress: func(p SendProgress) { reports = append(reports, p) }})
	if err != nil || res.Sent != 30 || res.Status != data.CampaignDone || res.Queued.Queued != 30 || mp.Count(t) != 30 {
		t.Fatalf("send: %+v, %v", res, err)
	}
	if len(reports) < 2 || reports[0].Remaining != 30 || reports[0].Total != 30 || reports[len(reports)-1].Done() != 1 {
		t.Fatalf("progress %+v", reports)
	}
	// Today's occurrence went out: a second send queues nobody again.
	if res, err := w.Send(ctx, "Flu", SendOptions{}); err != nil || res.Sent != 0 || res.Queued.Queued != 0 || mp.Count(t) != 30 {
		t.Fatalf("a second send: %+v, %v", res, err)
	}

	// Paused by the practice: the run waits for its Send.
	paused, pause := context.WithCancelCause(ctx)
	res, err = w.Send(paused, "Recall", SendOptions{Progress: func(p SendProgress) {
		if p.Sent >= 0 {
			pause(context.Canceled)
		}
	}})
	if err != nil || res.Status != data.CampaignPaused {
		t.Fatalf("pause: %+v, %v", res, err)
	}
	if names, _ := w.Interrupted(ctx); len(names) != 0 {
		t.Fatalf("a paused run goes on by itself: %q", names)
	}
	cancelled, err := w.Cancel(ctx, "Recall")
	if err != nil || cancelled.Count == 0 || cancelled.Status != data.CampaignDone {
		t.Fatalf("cancel: %+v, %v", cancelled, err)
	}
	if _, err := w.Cancel(ctx, "Recall"); data.KindOf(err) != data.KindNotFound {
		t.Fatalf("a second cancel: %v", err)
	}

	// Kindly closing: the run stays "sending" and goes on at the next start.
	closing, closeKindly := context.WithCancelCause(ctx)
	res, err = w.Send(closing, "Birthday", SendOptions{Progress: func(SendProgress) { closeKindly(ErrInterrupted) }})
	if err != nil || res.Status != data.CampaignSending {
		t.Fatalf("closing: %+v, %v", res, err)
	}
	if names, _ := w.Interrupted(ctx); !reflect.DeepEqual(names, []string{"Birthday"}) {
		t.Fatalf("interrupted runs %q", names)
	}
	if res, err = w.Send(ctx, "Birthday", SendOptions{}); err != nil || !res.Queued.Resumed || res.Status != data.CampaignDone {
		t.Fatalf("resumed: %+v, %v", res, err)
	}

	log, _ := w.store.AuditLog(ctx, 100)
	var lines []string
	for _, e := range log {
		if e.Action == "send" {
			lines = append(lines, e.Detail)
		}
	}
	want := []string{`campaign "Birthday", occurrence 2026-11-25: 30 sent`, `campaign "Recall", occurrence 2026-11-25: cancelled, 30 not sent`,
		`campaign "Flu", occurrence 2026-11-25: 0 sent`, `campaign "Flu", occurrence 2026-11-25: 30 sent, 0 failed, 0 skipped`}
	if len(lines) != len(want) {
		t.Fatalf("send audit %q", lines)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("audit line %q, want %q...", lines[i], w)
		}
	}
}

// Everything but the password is saved when the keychain refuses it, and
// the error says exactly that.
func TestSaveSettingsWithoutKeychain(t *testing.T) {
	w := practice(t)
	ctx := context.Background()
	st, _ := w.Settings(ctx)
	st.Practice.Name = "Sunny Clinic"
	st.Mail = data.MailAccount{Preset: "other", Host: "smtp.sunny.example", Port: 587, TLS: data.TLSStartTLS, User: "front@sunny.example"}

	keyring.MockInitWithError(errors.New("exec: dbus-launch: not found"))
	err := w.SaveSettings(ctx, st, "secret")
	var pw *PasswordNotSavedError
	if !errors.As(err, &pw) || !errors.Is(err, mailer.ErrNoKeychain) || !strings.Contains(err.Error(), "the settings were saved, but not the password") {
		t.Fatalf("no keychain: %v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, mailer.KeychainName(runtime.GOOS)+" could not keep the password") || !strings.Contains(msg, mailer.PasswordEnv) {
		t.Errorf("the message does not say which keychain or what to do: %s", msg)
	}
	if strings.Contains(err.Error(), "dbus-launch") {
		t.Errorf("the message shows the technical cause: %s", err)
	}
	if got, _ := w.Settings(ctx); got.Mail.Host != "smtp.sunny.example" || got.Mail.From != "front@sunny.example" {
		t.Fatalf("the settings were not saved: %+v", got.Mail)
	}
	// Kept in memory for this Kindly, so the test and sending work now.
	if got, err := mailer.Credentials(ctx, st.Mail); err != nil || got.Password != "secret" || !pw.Session {
		t.Fatalf("kept for the session: %+v, %v (session %v)", got, err, pw.Session)
	}
	keyring.MockInit()
	if err := w.SaveSettings(ctx, st, "secret"); err != nil {
		t.Fatal(err)
	}
	if pw, err := mailer.Password(st.Mail); err != nil || pw != "secret" {
		t.Fatalf("password %q, %v", pw, err)
	}
	st.Cap.Days = 0
	if err := w.SaveSettings(ctx, st, "other"); err == nil || errors.As(err, &pw) {
		t.Fatalf("a wrong cap: %v", err)
	}
	if pw, _ := mailer.Password(st.Mail); pw != "secret" {
		t.Fatal("a refused save changed the password")
	}
}

// The import writes only what its dry run showed: a file changed in
// between imports nothing (patients and visits).
func TestImportExpectsItsDryRun(t *testing.T) {
	w := practice(t, "a@example.com")
	ctx := context.Background()
	dir := t.TempDir()
	patients := filepath.Join(dir, "patients.csv")
	os.WriteFile(patients, []byte("Last name,First name,Email\nLovelace,Ada,ada@example.com\n"), 0o600)
	dry, err := w.Import(ctx, ImportRequest{Kind: ImportPatients, File: patients, DryRun: true}, nil)
	if err != nil || dry.Summary.Add != 1 || !dry.Summary.DryRun || dry.Summary.Mapping["Email"] != "email" {
		t.Fatalf("dry run %+v, %v", dry.Summary, err)
	}
	os.WriteFile(patients, []byte("Last name,First name,Email\nLovelace,Ada,ada@example.com\nCurie,Marie,marie@example.com\n"), 0o600)
	expect := dry.Plan.Counts()
	_, err = w.Import(ctx, ImportRequest{Kind: ImportPatients, File: patients, Options: reports.Options{Expect: &expect}}, nil)
	if !errors.Is(err, reports.ErrChangedSinceCheck) {
		t.Fatalf("changed file: %v", err)
	}
	if n, _ := w.store.CountPatients(ctx, data.PatientQuery{}); n != 1 {
		t.Fatalf("%d patients after a refused import", n)
	}
	res, err := w.Import(ctx, ImportRequest{Kind: ImportPatients, File: patients}, nil)
	if err != nil || res.Summary.Add != 2 || res.Summary.Backup == "" {
		t.Fatalf("import %+v, %v", res.Summary, err)
	}

	visits := filepath.Join(dir, "visits.csv")
	os.WriteFile(visits, []byte("Email,Date,Service\nada@example.com,2026-10-01,flu shot\n"), 0o600)
	want := reports.Counts{Added: 2}
	if _, err := w.Import(ctx, ImportRequest{Kind: ImportVisits, File: visits, Options: reports.Options{Expect: &want}}, nil); !errors.Is(err, reports.ErrChangedSinceCheck) {
		t.Fatalf("visits: %v", err)
	}
	if _, err := w.Import(ctx, ImportRequest{Kind: "invoices", File: visits}, nil); err == nil {
		t.Fatal("an unknown kind of import was accepted")
	}
}

func TestExportChecksItsFile(t *testing.T) {
	w := practice(t, "a@example.com")
	ctx := context.Background()
	for _, req := range []ExportRequest{{Kind: ExportReport, Out: "x.csv"}, {Kind: ExportPatients, Out: "x.txt"}, {Kind: ExportPatients}, {Kind: ExportSegment, Out: "x.xlsx"},
		{Kind: "everything", Out: "x.xlsx"}} {
		if _, err := w.Export(ctx, req, nil); err == nil {
			t.Errorf("%+v: no error", req)
		}
	}
	out := filepath.Join(t.TempDir(), "everyone.xlsx")
	if n, err := w.Export(ctx, ExportRequest{Kind: ExportSegment, Name: "Everyone", Out: out}, nil); err != nil || n != 1 {
		t.Fatalf("segment export: %d, %v", n, err)
	}
	if _, err := w.Export(ctx, ExportRequest{Kind: ExportCampaign, Name: "Nope", Out: filepath.Join(t.TempDir(), "nope.xlsx")}, nil); data.KindOf(err) != data.KindNotFound {
		t.Errorf("results of a campaign that does not exist: %v", err)
	}
	if _, err := w.Export(ctx, ExportRequest{Kind: ExportSegment, Name: "Nope", Out: filepath.Join(t.TempDir(), "nope.xlsx")}, nil); data.KindOf(err) != data.KindNotFound {
		t.Errorf("a segment that does not exist: %v", err)
	}
}

// Every export is written to the audit log, with what it holds; a failed
// one is not.
func TestExportsAreAudited(t *testing.T) {
	w := practice(t, "a@example.com", "b@example.com")
	ctx := context.Background()
	dir := t.TempDir()
	for _, req := range []ExportRequest{{Kind: ExportPatients}, {Kind: ExportSegment, Name: "Everyone"}, {Kind: ExportLog},
		{Kind: ExportCalendar}, {Kind: ExportReport}, {Kind: ExportCampaign, Name: "Nope"}} {
		req.Out = filepath.Join(dir, req.Kind+req.Name+".xlsx")
		w.Export(ctx, req, nil)
	}
	log, err := w.store.AuditLog(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log {
		if e.Action == "export" {
			got = append([]string{e.Detail}, got...)
		}
	}
	want := []string{"all patients (2 patients) to patients.xlsx", `segment "Everyone" (2 patients) to segmentEveryone.xlsx`,
		"send log (0 rows) to log.xlsx", "campaign calendar (0 campaigns) to calendar.xlsx", "campaign report (0 rows) to report.xlsx"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A practice signed in with OAuth goes back to a password by typing one:
// the sign-in is forgotten and the password is used.
func TestPasswordReplacesOAuthSignIn(t *testing.T) {
	w := practice(t)
	ctx := context.Background()
	keyring.MockInit()
	st, _ := w.Settings(ctx)
	st.Practice.Name = "Sunny Clinic"
	st.Mail = data.MailAccount{Preset: "m365", Host: "smtp.office365.com", Port: 587, TLS: data.TLSStartTLS, User: "front@sunny.example",
		OAuthClientID: "client-1"}
	if err := w.SaveSettings(ctx, st, ""); err != nil {
		t.Fatal(err)
	}
	got, _ := w.Settings(ctx)
	if got.Mail.OAuthProvider != data.OAuthMicrosoft || got.Mail.OAuthTenant != "organizations" {
		t.Fatalf("an older account's sign-in is Microsoft's: %+v", got.Mail)
	}
	if _, err := mailer.Credentials(ctx, got.Mail); data.KindOf(err) != data.KindSignIn || !strings.Contains(err.Error(), "not signed in to Microsoft") {
		t.Fatalf("signed in without a token: %v", err)
	}
	if err := w.SaveSettings(ctx, got, "app-password"); err != nil {
		t.Fatal(err)
	}
	got, _ = w.Settings(ctx)
	if _, signedIn := mailer.OAuthOf(got.Mail); signedIn || got.Mail.OAuthTenant != "" {
		t.Fatalf("the OAuth sign-in stayed: %+v", got.Mail)
	}
	acct, err := mailer.Credentials(ctx, got.Mail)
	if err != nil || acct.Password != "app-password" || acct.OAuthToken != "" {
		t.Fatalf("credentials %+v, %v", acct, err)
	}
}

// A template being written is checked whole while it has no name yet: the
// subject and the body are not hidden behind the missing name.
func TestCheckTemplateWithoutName(t *testing.T) {
	st := data.Settings{Practice: data.Practice{Name: "Praxis", Address: "Hauptstr. 1", Phone: "030 1", Email: "praxis@example.com"}}
	if p := CheckTemplate(mailer.Template{Subject: "Flu shot", Body: "Dear {{first_name}},"}, st); len(p) != 0 {
		t.Errorf("a whole template without a name: %q", p)
	}
	if p := CheckTemplate(mailer.Template{Body: "Dear {{first_name}},"}, st); len(p) != 1 {
		t.Errorf("no name and no subject: %q, want the subject's problem", p)
	}
	if p := CheckTemplate(mailer.Template{Subject: "Flu shot", Body: "Dear {{nope}},"}, st); len(p) != 1 {
		t.Errorf("no name and an unknown field: %q, want the body's problem", p)
	}
}

// An import that changes patients keeps its backup and one line in the
// audit log; the same file again changes nothing and keeps neither; a file
// that cannot be read leaves no backup. The file is long enough to be
// written while it is read (reports.PatientStream).
func TestImportBackupAndAudit(t *testing.T) {
	w := practice(t)
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("Last name,First name,Email,Date of birth\n")
	for i := range 3000 {
		fmt.Fprintf(&b, "Patient%d,Pat,p%d@example.com,1970-05-%02d\n", i, i, i%28+1)
	}
	path := filepath.Join(t.TempDir(), "patients.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	imports := func() (lines []string) {
		log, err := w.store.AuditLog(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range log {
			if e.Action == "import" {
				lines = append(lines, e.Detail)
			}
		}
		return lines
	}
	res, err := w.Import(ctx, ImportRequest{Kind: ImportPatients, File: path}, nil)
	if err != nil || res.Summary.Add != 3000 || res.Summary.Backup == "" {
		t.Fatalf("first import: %+v, %v", res.Summary, err)
	}
	backups, _ := w.Backups(ctx)
	if len(backups) != 1 || backups[0].Path != res.Summary.Backup {
		t.Fatalf("backups %+v, the import's %q", backups, res.Summary.Backup)
	}
	if lines := imports(); len(lines) != 1 || !strings.Contains(lines[0], "3000 added") {
		t.Fatalf("audit after the first import: %q", lines)
	}
	again, err := w.Import(ctx, ImportRequest{Kind: ImportPatients, File: path}, nil)
	if err != nil || again.Summary.Unchanged != 3000 || again.Summary.Backup != "" {
		t.Fatalf("same file again: %+v, %v", again.Summary, err)
	}
	if list, _ := w.Backups(ctx); len(list) != 1 {
		t.Fatalf("an import that changed nothing kept a backup: %+v", list)
	}
	if lines := imports(); len(lines) != 1 {
		t.Fatalf("an import that changed nothing wrote to the audit log: %q", lines)
	}
	bad := filepath.Join(t.TempDir(), "bad.xlsx")
	os.WriteFile(bad, []byte("PK\x03\x04 not really a workbook"), 0o600)
	if _, err := w.Import(ctx, ImportRequest{Kind: ImportPatients, File: bad}, nil); !errors.Is(err, reports.ErrUnreadable) {
		t.Fatalf("a damaged file: %v", err)
	}
	if list, _ := w.Backups(ctx); len(list) != 1 {
		t.Fatalf("a failed import left a backup: %+v", list)
	}
}

// The campaign page and Reports count the skipped alike: Reports' Skipped
// is every skipped email, the opted-out ones a part of it.
func TestSkippedCountedAlike(t *testing.T) {
	w := practice(t, "a@example.com", "b@example.com", "")
	ctx := context.Background()
	w.mustSettings(t, func(st *data.Settings) {
		st.Practice = data.Practice{Name: "Sunny Clinic", Address: "1 Main St", Phone: "555-0100", Email: "front@sunny.example"}
	})
	ps, _ := w.Patients(ctx, data.PatientQuery{Search: "b@example.com"})
	if len(ps) != 1 {
		t.Fatalf("patients %v", ps)
	}
	ps[0].CareConsent = data.CareOptedOut
	if _, err := w.SavePatient(ctx, ps[0], nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Flu", Purpose: data.PurposeCare, Segment: "Everyone", Template: "Flu shot"}, true); err != nil {
		t.Fatal(err)
	}
	q, err := w.Queue(ctx, "Flu")
	if err != nil {
		t.Fatal(err)
	}
	rv, err := w.Review(ctx, "Flu")
	if err != nil {
		t.Fatal(err)
	}
	f, err := w.ReportFigures(ctx)
	if err != nil || len(f.Monthly) != 1 {
		t.Fatalf("figures %+v, %v", f, err)
	}
	m := f.Monthly[0]
	if q.Skipped != 2 || rv.ThisTime[data.StatusSkipped] != 2 || m.Skipped != 2 || m.OptedOut != 1 {
		t.Errorf("queued skipped %d, campaign %d, report %d (%d opted out)", q.Skipped, rv.ThisTime[data.StatusSkipped], m.Skipped, m.OptedOut)
	}
}

// The estimate before a send uses the mail server's measured pace, not the
// gaps between past emails (which held the limits' waits): 225 emails to a
// fast server without a per-minute limit take less than a minute, and
// Settings' limit still spreads them out.
func TestEstimateUsesTheMeasuredPace(t *testing.T) {
	w := practice(t)
	ctx := context.Background()
	if err := w.store.RecordPace(ctx, 12*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	d, days, err := w.estimate(ctx, data.MailAccount{Host: "smtp.example.com"}, 225)
	if err != nil || days != 1 || d > 5*time.Second {
		t.Fatalf("no limits: %v over %d days, %v", d, days, err)
	}
	if got := (Review{Duration: d, Days: days}).Takes(); got != "less than a minute of sending" {
		t.Errorf("takes %q", got)
	}
	if d, _, _ := w.estimate(ctx, data.MailAccount{Host: "smtp.example.com", PerMinute: 60}, 225); d < 3*time.Minute {
		t.Errorf("60 a minute: %v", d)
	}
}

// After a send, the recipients list still shows who got the email, when
// and with what result - in the list, its sentence and its export (it
// dropped to none before).
func TestRecipientsAfterTheSend(t *testing.T) {
	w := practice(t, "a@example.com", "b@example.com")
	ctx := context.Background()
	w.mustSettings(t, func(st *data.Settings) {
		st.Practice = data.Practice{Name: "Sunny Clinic", Address: "1 Main St", Phone: "555-0100", Email: "front@sunny.example"}
	})
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Flu", Purpose: data.PurposeCare, Segment: "Everyone", Template: "Flu shot"}, true); err != nil {
		t.Fatal(err)
	}
	q, err := w.Queue(ctx, "Flu")
	if err != nil || q.Queued != 2 {
		t.Fatalf("queued %+v, %v", q, err)
	}
	cp, _ := w.store.CampaignByName(ctx, "Flu")
	batch, _ := w.store.NextQueuedBatch(ctx, cp.ID, q.Occurrence, 10)
	for _, m := range batch {
		if err := w.store.MarkResult(ctx, m.ID, data.StatusSent, ""); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := w.Recipients(ctx, "Flu")
	if err != nil || len(rows) != 2 {
		t.Fatalf("recipients after the send: %+v, %v", rows, err)
	}
	for _, r := range rows {
		if r.Result != data.StatusSent || r.At.IsZero() || !r.Gets {
			t.Errorf("row %+v", r)
		}
	}
	if got := RecipientsLine(rows); got != "So far: 2 sent." {
		t.Errorf("line %q", got)
	}
	out := filepath.Join(t.TempDir(), "recipients.csv")
	if n, err := w.Export(ctx, ExportRequest{Kind: ExportRecipients, Name: "Flu", Out: out}, nil); err != nil || n != 2 {
		t.Fatalf("export: %d, %v", n, err)
	}
	if b, _ := os.ReadFile(out); strings.Count(string(b), ",yes,sent,") != 2 {
		t.Errorf("the export: %s", b)
	}
	_, rows2, err := w.ReviewAndRecipients(ctx, "Flu")
	if err != nil || len(rows2) != 2 || rows2[0].Result != data.StatusSent {
		t.Errorf("the review's list: %+v, %v", rows2, err)
	}
}

// A backup shows at the same time, in the same format, in the backups list
// and in the audit log: the practice's zone and date format everywhere.
func TestBackupTimeAgrees(t *testing.T) {
	w := practice(t)
	ctx := context.Background()
	w.mustSettings(t, func(st *data.Settings) { st.TimeZone = "Europe/Berlin" })
	if _, err := w.Backup(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := w.Backups(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("backups %+v, %v", list, err)
	}
	v, err := w.SettingsView(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dates, _ := w.Dates(ctx)
	var logged string
	for _, e := range v.Audit {
		if e.Action == "backup" {
			logged = dates.At(e.At) + " - " + e.Detail
		}
	}
	if list[0].Label != logged || !strings.HasSuffix(logged, " - by hand") {
		t.Errorf("the list says %q, the audit log %q", list[0].Label, logged)
	}
	if !dates.DayFirst || !strings.Contains(list[0].Label, " "+w.Now().In(dates.Location).Format("Jan")+" ") {
		t.Errorf("Berlin writes the day first: %q", list[0].Label)
	}
}

// Occurrences are written as the practice reads them, never as keys.
func TestOccurrenceText(t *testing.T) {
	us := Dates{Location: time.UTC}
	for key, want := range map[string]string{
		"recall-2026-12": "recalls due in December 2026", "birthday-2026": "birthdays of 2026",
		"season-2026": "the 2026 season", "2026-10-01": "Oct 1, 2026", "birthday-2026-12-07": "Dec 7, 2026",
		"recall-2026-12-07": "Dec 7, 2026", "appointment-2026-12-07": "Dec 7, 2026",
	} {
		if got := OccurrenceText(key, us); got != want {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
}

// A template that ends with the signature Settings adds is signed twice:
// the editor and the review say so.
func TestSignedTwice(t *testing.T) {
	st := data.Settings{Practice: data.Practice{Name: "Praxis", Address: "Hauptstr. 1", Phone: "030 1", Email: "praxis@example.com",
		Signature: "Dr. Jane Doe and the team"}}
	body := "Dear {{name}},\n\nsee you soon.\n\nDr. Jane Doe\nand the team"
	if p := CheckTemplate(mailer.Template{Subject: "Hi", Body: body}, st); !slices.Contains(p, SignedTwice) {
		t.Errorf("signed twice: %q", p)
	}
	if p := CheckTemplate(mailer.Template{Subject: "Hi", Body: "Dear {{name}},\n\nsee you soon."}, st); slices.Contains(p, SignedTwice) {
		t.Errorf("signed once: %q", p)
	}
}

// A run that stops because another computer took the sending lock (its
// line to the server was down) leaves the campaign's status to that
// computer's run: "sending", not "paused" over the run going on.
func TestTakenOverRunLeavesTheStatus(t *testing.T) {
	w := practice(t, "pat@example.com")
	ctx := context.Background()
	if _, err := w.SaveCampaign(ctx, CampaignSpec{Name: "Flu", Segment: "Everyone", Template: "Flu shot"}, true); err != nil {
		t.Fatal(err)
	}
	cp, err := w.Campaign(ctx, "Flu")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.store.SetCampaignStatus(ctx, cp.ID, data.CampaignSending); err != nil { // the other computer's run
		t.Fatal(err)
	}
	busy := &data.SenderBusyError{Computer: "DOCTOR", Since: time.Now(), Zone: time.UTC}
	var res SendResult
	if err := w.afterRun(ctx, cp, &res, busy); !errors.Is(err, data.ErrSenderBusy) {
		t.Fatalf("the run's error became %v", err)
	}
	if cp, err = w.Campaign(ctx, "Flu"); err != nil || cp.Status != data.CampaignSending || res.Status != data.CampaignSending {
		t.Errorf("campaign %q, result %q (%v): the other computer's run is still sending", cp.Status, res.Status, err)
	}
}
