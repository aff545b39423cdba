package mailer

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"strconv"
	"strings"

	"github.com/zalando/go-keyring"

	"kindly/data"
)

// Settings keys of the mail account and the practice profile.
const (
	keyPreset    = "account.preset"
	keyHost      = "account.host"
	keyPort      = "account.port"
	keyTLS       = "account.tls"
	keyUser      = "account.user"
	keyFrom      = "account.from"
	keyPerMinute = "limits.per_minute"
	keyPerDay    = "limits.per_day"
	keyName      = "practice.name"
	keyAddress   = "practice.address"
	keyPhone     = "practice.phone"
	keyEmail     = "practice.email"
	keySignature = "practice.signature"
)

// PasswordEnv is the fallback for machines without a keychain (headless
// Linux): the password is read from this environment variable.
const PasswordEnv = "KINDLY_SMTP_PASSWORD"

const keyringService = "Kindly"

// Settings is the stored mail account and its limits.
type Settings struct {
	Preset string
	Account
	Limits
}

// LoadSettings reads the mail account from the database (no password).
func LoadSettings(s *data.Store) (Settings, error) {
	get := func(k string) string { v, _ := s.Setting(k, ""); return v }
	var st Settings
	st.Preset, st.Host, st.TLS, st.User, st.From = get(keyPreset), get(keyHost), get(keyTLS), get(keyUser), get(keyFrom)
	st.Port, _ = strconv.Atoi(get(keyPort))
	st.PerMinute, _ = strconv.Atoi(get(keyPerMinute))
	st.PerDay, _ = strconv.Atoi(get(keyPerDay))
	if st.Host == "" {
		return st, errors.New("no mail account is set up yet (Settings > Mail account, or kindly account set)")
	}
	return st, nil
}

// SaveSettings checks and stores the mail account (no password).
func SaveSettings(s *data.Store, st Settings) error {
	if st.Host == "" || st.Port <= 0 || st.Port > 65535 {
		return fmt.Errorf("the mail server needs a name and a port between 1 and 65535")
	}
	switch st.TLS {
	case TLSNone, TLSStartTLS, TLSImplicit:
	default:
		return fmt.Errorf("the security setting must be none, starttls or tls, not %q", st.TLS)
	}
	if _, err := mail.ParseAddress(st.From); err != nil {
		return fmt.Errorf("the sender address %q is not valid", st.From)
	}
	for k, v := range map[string]string{keyPreset: st.Preset, keyHost: st.Host, keyPort: strconv.Itoa(st.Port), keyTLS: st.TLS,
		keyUser: st.User, keyFrom: st.From, keyPerMinute: strconv.Itoa(st.PerMinute), keyPerDay: strconv.Itoa(st.PerDay)} {
		if err := s.SetSetting(k, v); err != nil {
			return err
		}
	}
	return nil
}

// LoadPractice reads the practice profile used in footers.
func LoadPractice(s *data.Store) Practice {
	get := func(k string) string { v, _ := s.Setting(k, ""); return v }
	return Practice{Name: get(keyName), Address: get(keyAddress), Phone: get(keyPhone), Email: get(keyEmail), Signature: get(keySignature)}
}

// SavePractice stores the practice profile.
func SavePractice(s *data.Store, p Practice) error {
	if strings.TrimSpace(p.Name) == "" {
		return errors.New("please enter the practice's name")
	}
	if p.Email != "" {
		if _, err := mail.ParseAddress(p.Email); err != nil {
			return fmt.Errorf("the practice email %q is not valid", p.Email)
		}
	}
	for k, v := range map[string]string{keyName: p.Name, keyAddress: p.Address, keyPhone: p.Phone, keyEmail: p.Email, keySignature: p.Signature} {
		if err := s.SetSetting(k, v); err != nil {
			return err
		}
	}
	return nil
}

func keyringUser(st Settings) string { return st.User + "@" + st.Host }

// StorePassword puts the password in the OS keychain (never the database).
func StorePassword(st Settings, password string) error {
	if err := keyring.Set(keyringService, keyringUser(st), password); err != nil {
		return fmt.Errorf("this computer has no keychain Kindly can use (%v); set the environment variable %s to the password instead", err, PasswordEnv)
	}
	return nil
}

// Password finds the account's password: the OS keychain first, then the
// environment variable on machines without one.
func Password(st Settings) (string, error) {
	if st.User == "" {
		return "", nil
	}
	pw, err := keyring.Get(keyringService, keyringUser(st))
	if err == nil {
		return pw, nil
	}
	if env := os.Getenv(PasswordEnv); env != "" {
		return env, nil
	}
	if errors.Is(err, keyring.ErrNotFound) {
		return "", fmt.Errorf("no password is saved for %s (kindly account set --password-stdin, or set %s)", st.User, PasswordEnv)
	}
	return "", fmt.Errorf("this computer has no keychain Kindly can use (%v); set the environment variable %s to the password", err, PasswordEnv)
}

// Ready loads everything needed to send: account with password, limits, practice.
func Ready(s *data.Store) (Settings, Practice, error) {
	st, err := LoadSettings(s)
	if err != nil {
		return st, Practice{}, err
	}
	if o, ok := LoadOAuth(s); ok {
		if st.OAuthToken, err = o.AccessToken(context.Background(), st); err != nil {
			return st, Practice{}, err
		}
	} else if st.Password, err = Password(st); err != nil {
		return st, Practice{}, err
	}
	return st, LoadPractice(s), nil
}

// Test logs in to the mail server and says in plain words what failed.
func Test(ctx context.Context, st Settings, pr Practice) error {
	c, err := Dial(ctx, st.Account, pr)
	if err != nil {
		return err
	}
	return c.Close()
}
