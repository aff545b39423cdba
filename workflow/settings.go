package workflow

import (
	"context"
	"errors"
	"fmt"

	"kindly/data"
	"kindly/mailer"
)

// Settings reads the practice's settings.
func (w *Workflow) Settings(ctx context.Context) (data.Settings, error) { return w.store.Settings(ctx) }

// PasswordNotSavedError says everything was saved but the password, which
// the computer's keychain did not take.
type PasswordNotSavedError struct{ Cause error }

func (e *PasswordNotSavedError) Error() string {
	return "the settings were saved, but not the password: " + e.Cause.Error()
}

func (e *PasswordNotSavedError) Unwrap() error { return e.Cause }

// SaveSettings checks the settings and saves them as one (all or none);
// a password, when given, goes to the OS keychain, never the database. When
// only the password could not be saved, the error is a
// *PasswordNotSavedError.
func (w *Workflow) SaveSettings(ctx context.Context, st data.Settings, password string) error {
	if err := w.store.SaveSettings(ctx, st); err != nil {
		return err
	}
	if password == "" {
		return nil
	}
	saved, err := w.store.Settings(ctx) // the account as stored (trimmed, sender filled in)
	if err != nil {
		return err
	}
	if !saved.Mail.Configured() {
		return &PasswordNotSavedError{errors.New("set up the mail account's server first")}
	}
	if err := mailer.StorePassword(saved.Mail, password); err != nil {
		return &PasswordNotSavedError{err}
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
		m.IMAPHost, m.IMAPPort, m.IMAPTLS = p.IMAPHost, 993, mailer.TLSImplicit
	}
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

// SignInMicrosoft signs the mail account in to Microsoft 365 with the
// device-code flow (show says where to go and which code to enter) and,
// once signed in, sends with that sign-in instead of a password.
func (w *Workflow) SignInMicrosoft(ctx context.Context, o mailer.OAuth, show func(url, code string)) (data.MailAccount, error) {
	st, err := w.store.Settings(ctx)
	if err != nil {
		return data.MailAccount{}, err
	}
	if !st.Mail.Configured() {
		return st.Mail, fmt.Errorf("%w: set it up first, then sign in", mailer.ErrNoAccount)
	}
	if o.Tenant == "" {
		o.Tenant = "organizations"
	}
	if err := o.SignIn(ctx, st.Mail, show); err != nil {
		return st.Mail, err
	}
	st.Mail.OAuthTenant, st.Mail.OAuthClientID = o.Tenant, o.ClientID
	return st.Mail, w.store.SaveSettings(ctx, st)
}
