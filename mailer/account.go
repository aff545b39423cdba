package mailer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/zalando/go-keyring"

	"kindly/data"
)

// PasswordEnv is the fallback for machines without a keychain (headless
// Linux): the password is read from this environment variable.
const PasswordEnv = "KINDLY_SMTP_PASSWORD"

const keyringService = "Kindly"

// ErrNoAccount says no mail account is set up yet.
var ErrNoAccount error = data.Problemf(data.KindNotSetUp, data.HintMailAccount, "", "no mail account is set up yet", nil)

// Credentials is the account ready to sign in: with its password from the
// OS keychain, or a fresh Microsoft access token when it signs in that way.
func Credentials(ctx context.Context, m data.MailAccount) (Account, error) {
	if !m.Configured() {
		return Account{}, ErrNoAccount
	}
	acct := Account{Host: m.Host, Port: m.Port, TLS: m.TLS, User: m.User, From: m.From}
	var err error
	if o, ok := OAuthOf(m); ok {
		acct.OAuthToken, err = o.AccessToken(ctx, m)
	} else {
		acct.Password, err = Password(m)
	}
	return acct, err
}

func keyringUser(m data.MailAccount) string { return m.User + "@" + m.Host }

// StorePassword puts the password in the OS keychain (never the database).
func StorePassword(m data.MailAccount, password string) error {
	if err := keyring.Set(keyringService, keyringUser(m), password); err != nil {
		return keychainError("the password", err)
	}
	return nil
}

// sessionPasswords are passwords typed on a computer whose keychain could
// not keep them: held in memory while this Kindly runs, never written.
var sessionPasswords sync.Map // keyringUser -> password

// KeepForSession holds a password in memory for as long as this Kindly
// runs, where the computer has no keychain.
func KeepForSession(m data.MailAccount, password string) {
	sessionPasswords.Store(keyringUser(m), password)
}

// Password finds the account's password: the OS keychain first, then one
// kept for this session, then the environment variable on machines without
// a keychain.
func Password(m data.MailAccount) (string, error) {
	if m.User == "" {
		return "", nil
	}
	pw, err := keyring.Get(keyringService, keyringUser(m))
	if err == nil {
		return pw, nil
	}
	if kept, ok := sessionPasswords.Load(keyringUser(m)); ok {
		return kept.(string), nil
	}
	if env := os.Getenv(PasswordEnv); env != "" {
		return env, nil
	}
	if errors.Is(err, keyring.ErrNotFound) {
		return "", data.Problemf(data.KindNotSetUp, data.HintPassword, m.User, fmt.Sprintf("no password is saved for %s", m.User), err)
	}
	return "", keychainError("the password", err)
}

// Test logs in to the mail server and says in plain words what failed.
func Test(ctx context.Context, acct Account, pr data.Practice) error {
	c, err := Dial(ctx, acct, pr)
	if err != nil {
		return err
	}
	return c.Close()
}
