package mailer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/zalando/go-keyring"
	"golang.org/x/oauth2"

	"kindly/data"
)

// OAuth is a Microsoft 365 sign-in (XOAUTH2) instead of a password:
// Microsoft turns password SMTP off by default for existing tenants from
// the end of December 2026. Tenant and client id come from the practice's
// Microsoft Entra app registration ("organizations" works for most).
type OAuth struct {
	Tenant   string
	ClientID string
	// LoginURL is Microsoft's sign-in server; tests point it at a local one.
	LoginURL string
}

// microsoftLogin is where Microsoft's sign-in lives.
const microsoftLogin = "https://login.microsoftonline.com"

// microsoftSMTPScope is the permission to send mail over SMTP.
var microsoftSMTPScopes = []string{"https://outlook.office.com/SMTP.Send", "offline_access"}

func (o OAuth) config() *oauth2.Config {
	base := strings.TrimRight(o.LoginURL, "/")
	if base == "" {
		base = microsoftLogin
	}
	base += "/" + url.PathEscape(o.Tenant) + "/oauth2/v2.0"
	ep := oauth2.Endpoint{AuthURL: base + "/authorize", TokenURL: base + "/token", DeviceAuthURL: base + "/devicecode",
		AuthStyle: oauth2.AuthStyleInParams}
	return &oauth2.Config{ClientID: o.ClientID, Endpoint: ep, Scopes: microsoftSMTPScopes}
}

// OAuthOf is a mail account's Microsoft sign-in; ok is false when the
// account signs in with a password.
func OAuthOf(m data.MailAccount) (OAuth, bool) {
	return OAuth{Tenant: m.OAuthTenant, ClientID: m.OAuthClientID}, m.OAuthClientID != ""
}

// SignIn runs the device-code flow: show tells the user where to go and
// which code to enter; SignIn returns once they signed in (or ctx ends),
// with the token saved in the OS keychain.
func (o OAuth) SignIn(ctx context.Context, st data.MailAccount, show func(url, code string)) error {
	if o.ClientID == "" {
		return errors.New("the Microsoft sign-in needs the client id of the practice's app registration")
	}
	cfg := o.config()
	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		return fmt.Errorf("cannot start the Microsoft sign-in: %w", err)
	}
	show(da.VerificationURI, da.UserCode)
	tok, err := cfg.DeviceAccessToken(ctx, da)
	if err != nil {
		return fmt.Errorf("the Microsoft sign-in did not finish: %w", err)
	}
	return saveToken(st, tok)
}

func tokenKey(st data.MailAccount) string { return "oauth:" + keyringUser(st) }

func saveToken(st data.MailAccount, tok *oauth2.Token) error {
	b, err := json.Marshal(tok)
	if err != nil {
		return err
	}
	if err := keyring.Set(keyringService, tokenKey(st), string(b)); err != nil {
		return keychainError("the sign-in", err)
	}
	return nil
}

// AccessToken returns a current access token, refreshing it (and saving the
// refreshed one) when it has expired.
func (o OAuth) AccessToken(ctx context.Context, st data.MailAccount) (string, error) {
	raw, err := keyring.Get(keyringService, tokenKey(st))
	if err != nil {
		return "", fmt.Errorf("not signed in to Microsoft for %s (kindly account oauth): %v", st.User, err)
	}
	var tok oauth2.Token
	if err := json.Unmarshal([]byte(raw), &tok); err != nil {
		return "", fmt.Errorf("the saved Microsoft sign-in is damaged; sign in again: %w", err)
	}
	fresh, err := o.config().TokenSource(ctx, &tok).Token()
	if err != nil {
		if strings.Contains(err.Error(), "invalid_grant") {
			return "", errors.New("the Microsoft sign-in has expired or was revoked; sign in again (kindly account oauth)")
		}
		return "", fmt.Errorf("cannot renew the Microsoft sign-in: %w", err)
	}
	if fresh.AccessToken != tok.AccessToken {
		if err := saveToken(st, fresh); err != nil {
			return "", err
		}
	}
	return fresh.AccessToken, nil
}
