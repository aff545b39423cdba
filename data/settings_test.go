package data

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestSettingsRoundTripAndDefaults(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	st, err := s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Cap != DefaultCap || st.Mail.Configured() || st.TimeZone != "America/New_York" {
		t.Fatalf("a new practice's settings: %+v", st)
	}
	want := Settings{
		Practice: Practice{Name: "Sunny Clinic", Address: "1 Main St", Phone: "555-0100", Email: "front@sunny.example", Signature: "Dr. Jane Doe"},
		TimeZone: "Europe/Berlin",
		Mail: MailAccount{Preset: "other", Host: "smtp.sunny.example", Port: 587, TLS: TLSStartTLS, User: "front@sunny.example",
			From: "front@sunny.example", PerMinute: 20, PerDay: 500, OAuthProvider: OAuthMicrosoft, OAuthTenant: "organizations", OAuthClientID: "abc"},
		Cap:          Cap{Count: 3, Days: 60},
		SubjectWords: []string{"botox", "fertility clinic"},
	}
	in := want
	in.Mail.From = ""                                   // the user name, when not given
	in.Mail.OAuthTenant, in.Mail.OAuthProvider = "", "" // an older account: Microsoft, the usual tenant
	in.SubjectWords = []string{" botox", "", "fertility clinic ,"}
	if err := s.SaveSettings(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("settings:\n got %+v\nwant %+v", got, want)
	}
	if loc, _ := s.Location(context.Background()); loc.String() != "Europe/Berlin" {
		t.Errorf("location %v", loc)
	}
}

// A wrong setting saves nothing: the settings are one transaction.
func TestSettingsValidateAllOrNothing(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	good := Settings{Practice: Practice{Name: "Sunny"}, Cap: DefaultCap}
	if err := s.SaveSettings(ctx, good); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field string
		edit  func(*Settings)
	}{
		{"practice.name", func(st *Settings) { st.Practice = Practice{Address: "1 Main St"} }},
		{"practice.email", func(st *Settings) { st.Practice.Email = "Sunny <front@sunny.example>" }},
		{"time_zone", func(st *Settings) { st.TimeZone = "Mars/Olympus" }},
		{"mail.host", func(st *Settings) { st.Mail = MailAccount{User: "front@sunny.example"} }},
		{"mail.port", func(st *Settings) { st.Mail = MailAccount{Host: "h", Port: 70000, TLS: TLSNone, From: "a@b.example"} }},
		{"mail.tls", func(st *Settings) { st.Mail = MailAccount{Host: "h", Port: 25, TLS: "ssl", From: "a@b.example"} }},
		{"mail.tls", func(st *Settings) {
			st.Mail = MailAccount{Host: "smtp.gmail.com", Port: 25, TLS: TLSNone, From: "a@b.example"}
		}},
		{"mail.from", func(st *Settings) { st.Mail = MailAccount{Host: "127.0.0.1", Port: 25, TLS: TLSNone, From: "nobody"} }},
		{"mail.limits", func(st *Settings) {
			st.Mail = MailAccount{Host: "localhost", Port: 25, TLS: TLSNone, From: "a@b.example", PerDay: -1}
		}},
		{"cap", func(st *Settings) { st.Cap = Cap{Count: 2, Days: 0} }},
		{"cap", func(st *Settings) { st.Cap = Cap{Count: 2, Days: 367} }},
		{"cap", func(st *Settings) { st.Cap = Cap{Count: -1, Days: 30} }},
	} {
		st := good
		st.SubjectWords = []string{"changed"}
		tc.edit(&st)
		err := s.SaveSettings(ctx, st)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("%s: err = %v", tc.field, err)
		}
	}
	got, _ := s.Settings(ctx)
	if len(got.SubjectWords) != 0 || got.Practice.Name != "Sunny" {
		t.Fatalf("a refused save changed the settings: %+v", got)
	}
}

func TestDayLimit(t *testing.T) {
	for _, tc := range []struct{ practice, server, want int }{{0, 0, 0}, {500, 0, 500}, {0, 120, 120}, {500, 120, 120}, {100, 120, 100}} {
		if got := (MailAccount{PerDay: tc.practice, ServerPerDay: tc.server}).DayLimit(); got != tc.want {
			t.Errorf("limit %d, server %d: %d, want %d", tc.practice, tc.server, got, tc.want)
		}
	}
	for host, want := range map[string]bool{"127.0.0.1": true, "localhost": true, "[::1]": true, "smtp.gmail.com": false, "10.0.0.2": false} {
		if IsLoopback(host) != want {
			t.Errorf("IsLoopback(%q) = %v", host, !want)
		}
	}
}

func TestReviewCount(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if n, err := s.LastReviewCount(ctx, 7); err != nil || n != -1 {
		t.Fatalf("never reviewed: %d %v", n, err)
	}
	if err := s.SetLastReviewCount(ctx, 7, 236); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.LastReviewCount(ctx, 7); n != 236 {
		t.Fatalf("review count %d", n)
	}
}

// SQLite's failures arrive as kinds callers can test for.
func TestTypedErrors(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	c := Campaign{Name: "Flu", Purpose: PurposeCare}
	if err := s.CreateCampaign(ctx, &c); err != nil {
		t.Fatal(err)
	}
	dup := Campaign{Name: "Flu", Purpose: PurposeCare}
	err := s.CreateCampaign(ctx, &dup)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "name" {
		t.Fatalf("duplicate campaign: %v", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO campaigns (name, purpose, schedule, status, created_at, updated_at)
		VALUES ('Flu', 'care', '{}', 'draft', '', '')`); !errors.Is(mapError(err), ErrDuplicate) {
		t.Fatalf("unique constraint: %v", mapError(err))
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE campaigns SET segment_id = 999 WHERE id = ?`, c.ID); !errors.Is(mapError(err), ErrInUse) {
		t.Fatalf("foreign key: %v", mapError(err))
	}
	if err := mapError(errors.New("other")); errors.Is(err, ErrDuplicate) || err.Error() != "other" {
		t.Fatalf("another error changed: %v", err)
	}
}

// Loopback is an address, or a name that resolves to loopback addresses
// only; "127.smtp.evil.example" is not this computer.
func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.1.2.3": true, "::1": true, "[::1]": true, "localhost": true,
		"127.smtp.evil.example": false, "127.0.0.1.evil.example": false, "smtp.gmail.com": false, "10.0.0.1": false, "": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v", host, got)
		}
	}
}
