package mailer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	// Endpoint overrides Microsoft's (tests use a local server).
	Endpoint *oauth2.Endpoint
}

const (
	keyOAuthTenant = "account.oauth_tenant"
	keyOAuthClient = "account.oauth_client_id"
)

// microsoftSMTPScope is the permission to send mail over SMTP.
var microsoftSMTPScopes = []string{"https://outlook.office.com/SMTP.Send", "offline_access"}

func (o OAuth) config() *oauth2.Config {
	ep := oauth2.Endpoint{
		AuthURL:       "https://login.microsoftonline.com/" + o.Tenant + "/oauth2/v2.0/authorize",
		TokenURL:      "https://login.microsoftonline.com/" + o.Tenant + "/oauth2/v2.0/token",
		DeviceAuthURL: "https://login.microsoftonline.com/" + o.Tenant + "/oauth2/v2.0/devicecode",
		AuthStyle:     oauth2.AuthStyleInParams,
	}
	if o.Endpoint != nil {
		ep = *o.Endpoint
	}
	return &oauth2.Config{ClientID: o.ClientID, Endpoint: ep, Scopes: microsoftSMTPScopes}
}

// LoadOAuth reads the sign-in settings; ok is false when the account uses a password.
func LoadOAuth(s *data.Store) (OAuth, bool) {
	t, _ := s.Setting(keyOAuthTenant, "")
	c, _ := s.Setting(keyOAuthClient, "")
	return OAuth{Tenant: t, ClientID: c}, c != ""
}

// SaveOAuth stores the sign-in settings (no token: that goes to the keychain).
func SaveOAuth(s *data.Store, o OAuth) error {
	if o.Tenant == "" {
		o.Tenant = "organizations"
	}
	if err := s.SetSetting(keyOAuthTenant, o.Tenant); err != nil {
		return err
	}
	return s.SetSetting(keyOAuthClient, o.ClientID)
}

// SignIn runs the device-code flow: show tells the user where to go and
// which code to enter; SignIn returns once they signed in (or ctx ends),
// with the token saved in the OS keychain.
func (o OAuth) SignIn(ctx context.Context, st Settings, show func(url, code string)) error {
	if o.ClientID == "" {
		return errors.New("Microsoft sign-in needs the client id of the practice's app registration")
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

func tokenKey(st Settings) string { return "oauth:" + keyringUser(st) }

func saveToken(st Settings, tok *oauth2.Token) error {
	b, err := json.Marshal(tok)
	if err != nil {
		return err
	}
	if err := keyring.Set(keyringService, tokenKey(st), string(b)); err != nil {
		return fmt.Errorf("this computer has no keychain Kindly can use to keep the sign-in (%v)", err)
	}
	return nil
}

// AccessToken returns a current access token, refreshing it (and saving the
// refreshed one) when it has expired.
func (o OAuth) AccessToken(ctx context.Context, st Settings) (string, error) {
	raw, err := keyring.Get(keyringService, tokenKey(st))
	if err != nil {
		return "", fmt.Errorf("Kindly is not signed in to Microsoft for %s (kindly account oauth): %v", st.User, err)
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
