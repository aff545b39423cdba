package mailer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
	"golang.org/x/oauth2"

	"kindly/data"
)

// OAuth is a sign-in with the mail provider (XOAUTH2 on SMTP and IMAP)
// instead of a password. Microsoft turns password SMTP off by default for
// existing tenants from the end of December 2026; Google accounts without
// app passwords need it too. The client id (and, for Google, the client
// secret of a "desktop app" client, which Google does not treat as secret)
// come from the practice's app registration.
type OAuth struct {
	Provider     string // data.OAuthMicrosoft or data.OAuthGoogle
	Tenant       string // Microsoft's: "organizations", "consumers" or the tenant's id
	ClientID     string
	ClientSecret string
	// LoginURL is the provider's sign-in server; tests point it at a local one.
	LoginURL string
}

// Where the providers' sign-in lives.
const (
	microsoftLogin = "https://login.microsoftonline.com"
	googleAuthURL  = "https://accounts.google.com/o/oauth2/v2/auth"
	googleTokenURL = "https://oauth2.googleapis.com/token"
)

// The permissions asked for: sending over SMTP and reading the inbox over
// IMAP, and a refresh token to stay signed in.
var (
	microsoftScopes = []string{"https://outlook.office.com/SMTP.Send", "https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access"}
	googleScopes    = []string{"https://mail.google.com/"}
)

// ProviderName is the provider as the practice knows it.
func (o OAuth) ProviderName() string {
	if o.Provider == data.OAuthGoogle {
		return "Google"
	}
	return "Microsoft"
}

func (o OAuth) config() *oauth2.Config {
	base := strings.TrimRight(o.LoginURL, "/")
	if o.Provider == data.OAuthGoogle {
		ep := oauth2.Endpoint{AuthURL: googleAuthURL, TokenURL: googleTokenURL, AuthStyle: oauth2.AuthStyleInParams}
		if base != "" {
			ep.AuthURL, ep.TokenURL = base+"/o/oauth2/v2/auth", base+"/token"
		}
		return &oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, Endpoint: ep, Scopes: googleScopes}
	}
	if base == "" {
		base = microsoftLogin
	}
	base += "/" + url.PathEscape(o.Tenant) + "/oauth2/v2.0"
	ep := oauth2.Endpoint{AuthURL: base + "/authorize", TokenURL: base + "/token", DeviceAuthURL: base + "/devicecode",
		AuthStyle: oauth2.AuthStyleInParams}
	return &oauth2.Config{ClientID: o.ClientID, Endpoint: ep, Scopes: microsoftScopes}
}

// OAuthOf is a mail account's OAuth sign-in; ok is false when the account
// signs in with a password.
func OAuthOf(m data.MailAccount) (OAuth, bool) {
	p := m.OAuthProvider
	if p == "" {
		p = data.OAuthMicrosoft
	}
	return OAuth{Provider: p, Tenant: m.OAuthTenant, ClientID: m.OAuthClientID}, m.OAuthClientID != ""
}

// SignInSteps is how the practice takes part in a sign-in.
type SignInSteps struct {
	// ShowCode tells the user where to go and which code to enter
	// (Microsoft's device sign-in).
	ShowCode func(url, code string)
	// OpenBrowser opens the provider's sign-in page (Google's); when it
	// fails, the address is shown with ShowCode and an empty code.
	OpenBrowser func(url string) error
}

// SignIn signs the account in and keeps the token in the OS keychain.
// Microsoft: the device-code flow. Google: the browser opens Google's page,
// which sends the user back to Kindly on this computer (a loopback address,
// with PKCE so no other program can use the code). SignIn returns once the
// user signed in, or ctx ends.
func (o OAuth) SignIn(ctx context.Context, st data.MailAccount, steps SignInSteps) error {
	if o.ClientID == "" {
		return fmt.Errorf("the %s sign-in needs the client id of the practice's app registration", o.ProviderName())
	}
	var tok *oauth2.Token
	var err error
	if o.Provider == data.OAuthGoogle {
		tok, err = o.browserSignIn(ctx, st, steps)
	} else {
		tok, err = o.deviceSignIn(ctx, steps)
	}
	if err != nil {
		return err
	}
	return o.saveToken(st, tok)
}

func (o OAuth) deviceSignIn(ctx context.Context, steps SignInSteps) (*oauth2.Token, error) {
	cfg := o.config()
	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot start the Microsoft sign-in: %w", err)
	}
	steps.ShowCode(da.VerificationURI, da.UserCode)
	tok, err := cfg.DeviceAccessToken(ctx, da)
	if err != nil {
		return nil, fmt.Errorf("the Microsoft sign-in did not finish: %w", err)
	}
	return tok, nil
}

// browserSignIn is the authorization-code flow for installed apps (RFC
// 8252): a one-time web server on 127.0.0.1 receives the code.
func (o OAuth) browserSignIn(ctx context.Context, st data.MailAccount, steps SignInSteps) (*oauth2.Token, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cannot start the %s sign-in: %w", o.ProviderName(), err)
	}
	defer l.Close()
	cfg := o.config()
	cfg.RedirectURL = fmt.Sprintf("http://127.0.0.1:%d/", l.Addr().(*net.TCPAddr).Port)
	state := randomText()
	verifier := oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.AccessTypeOffline, oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("prompt", "consent")}
	if st.User != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", st.User))
	}
	authURL := cfg.AuthCodeURL(state, opts...)

	type answer struct{ code, err string }
	got := make(chan answer, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("state") != state { // a stray request (a favicon, another program): not the sign-in
			http.NotFound(w, r)
			return
		}
		a := answer{code: q.Get("code"), err: q.Get("error")}
		if a.code == "" && a.err == "" {
			a.err = "no code in the answer"
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		msg := "Kindly is signed in. You can close this tab and go back to Kindly."
		if a.err != "" {
			msg = "The sign-in did not finish (" + html.EscapeString(a.err) + "). Go back to Kindly and try again."
		}
		fmt.Fprintf(w, "<!doctype html><title>Kindly</title><p style=\"font:16px sans-serif;margin:3em\">%s</p>", msg)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		select {
		case got <- a:
		default:
		}
	})}
	go srv.Serve(l)
	defer func() { // the browser gets its page before the server goes
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	if steps.OpenBrowser == nil || steps.OpenBrowser(authURL) != nil {
		steps.ShowCode(authURL, "")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	var a answer
	select {
	case a = <-got:
	case <-ctx.Done():
		return nil, fmt.Errorf("the %s sign-in did not finish: %w", o.ProviderName(), ctx.Err())
	}
	if a.err != "" {
		if a.err == "access_denied" {
			return nil, fmt.Errorf("the %s sign-in was cancelled, or Kindly was not allowed to use the mailbox", o.ProviderName())
		}
		return nil, fmt.Errorf("the %s sign-in did not finish: %s", o.ProviderName(), a.err)
	}
	tok, err := cfg.Exchange(ctx, a.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("the %s sign-in did not finish: %w", o.ProviderName(), err)
	}
	if tok.RefreshToken == "" {
		return nil, fmt.Errorf("%s did not let Kindly stay signed in (no refresh token); sign in again", o.ProviderName())
	}
	return tok, nil
}

func randomText() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand does not fail on supported systems
	return hex.EncodeToString(b)
}

func tokenKey(st data.MailAccount) string { return "oauth:" + keyringUser(st) }

// savedSignIn is what the keychain holds for an OAuth sign-in: the token
// and the client secret it is refreshed with.
type savedSignIn struct {
	Token        *oauth2.Token `json:"token"`
	ClientSecret string        `json:"client_secret,omitempty"`
}

func (o OAuth) saveToken(st data.MailAccount, tok *oauth2.Token) error {
	b, err := json.Marshal(savedSignIn{Token: tok, ClientSecret: o.ClientSecret})
	if err != nil {
		return err
	}
	if err := setSecret(tokenKey(st), string(b)); err != nil {
		return keychainError("the sign-in", err)
	}
	return nil
}

// ForgetSignIn removes the account's OAuth token from the keychain: the
// account signs in with a password from now on.
func ForgetSignIn(st data.MailAccount) error {
	if err := deleteSecret(tokenKey(st)); err != nil {
		return keychainError("the sign-in", err)
	}
	return nil
}

// AccessToken returns a current access token, refreshing it (and saving the
// refreshed one) when it has expired.
func (o OAuth) AccessToken(ctx context.Context, st data.MailAccount) (string, error) {
	raw, err := getSecret(tokenKey(st))
	if errors.Is(err, keyring.ErrNotFound) {
		return "", data.Problemf(data.KindSignIn, data.HintSignIn, st.User, fmt.Sprintf("not signed in to %s for %s", o.ProviderName(), st.User), err)
	}
	if err != nil {
		return "", keychainError("the sign-in", err)
	}
	var saved savedSignIn
	if err := json.Unmarshal([]byte(raw), &saved); err != nil || saved.Token == nil {
		var tok oauth2.Token // an older Kindly kept the bare token
		if err2 := json.Unmarshal([]byte(raw), &tok); err2 != nil || tok.RefreshToken == "" && tok.AccessToken == "" {
			return "", data.Problemf(data.KindSignIn, data.HintSignIn, st.User, fmt.Sprintf("the saved %s sign-in is damaged", o.ProviderName()), err2)
		}
		saved.Token = &tok
	}
	o.ClientSecret = saved.ClientSecret
	fresh, err := o.config().TokenSource(ctx, saved.Token).Token()
	if err != nil {
		if re := (*oauth2.RetrieveError)(nil); errors.As(err, &re) && re.ErrorCode == "invalid_grant" { // RFC 6749 5.2
			return "", data.Problemf(data.KindSignIn, data.HintSignIn, st.User, fmt.Sprintf("the %s sign-in has expired or was revoked", o.ProviderName()), err)
		}
		return "", fmt.Errorf("cannot renew the %s sign-in: %w", o.ProviderName(), err)
	}
	if fresh.AccessToken != saved.Token.AccessToken {
		if err := o.saveToken(st, fresh); err != nil {
			return "", err
		}
	}
	return fresh.AccessToken, nil
}
