package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// Settings are the practice's choices: the profile every footer shows, the
// time zone, the mail account with its limits, the frequency cap and the
// practice's own sensitive words. They are read and saved as one.
type Settings struct {
	Practice Practice
	// TimeZone is an IANA name such as "America/New_York"; "" is the
	// computer's own zone.
	TimeZone string
	Mail     MailAccount
	Cap      Cap
	// SubjectWords are the practice's own words that a subject line should
	// not show (a program's name, say), on top of Kindly's list.
	SubjectWords []string
	// CheckUpdates: once a day, Kindly asks its releases feed whether a
	// newer version exists (on unless the practice turns it off).
	CheckUpdates bool
	// Recalls: the practice's country (public holidays, the law on care
	// reminders), whether care reminders need explicit consent, how many
	// days late a birthday or recall email may still go out after days
	// Kindly was not opened, and whether an opt-out from an address
	// several patients share opts all of them out.
	Recalls Recalls
}

// Recalls are the practice's rules for reminders.
type Recalls struct {
	// Country is the country the practice chose ("DE", "US"); "": the one
	// its time zone says (Settings.Country).
	Country string
	// CareOptIn says whether care reminders need the patient's explicit
	// consent: CareOptInByCountry, CareOptInYes or CareOptInNo.
	CareOptIn          string
	CatchUpDays        int
	OptOutWholeAddress bool
}

// The choices of Recalls.CareOptIn.
const (
	CareOptInByCountry = "" // as the law of the practice's country asks
	CareOptInYes       = "yes"
	CareOptInNo        = "no"
)

// Country is the practice's country: chosen, else its time zone's.
func (st Settings) Country() string {
	if st.Recalls.Country != "" {
		return st.Recalls.Country
	}
	return CountryOfZone(st.TimeZone)
}

// CareOptInRequired says whether a care reminder needs the patient's
// explicit consent at this practice.
func (st Settings) CareOptInRequired() bool {
	switch st.Recalls.CareOptIn {
	case CareOptInYes:
		return true
	case CareOptInNo:
		return false
	}
	return CareOptInByLaw(st.Country())
}

// DefaultCatchUpDays is how late a missed birthday or recall email may go
// out unless the practice says otherwise.
const DefaultCatchUpDays = 7

// Practice is the practice profile: every email's footer and merge fields.
type Practice struct {
	Name      string
	Address   string
	Phone     string
	Email     string // where replies and "unsubscribe" go
	Signature string // above the footer, e.g. "Dr. Jane Doe and the team"
}

// The security of a mail account's connection.
const (
	TLSNone     = "none"     // plain (a local relay)
	TLSStartTLS = "starttls" // upgrade after connecting (port 587)
	TLSImplicit = "tls"      // TLS from the start (port 465)
)

// DefaultIMAPPort is where an inbox is read unless the practice says
// otherwise: IMAP with TLS from the start.
const DefaultIMAPPort = 993

// The providers Kindly signs in to with OAuth.
const (
	OAuthMicrosoft = "microsoft"
	OAuthGoogle    = "google"
)

// MailAccount is the practice's mailbox as Kindly sends from it. The
// password is never here: it lives in the OS keychain.
type MailAccount struct {
	Preset    string // the provider's preset id, e.g. "gmail"
	Host      string
	Port      int
	TLS       string
	User      string
	From      string // e.g. "Sunny Clinic <front@sunny.example>"
	PerMinute int    // the mailbox's limits; 0 is none
	PerDay    int    // per rolling 24 hours
	// ServerPerDay is the daily quota the mail server enforced when it
	// refused more ("daily sending quota exceeded"): what it sent in the 24
	// hours before. 0 when the server never said; saving the settings again
	// clears it (the practice set the limits).
	ServerPerDay int
	// OAuthProvider, OAuthTenant and OAuthClientID, when the client id is
	// set, sign in with OAuth (XOAUTH2) instead of with a password: the
	// provider is "microsoft" (Microsoft 365, Outlook.com; the tenant is
	// Microsoft's) or "google" (Gmail, Google Workspace).
	OAuthProvider string
	OAuthTenant   string
	OAuthClientID string
	// IMAPHost and IMAPPort are where Kindly reads the inbox (bounces and
	// opt-out replies), with IMAPTLS; the same user and sign-in. An empty
	// host: the inbox is not read.
	IMAPHost string
	IMAPPort int
	IMAPTLS  string
	// InboxMoveTo, when set, is the folder the messages Kindly acted on
	// (bounces, opt-outs, complaints) are moved to; "" leaves the inbox
	// as it is (the default: the mailbox is the practice's).
	InboxMoveTo string
}

// Configured says whether a mail account was set up.
func (m MailAccount) Configured() bool { return m.Host != "" }

// ReadsInbox says whether Kindly reads the account's inbox (bounces and
// opt-out replies): it is set up, with an inbox server.
func (m MailAccount) ReadsInbox() bool { return m.Configured() && m.IMAPHost != "" }

// DayLimit is what the mailbox may send per 24 hours: the practice's limit
// or the quota the server enforced, the lower; 0 is none.
func (m MailAccount) DayLimit() int {
	switch {
	case m.ServerPerDay > 0 && (m.PerDay == 0 || m.ServerPerDay < m.PerDay):
		return m.ServerPerDay
	}
	return m.PerDay
}

// IsLoopback says whether a mail server name is this computer: a loopback
// address (127.0.0.1, ::1), or a name that resolves to loopback addresses
// only ("localhost"). "127.smtp.example" is a name like any other.
func IsLoopback(host string) bool {
	_, ok := LoopbackIPs(context.Background(), host)
	return ok
}

// LooksLoopback says, without asking DNS, that host names this computer:
// a loopback address or "localhost". For estimates only; what may be sent
// without encryption is decided by LoopbackIPs.
func LooksLoopback(host string) bool {
	h := strings.Trim(strings.TrimSpace(host), "[]")
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback() || strings.EqualFold(h, "localhost")
}

// LoopbackIPs resolves host and says whether every address it has is a
// loopback one; a connection without encryption dials these addresses
// themselves, so a name cannot resolve elsewhere between check and dial.
func LoopbackIPs(ctx context.Context, host string) ([]net.IP, bool) {
	h := strings.Trim(strings.TrimSpace(host), "[]")
	if ip := net.ParseIP(h); ip != nil {
		return []net.IP{ip}, ip.IsLoopback()
	}
	if h == "" {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, h)
	if err != nil || len(addrs) == 0 {
		return nil, false
	}
	ips := make([]net.IP, 0, len(addrs))
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return nil, false
		}
		ips = append(ips, a.IP)
	}
	return ips, true
}

// RecordServerDayLimit remembers the daily quota the mail server enforced
// (n emails in 24 hours), so the sender and the calendar plan with it.
func (s *Store) RecordServerDayLimit(ctx context.Context, n int) error {
	return s.setSetting(ctx, keyMailServerPerDay, strconv.Itoa(n))
}

// The settings table's keys, here and nowhere else in Go; the batch's
// 'bulk.deferred' flag lives in SQL (WithBatch and the search triggers of
// the migrations).
const (
	keyPracticeName      = "practice.name"
	keyPracticeAddress   = "practice.address"
	keyPracticePhone     = "practice.phone"
	keyPracticeEmail     = "practice.email"
	keyPracticeSignature = "practice.signature"
	keyTimeZone          = "practice.time_zone"
	keyMailPreset        = "account.preset"
	keyMailHost          = "account.host"
	keyMailPort          = "account.port"
	keyMailTLS           = "account.tls"
	keyMailUser          = "account.user"
	keyMailFrom          = "account.from"
	keyMailPerMinute     = "limits.per_minute"
	keyMailPerDay        = "limits.per_day"
	keyMailServerPerDay  = "limits.server_per_day"
	keyOAuthTenant       = "account.oauth_tenant"
	keyOAuthProvider     = "account.oauth_provider"
	keyOAuthClientID     = "account.oauth_client_id"
	keyIMAPHost          = "account.imap_host"
	keyIMAPPort          = "account.imap_port"
	keyIMAPTLS           = "account.imap_tls"
	keyInboxMoveTo       = "account.inbox_move_to"
	keyCapCount          = "cap.count"
	keyCapDays           = "cap.days"
	keySubjectWords      = "subject.extra_words"
	keyMessageTag        = "mail.message_tag"
	keyCheckUpdates      = "updates.check"
	keyUpdateSeen        = "updates.seen" // when the feed was last read, and what it said
	keySendPace          = "send.pace_us" // the mail server's time per email, in microseconds
	keyCountry           = "practice.country"
	keyCareOptIn         = "consent.care_opt_in" // what the send's SQL reads (careOptInMissing): 1 or 0, as resolved
	keyCareOptInChoice   = "consent.care_opt_in_choice"
	keyCatchUpDays       = "recall.catch_up_days"
	keyOptOutAddress     = "consent.opt_out_whole_address"
)

// Settings reads the practice's settings; what was never set has its default.
func (s *Store) Settings(ctx context.Context) (Settings, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return Settings{}, fmt.Errorf("cannot read the settings: %w", mapError(err))
	}
	defer rows.Close()
	v := map[string]string{}
	for rows.Next() {
		var k, val string
		if err := rows.Scan(&k, &val); err != nil {
			return Settings{}, fmt.Errorf("cannot read the settings: %w", mapError(err))
		}
		v[k] = val
	}
	if err := rows.Err(); err != nil {
		return Settings{}, fmt.Errorf("cannot read the settings: %w", mapError(err))
	}
	num := func(k string, def int) int {
		if n, err := strconv.Atoi(v[k]); err == nil {
			return n
		}
		return def
	}
	st := Settings{
		Practice: Practice{Name: v[keyPracticeName], Address: v[keyPracticeAddress], Phone: v[keyPracticePhone],
			Email: v[keyPracticeEmail], Signature: v[keyPracticeSignature]},
		TimeZone: v[keyTimeZone],
		Mail: MailAccount{Preset: v[keyMailPreset], Host: v[keyMailHost], Port: num(keyMailPort, 0), TLS: v[keyMailTLS],
			User: v[keyMailUser], From: v[keyMailFrom], PerMinute: num(keyMailPerMinute, 0), PerDay: num(keyMailPerDay, 0),
			ServerPerDay:  num(keyMailServerPerDay, 0),
			OAuthProvider: v[keyOAuthProvider], OAuthTenant: v[keyOAuthTenant], OAuthClientID: v[keyOAuthClientID],
			IMAPHost: v[keyIMAPHost], IMAPPort: num(keyIMAPPort, 0), IMAPTLS: v[keyIMAPTLS], InboxMoveTo: v[keyInboxMoveTo]},
		Cap:          Cap{Count: num(keyCapCount, DefaultCap.Count), Days: num(keyCapDays, DefaultCap.Days)},
		SubjectWords: splitWords(v[keySubjectWords]),
		CheckUpdates: v[keyCheckUpdates] != "0",
		Recalls: Recalls{Country: v[keyCountry], CareOptIn: v[keyCareOptInChoice], CatchUpDays: num(keyCatchUpDays, DefaultCatchUpDays),
			OptOutWholeAddress: v[keyOptOutAddress] == "1"},
	}
	return st, nil
}

// SaveSettings checks every setting and saves them all in one transaction:
// all of them, or none when one is wrong.
func (s *Store) SaveSettings(ctx context.Context, st Settings) error {
	st = st.normalized()
	if err := st.Validate(); err != nil {
		return err
	}
	values := map[string]string{
		keyPracticeName: st.Practice.Name, keyPracticeAddress: st.Practice.Address, keyPracticePhone: st.Practice.Phone,
		keyPracticeEmail: st.Practice.Email, keyPracticeSignature: st.Practice.Signature, keyTimeZone: st.TimeZone,
		keyMailPreset: st.Mail.Preset, keyMailHost: st.Mail.Host, keyMailPort: strconv.Itoa(st.Mail.Port), keyMailTLS: st.Mail.TLS,
		keyMailUser: st.Mail.User, keyMailFrom: st.Mail.From, keyMailPerMinute: strconv.Itoa(st.Mail.PerMinute),
		keyMailPerDay: strconv.Itoa(st.Mail.PerDay), keyMailServerPerDay: strconv.Itoa(st.Mail.ServerPerDay), keyOAuthTenant: st.Mail.OAuthTenant, keyOAuthClientID: st.Mail.OAuthClientID,
		keyOAuthProvider: st.Mail.OAuthProvider,
		keyIMAPHost:      st.Mail.IMAPHost, keyIMAPPort: strconv.Itoa(st.Mail.IMAPPort), keyIMAPTLS: st.Mail.IMAPTLS, keyInboxMoveTo: st.Mail.InboxMoveTo,
		keyCapCount: strconv.Itoa(st.Cap.Count), keyCapDays: strconv.Itoa(st.Cap.Days),
		keySubjectWords: strings.Join(st.SubjectWords, ", "),
		keyCheckUpdates: map[bool]string{true: "1", false: "0"}[st.CheckUpdates],
		keyCountry:      st.Recalls.Country, keyCareOptInChoice: st.Recalls.CareOptIn,
		keyCareOptIn:     map[bool]string{true: "1", false: "0"}[st.CareOptInRequired()],
		keyCatchUpDays:   strconv.Itoa(st.Recalls.CatchUpDays),
		keyOptOutAddress: map[bool]string{true: "1", false: "0"}[st.Recalls.OptOutWholeAddress],
	}
	err := s.inTx(ctx, func(tx *Tx) error {
		if err := s.auditRecalls(ctx, tx, values); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for k, v := range values {
			if _, err := stmt.ExecContext(ctx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cannot save the settings: %w", mapError(err))
	}
	return nil
}

// normalized trims what was typed and fills the defaults: the sender is the
// user name when not given.
func (st Settings) normalized() Settings {
	p := &st.Practice
	for _, f := range []*string{&p.Name, &p.Address, &p.Phone, &p.Email, &st.TimeZone, &st.Mail.Host, &st.Mail.User, &st.Mail.From, &st.Mail.IMAPHost, &st.Mail.InboxMoveTo} {
		*f = strings.TrimSpace(*f)
	}
	p.Signature = strings.TrimRight(p.Signature, " \n\r\t")
	st.Mail.TLS = strings.ToLower(strings.TrimSpace(st.Mail.TLS))
	if st.Mail.From == "" {
		st.Mail.From = st.Mail.User
	}
	st.Mail.OAuthClientID = strings.TrimSpace(st.Mail.OAuthClientID)
	st.Mail.OAuthProvider = strings.ToLower(strings.TrimSpace(st.Mail.OAuthProvider))
	switch {
	case st.Mail.OAuthClientID == "":
		st.Mail.OAuthProvider, st.Mail.OAuthTenant = "", ""
	case st.Mail.OAuthProvider == "":
		st.Mail.OAuthProvider = OAuthMicrosoft // the only one before Google sign-in
	}
	if st.Mail.OAuthProvider == OAuthMicrosoft && st.Mail.OAuthTenant == "" {
		st.Mail.OAuthTenant = "organizations"
	}
	st.SubjectWords = splitWords(strings.Join(st.SubjectWords, ","))
	st.Recalls.Country = strings.ToUpper(strings.TrimSpace(st.Recalls.Country))
	st.Recalls.CareOptIn = strings.ToLower(strings.TrimSpace(st.Recalls.CareOptIn))
	return st
}

// Validate says, in words for the front desk, what is wrong with the
// settings: the first problem found, with the setting's name as Field.
func (st Settings) Validate() error {
	for _, f := range []struct {
		field, what, text string
		max               int
	}{
		{"practice.name", "the practice's name", st.Practice.Name, MaxPracticeName},
		{"practice.address", "the practice's address", st.Practice.Address, MaxPracticeDetail},
		{"practice.phone", "the practice's phone", st.Practice.Phone, MaxPracticeDetail},
		{"practice.email", "the practice's email", st.Practice.Email, MaxPracticeDetail},
		{"practice.signature", "the signature", st.Practice.Signature, MaxSignatureLength},
		{"mail.from", "the sender address", st.Mail.From, MaxPracticeDetail},
	} {
		if err := checkText(f.field, f.what, f.text, f.max); err != nil {
			return err
		}
	}
	st = st.normalized()
	p := st.Practice
	if p != (Practice{}) && p.Name == "" {
		return &ValidationError{"practice.name", "Please enter the practice's name."}
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			return &ValidationError{"practice.email", fmt.Sprintf("The practice email %q is not an email address.", p.Email)}
		}
	}
	if st.Recalls.CatchUpDays < 0 || st.Recalls.CatchUpDays > 31 {
		return &ValidationError{"recall.catch_up_days", "Missed birthday and recall emails can go out 0 to 31 days late."}
	}
	if o := st.Recalls.CareOptIn; o != CareOptInByCountry && o != CareOptInYes && o != CareOptInNo {
		return &ValidationError{"consent.care_opt_in", fmt.Sprintf("Care reminders need consent: yes, no or as the country's law asks, not %q.", o)}
	}
	if c := st.Recalls.Country; c != "" && (len(c) != 2 || strings.ToUpper(c) != c) {
		return &ValidationError{"practice.country", fmt.Sprintf("%q is not a country code (two letters, e.g. DE or US).", c)}
	}
	if st.TimeZone != "" {
		if _, err := time.LoadLocation(st.TimeZone); err != nil {
			return &ValidationError{"time_zone", fmt.Sprintf("%q is not a time zone name (try e.g. Europe/Berlin or America/New_York).", st.TimeZone)}
		}
	}
	if err := st.Mail.validate(); err != nil {
		return err
	}
	return st.Cap.Validate()
}

func (m MailAccount) validate() error {
	if m == (MailAccount{}) {
		return nil // no mail account yet
	}
	if m.Host == "" {
		return &ValidationError{"mail.host", "The mail account needs its server's name (e.g. smtp.gmail.com)."}
	}
	if m.Port < 1 || m.Port > 65535 {
		return &ValidationError{"mail.port", "The mail server's port must be a number from 1 to 65535."}
	}
	switch m.TLS {
	case TLSNone, TLSStartTLS, TLSImplicit:
	default:
		return &ValidationError{"mail.tls", fmt.Sprintf("The security setting must be none, starttls or tls, not %q.", m.TLS)}
	}
	if m.TLS == TLSNone && !IsLoopback(m.Host) {
		return &ValidationError{"mail.tls", fmt.Sprintf("Without encryption the password and every email would cross the network readable; "+
			"choose starttls (port 587) or tls (port 465) for %s. Plain connections are only for a mail server on this computer.", m.Host)}
	}
	if _, err := mail.ParseAddress(m.From); err != nil {
		return &ValidationError{"mail.from", fmt.Sprintf("The sender address %q is not valid.", m.From)}
	}
	if m.OAuthProvider != "" && m.OAuthProvider != OAuthMicrosoft && m.OAuthProvider != OAuthGoogle {
		return &ValidationError{"mail.oauth_provider", fmt.Sprintf("Kindly signs in with Microsoft or Google, not %q.", m.OAuthProvider)}
	}
	if m.InboxMoveTo != "" && (strings.EqualFold(m.InboxMoveTo, "INBOX") || strings.ContainsAny(m.InboxMoveTo, "*%\"\\\r\n")) {
		return &ValidationError{"mail.inbox_move_to", fmt.Sprintf("Kindly cannot move mail to a folder called %q: choose a plain name such as Kindly.", m.InboxMoveTo)}
	}
	if m.IMAPHost != "" {
		if m.IMAPPort < 1 || m.IMAPPort > 65535 {
			return &ValidationError{"mail.imap_port", fmt.Sprintf("The inbox server's port must be a number from 1 to 65535 (usually %d).", DefaultIMAPPort)}
		}
		switch {
		case m.IMAPTLS != TLSNone && m.IMAPTLS != TLSStartTLS && m.IMAPTLS != TLSImplicit:
			return &ValidationError{"mail.imap_tls", fmt.Sprintf("The inbox's security setting must be none, starttls or tls, not %q.", m.IMAPTLS)}
		case m.IMAPTLS == TLSNone && !IsLoopback(m.IMAPHost):
			return &ValidationError{"mail.imap_tls", fmt.Sprintf("Without encryption the password would cross the network readable; choose tls (port %d) for %s.", DefaultIMAPPort, m.IMAPHost)}
		}
	}
	if m.PerMinute < 0 || m.PerDay < 0 || m.ServerPerDay < 0 {
		return &ValidationError{"mail.limits", "The mailbox's limits are whole numbers (0 for none)."}
	}
	return nil
}

// splitWords reads a comma-separated list: trimmed, without empty entries.
func splitWords(s string) []string {
	var out []string
	for _, w := range strings.Split(s, ",") {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// setting reads one value of the settings table, or def when unset.
func (s *Store) setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	if err != nil {
		return "", fmt.Errorf("cannot read the settings: %w", mapError(err))
	}
	return v, nil
}

// setSetting stores one value of the settings table.
func (s *Store) setSetting(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("cannot save the settings: %w", mapError(err))
	}
	return nil
}

// Location is the practice's time zone (the computer's when unset).
func (s *Store) Location(ctx context.Context) (*time.Location, error) {
	name, err := s.setting(ctx, keyTimeZone, "")
	if err != nil {
		return nil, err
	}
	if name == "" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("the practice time zone %q is not known: %w", name, err)
	}
	return loc, nil
}

// Today is the calendar date in the practice's time zone.
func (s *Store) Today(ctx context.Context) (Date, error) {
	loc, err := s.Location(ctx)
	if err != nil {
		return Date{}, err
	}
	return DateOf(s.Now().In(loc)), nil
}

func reviewKey(campaignID int64) string {
	return "review." + strconv.FormatInt(campaignID, 10) + ".recipients"
}

// LastReviewCount is how many recipients a campaign had at its last
// pre-send review, -1 when it was never reviewed.
func (s *Store) LastReviewCount(ctx context.Context, campaignID int64) (int, error) {
	v, err := s.setting(ctx, reviewKey(campaignID), "")
	if err != nil || v == "" {
		return -1, err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1, nil
	}
	return n, nil
}

// SetLastReviewCount remembers a review's recipient count for the next one.
func (s *Store) SetLastReviewCount(ctx context.Context, campaignID int64, n int) error {
	return s.setSetting(ctx, reviewKey(campaignID), strconv.Itoa(n))
}

func importColumnsKey(headers string) string { return "import.columns." + headers }

// ImportColumns is the column choice the practice confirmed at its last
// import of a file whose column names give key; "" when none.
func (s *Store) ImportColumns(ctx context.Context, key string) (string, error) {
	return s.setting(ctx, importColumnsKey(key), "")
}

// SetImportColumns remembers a confirmed column choice for files whose
// column names give key.
func (s *Store) SetImportColumns(ctx context.Context, key, columns string) error {
	return s.setSetting(ctx, importColumnsKey(key), columns)
}

// UpdateSeen is what the releases feed said when it was last read: when,
// the newest version and its page ("" when never read).
type UpdateSeen struct {
	At      time.Time `json:"at"`
	Version string    `json:"version"`
	URL     string    `json:"url"`
}

// LastUpdateSeen is what the releases feed said last.
func (s *Store) LastUpdateSeen(ctx context.Context) (UpdateSeen, error) {
	var u UpdateSeen
	raw, err := s.setting(ctx, keyUpdateSeen, "")
	if err != nil || raw == "" {
		return u, err
	}
	if json.Unmarshal([]byte(raw), &u) != nil {
		return UpdateSeen{}, nil // written by another version: read the feed again
	}
	return u, nil
}

// SaveUpdateSeen remembers what the releases feed said.
func (s *Store) SaveUpdateSeen(ctx context.Context, u UpdateSeen) error {
	raw, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return s.setSetting(ctx, keyUpdateSeen, string(raw))
}

// resolveCareOptIn writes what the send's SQL reads about consent to care
// reminders, as the settings decide it now (a database from before the
// setting, or whose zone says a country whose law asks for consent).
func (s *Store) resolveCareOptIn(ctx context.Context) error {
	st, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	want := map[bool]string{true: "1", false: "0"}[st.CareOptInRequired()]
	if have, err := s.setting(ctx, keyCareOptIn, ""); err != nil || have == want {
		return err
	}
	return s.setSetting(ctx, keyCareOptIn, want)
}

// auditRecalls writes the reminder rules to the audit log when they change:
// who gets care reminders is the practice's decision, on record.
func (s *Store) auditRecalls(ctx context.Context, tx *Tx, values map[string]string) error {
	// What was never saved is its default.
	defaults := map[string]string{keyCountry: "", keyCareOptInChoice: "", keyCareOptIn: "0", keyCatchUpDays: strconv.Itoa(DefaultCatchUpDays), keyOptOutAddress: "0"}
	changed := false
	for k, was := range defaults {
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, k).Scan(&was)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		changed = changed || was != values[k]
	}
	if !changed {
		return nil
	}
	country := values[keyCountry]
	if country == "" {
		country = "from the time zone"
	}
	return s.auditTx(ctx, tx, "settings", fmt.Sprintf("reminders: country %s; care reminders need consent: %s; missed emails go up to %s days late; an opt-out from a shared address speaks for all: %s",
		country, map[string]string{"1": "yes", "0": "no"}[values[keyCareOptIn]], values[keyCatchUpDays], map[string]string{"1": "yes", "0": "no"}[values[keyOptOutAddress]]))
}
