package mailer

import (
	"fmt"
	"strings"

	"kindly/data"
)

// TLS modes of an SMTP connection.
const (
	TLSNone     = data.TLSNone     // plain text, local test servers only
	TLSStartTLS = data.TLSStartTLS // plain connection upgraded to TLS (port 587)
	TLSImplicit = data.TLSImplicit // TLS from the first byte (port 465)
)

// Preset is a mail provider's SMTP settings and published sending limits.
type Preset struct {
	ID        string
	Name      string
	Host      string
	Port      int
	TLS       string
	PerMinute int    // 0: no published per-minute limit
	PerDay    int    // recipients per rolling 24 hours
	OAuth     string // the sign-in the provider offers: data.OAuthGoogle or data.OAuthMicrosoft; "" for none
	Note      string
	// IMAPHost is where the inbox is read (port 993, TLS); "" for none.
	IMAPHost string
}

// Presets are the providers a practice is likely to use. The limits follow
// what the providers publish for a single mailbox (Google Workspace 2,000
// a day, consumer Gmail about 500, Microsoft 365 30 a minute and 10,000
// recipients a day); plans differ, so the practice can change them.
var Presets = []Preset{
	{ID: "gmail", IMAPHost: "imap.gmail.com", Name: "Gmail", Host: "smtp.gmail.com", Port: 587, TLS: TLSStartTLS, PerMinute: 20, PerDay: 500, OAuth: data.OAuthGoogle,
		Note: "Needs an app password (Google account > Security > 2-Step Verification > App passwords)."},
	{ID: "workspace", IMAPHost: "imap.gmail.com", Name: "Google Workspace", Host: "smtp.gmail.com", Port: 587, TLS: TLSStartTLS, PerMinute: 60, PerDay: 2000, OAuth: data.OAuthGoogle,
		Note: "Use an app password, or ask your admin to allow SMTP."},
	{ID: "m365", IMAPHost: "outlook.office365.com", Name: "Microsoft 365", Host: "smtp.office365.com", Port: 587, TLS: TLSStartTLS, PerMinute: 30, PerDay: 10000, OAuth: data.OAuthMicrosoft,
		Note: "Microsoft turns password sign-in for SMTP off by default for existing tenants from end of December 2026: use Microsoft sign-in (OAuth), or ask your admin to enable SMTP AUTH for this mailbox."},
	{ID: "outlook", IMAPHost: "outlook.office365.com", Name: "Outlook.com", Host: "smtp-mail.outlook.com", Port: 587, TLS: TLSStartTLS, PerMinute: 30, PerDay: 300, OAuth: data.OAuthMicrosoft,
		Note: "Personal Outlook.com and Hotmail accounts."},
	{ID: "icloud", IMAPHost: "imap.mail.me.com", Name: "iCloud Mail", Host: "smtp.mail.me.com", Port: 587, TLS: TLSStartTLS, PerMinute: 20, PerDay: 1000,
		Note: "Needs an app-specific password (appleid.apple.com > Sign-In and Security)."},
	{ID: "yahoo", IMAPHost: "imap.mail.yahoo.com", Name: "Yahoo Mail", Host: "smtp.mail.yahoo.com", Port: 465, TLS: TLSImplicit, PerMinute: 20, PerDay: 500,
		Note: "Needs an app password (Account security > Generate app password)."},
	{ID: "fastmail", IMAPHost: "imap.fastmail.com", Name: "Fastmail", Host: "smtp.fastmail.com", Port: 465, TLS: TLSImplicit, PerMinute: 30, PerDay: 8000,
		Note: "Needs an app password (Settings > Privacy & Security > App passwords)."},
	{ID: "zoho", IMAPHost: "imap.zoho.com", Name: "Zoho Mail", Host: "smtp.zoho.com", Port: 465, TLS: TLSImplicit, PerMinute: 20, PerDay: 500,
		Note: "Enable SMTP access in Zoho Mail settings; use an app password with 2FA."},
	{ID: "other", Name: "Other SMTP server", Port: 587, TLS: TLSStartTLS, PerMinute: 20, PerDay: 500,
		Note: "Ask your email provider for the SMTP server name, port and limits."},
}

// PresetByID finds a preset by its id or name, ignoring case.
func PresetByID(id string) (Preset, error) {
	var ids []string
	for _, p := range Presets {
		if strings.EqualFold(p.ID, id) || strings.EqualFold(p.Name, id) {
			return p, nil
		}
		ids = append(ids, p.ID)
	}
	return Preset{}, fmt.Errorf("unknown mail provider %q (choose one of %s)", id, strings.Join(ids, ", "))
}
