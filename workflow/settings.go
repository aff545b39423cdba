package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"kindly/data"
	"kindly/mailer"
)

// Settings reads the practice's settings.
func (w *Workflow) Settings(ctx context.Context) (data.Settings, error) { return w.store.Settings(ctx) }

// PasswordNotSavedError says everything was saved but the password, which
// the computer's keychain did not take. Session: it is kept in memory
// while this Kindly runs, so the test and sending work until it closes.
type PasswordNotSavedError struct {
	Cause   error
	Session bool
}

func (e *PasswordNotSavedError) Error() string {
	return "the settings were saved, but not the password: " + e.Cause.Error()
}

func (e *PasswordNotSavedError) Unwrap() error { return e.Cause }

// SaveSettings checks the settings and saves them as one (all or none);
// a password, when given, goes to the OS keychain, never the database, and
// the account signs in with it from now on (an OAuth sign-in is forgotten).
// When only the password could not be saved, the error is a
// *PasswordNotSavedError.
func (w *Workflow) SaveSettings(ctx context.Context, st data.Settings, password string) error {
	if password == "" {
		return w.store.SaveSettings(ctx, st)
	}
	before, err := w.store.Settings(ctx)
	if err != nil {
		return err
	}
	st.Mail.OAuthProvider, st.Mail.OAuthTenant, st.Mail.OAuthClientID = "", "", ""
	if err := w.store.SaveSettings(ctx, st); err != nil {
		return err
	}
	if _, signedIn := mailer.OAuthOf(before.Mail); signedIn {
		_ = mailer.ForgetSignIn(before.Mail) // a leftover token is never used again; the password matters
	}
	saved, err := w.store.Settings(ctx) // the account as stored (trimmed, sender filled in)
	if err != nil {
		return err
	}
	if !saved.Mail.Configured() {
		return &PasswordNotSavedError{Cause: errors.New("set up the mail account's server first")}
	}
	if err := mailer.StorePassword(saved.Mail, password); err != nil {
		mailer.KeepForSession(saved.Mail, password)
		return &PasswordNotSavedError{Cause: err, Session: true}
	}
	return nil
}

// ApplyPreset fills a mail account with a provider's server, security and
// limits, keeping the user and the sender.
func ApplyPreset(m *data.MailAccount, p mailer.Preset) {
	m.Preset = p.ID
	if p.Host != "" {
		m.Host = p.Host
	}
	m.Port, m.TLS, m.PerMinute, m.PerDay = p.Port, p.TLS, p.PerMinute, p.PerDay
	if p.IMAPHost != "" {
		m.IMAPHost, m.IMAPPort, m.IMAPTLS = p.IMAPHost, data.DefaultIMAPPort, data.TLSImplicit
	}
}

// SetInbox points an account's inbox at host ("" reads none): on the port
// and security it had when the host is the one it had, else on
// data.DefaultIMAPPort with TLS.
func SetInbox(m *data.MailAccount, host string, was data.MailAccount) {
	m.IMAPHost, m.IMAPPort, m.IMAPTLS = strings.TrimSpace(host), 0, ""
	if m.IMAPHost == "" {
		return
	}
	m.IMAPPort, m.IMAPTLS = data.DefaultIMAPPort, data.TLSImplicit
	if strings.EqualFold(m.IMAPHost, was.IMAPHost) && was.IMAPPort != 0 {
		m.IMAPPort, m.IMAPTLS = was.IMAPPort, was.IMAPTLS
	}
}

// SameMailbox says whether two accounts are one mailbox: the same server
// and user.
func SameMailbox(a, b data.MailAccount) bool {
	return strings.EqualFold(strings.TrimSpace(a.Host), strings.TrimSpace(b.Host)) && a.User == b.User
}

// KeepSignIn gives m the OAuth sign-in of the account it replaces when
// both are the same mailbox (a password saved with it replaces the
// sign-in: SaveSettings), and says whether they are.
func KeepSignIn(m *data.MailAccount, was data.MailAccount) bool {
	if !SameMailbox(*m, was) {
		return false
	}
	m.OAuthProvider, m.OAuthTenant, m.OAuthClientID = was.OAuthProvider, was.OAuthTenant, was.OAuthClientID
	return true
}

// TestAccount signs in to the mail server and says in plain words what
// failed; it returns the account it tried.
func (w *Workflow) TestAccount(ctx context.Context) (data.MailAccount, error) {
	st, err := w.store.Settings(ctx)
	if err != nil {
		return data.MailAccount{}, err
	}
	acct, err := mailer.Credentials(ctx, st.Mail)
	if err != nil {
		return st.Mail, err
	}
	return st.Mail, mailer.Test(ctx, acct, st.Practice)
}

// SignIn signs the mail account in with its provider (Microsoft: a code
// to enter on Microsoft's page; Google: the browser opens Google's page)
// and, once signed in, sends and reads the inbox with that sign-in instead
// of a password.
func (w *Workflow) SignIn(ctx context.Context, o mailer.OAuth, steps mailer.SignInSteps) (data.MailAccount, error) {
	st, err := w.store.Settings(ctx)
	if err != nil {
		return data.MailAccount{}, err
	}
	if !st.Mail.Configured() {
		return st.Mail, fmt.Errorf("%w: set it up first, then sign in", mailer.ErrNoAccount)
	}
	if o.Provider == "" {
		o.Provider = data.OAuthMicrosoft
	}
	if o.Provider == data.OAuthMicrosoft && o.Tenant == "" {
		o.Tenant = "organizations"
	}
	if o.Provider == data.OAuthGoogle {
		o.Tenant = ""
	}
	if err := o.SignIn(ctx, st.Mail, steps); err != nil {
		return st.Mail, err
	}
	st.Mail.OAuthProvider, st.Mail.OAuthTenant, st.Mail.OAuthClientID = o.Provider, o.Tenant, o.ClientID
	return st.Mail, w.store.SaveSettings(ctx, st)
}
