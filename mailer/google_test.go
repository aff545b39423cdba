package mailer

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/zalando/go-keyring"

	"kindly/data"
)

// bigRefresh is the size of a real Microsoft or Google token set's
// refresh token and more: too big for one Windows keychain entry.
var bigRefresh = "refresh-" + strings.Repeat("x", 3300)

// fakeGoogle is a local OAuth server speaking the authorization-code flow
// with PKCE (RFC 7636) as Google does for installed apps.
type fakeGoogle struct {
	mu        sync.Mutex
	challenge string
	redirect  string
	issued    int
	deny      bool
}

func (f *fakeGoogle) handler(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	fail := func(code int, e string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"error": e})
	}
	switch r.URL.Path {
	case "/o/oauth2/v2/auth": // the page the browser opens; the user agrees at once
		q := r.URL.Query()
		ru, err := url.Parse(q.Get("redirect_uri"))
		if err != nil || ru.Scheme != "http" || ru.Hostname() != "127.0.0.1" || q.Get("code_challenge_method") != "S256" ||
			q.Get("client_id") != "desk.apps.googleusercontent.com" || q.Get("scope") != "https://mail.google.com/" ||
			q.Get("access_type") != "offline" || q.Get("response_type") != "code" || q.Get("login_hint") != "front@sunny.example" {
			http.Error(w, "bad request: "+r.URL.RawQuery, 400)
			return
		}
		f.challenge, f.redirect = q.Get("code_challenge"), q.Get("redirect_uri")
		back := url.Values{"state": {q.Get("state")}, "code": {"code-1"}}
		if f.deny {
			back = url.Values{"state": {q.Get("state")}, "error": {"access_denied"}}
		}
		http.Redirect(w, r, f.redirect+"?"+back.Encode(), http.StatusFound)
	case "/token":
		if r.Form.Get("client_id") != "desk.apps.googleusercontent.com" || r.Form.Get("client_secret") != "GOCSPX-desk" {
			fail(401, "invalid_client")
			return
		}
		switch r.Form.Get("grant_type") {
		case "authorization_code":
			sum := sha256.Sum256([]byte(r.Form.Get("code_verifier")))
			if r.Form.Get("code") != "code-1" || r.Form.Get("redirect_uri") != f.redirect ||
				base64.RawURLEncoding.EncodeToString(sum[:]) != f.challenge {
				fail(400, "invalid_grant")
				return
			}
		case "refresh_token":
			if r.Form.Get("refresh_token") != bigRefresh {
				fail(400, "invalid_grant")
				return
			}
		default:
			fail(400, "unsupported_grant_type")
			return
		}
		f.issued++
		tok := map[string]any{"access_token": fmt.Sprintf("ya29.access-%d", f.issued), "token_type": "Bearer", "expires_in": 1}
		if r.Form.Get("grant_type") == "authorization_code" { // Google sends the refresh token once
			tok["refresh_token"] = bigRefresh
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(tok)
	default:
		http.NotFound(w, r)
	}
}

// browser plays the user's browser: it opens the page and follows Google's
// redirect back to Kindly. A stray request without the state comes first.
func browser(t *testing.T) func(string) error {
	return func(page string) error {
		go func() {
			u, _ := url.Parse(page)
			if resp, err := http.Get(u.Query().Get("redirect_uri") + "favicon.ico"); err == nil {
				resp.Body.Close()
			}
			resp, err := http.Get(page)
			if err != nil {
				t.Errorf("the browser: %v", err)
				return
			}
			resp.Body.Close()
		}()
		return nil
	}
}

func TestGoogleBrowserSignInWithPKCE(t *testing.T) {
	keyring.MockInit()
	fg := &fakeGoogle{}
	api := httptest.NewServer(http.HandlerFunc(fg.handler))
	defer api.Close()
	o := OAuth{Provider: data.OAuthGoogle, ClientID: "desk.apps.googleusercontent.com", ClientSecret: "GOCSPX-desk", LoginURL: api.URL}
	st := data.MailAccount{Host: "smtp.gmail.com", User: "front@sunny.example", OAuthProvider: data.OAuthGoogle, OAuthClientID: o.ClientID}
	ctx := context.Background()

	if err := o.SignIn(ctx, st, SignInSteps{OpenBrowser: browser(t)}); err != nil {
		t.Fatal(err)
	}
	// The token expired (expires_in 1): the refresh uses the client secret
	// kept with it, which the account's settings do not hold.
	saved, ok := OAuthOf(st)
	if !ok || saved.ClientSecret != "" {
		t.Fatalf("the settings' sign-in: %+v", saved)
	}
	saved.LoginURL = api.URL
	tok, err := saved.AccessToken(ctx, st)
	if err != nil || !strings.HasPrefix(tok, "ya29.access-") {
		t.Fatalf("token %q, %v", tok, err)
	}
	if v, _ := keyring.Get(keyringService, tokenKey(st)); !strings.HasPrefix(v, splitMark) {
		t.Errorf("a %d-byte refresh token was kept in one entry", len(bigRefresh))
	}
	fitsEveryKeychain(t, tokenKey(st))

	// The inbox accepts the token over XOAUTH2, and only that one.
	srv := oauthIMAP(t, tok)
	in := Inbox{Host: "127.0.0.1", Port: srv, TLS: TLSNone, User: "front@sunny.example", OAuthToken: tok}
	n, err := FetchNew(ctx, in, func(uint32) (uint32, error) { return 0, nil },
		func(uint32, []byte) (bool, error) { return false, nil }, func(uint32, uint32) error { return nil })
	if err != nil || n != 1 {
		t.Fatalf("read %d messages over XOAUTH2: %v", n, err)
	}
	in.OAuthToken = "ya29.stolen"
	if _, err := FetchNew(ctx, in, func(uint32) (uint32, error) { return 0, nil },
		func(uint32, []byte) (bool, error) { return false, nil }, func(uint32, uint32) error { return nil }); err == nil {
		t.Fatal("a wrong token was let in")
	}

	// Going back to a password forgets the sign-in, all its parts.
	if err := ForgetSignIn(st); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{tokenKey(st), partKey(tokenKey(st), 1), partKey(tokenKey(st), 2)} {
		if _, err := keyring.Get(keyringService, k); err != keyring.ErrNotFound {
			t.Errorf("%s is still in the keychain: %v", k, err)
		}
	}
	if _, err := saved.AccessToken(ctx, st); data.KindOf(err) != data.KindSignIn || !strings.Contains(err.Error(), "not signed in to Google") {
		t.Fatalf("after forgetting: %v", err)
	}
}

func TestGoogleSignInCancelled(t *testing.T) {
	keyring.MockInit()
	fg := &fakeGoogle{deny: true}
	api := httptest.NewServer(http.HandlerFunc(fg.handler))
	defer api.Close()
	o := OAuth{Provider: data.OAuthGoogle, ClientID: "desk.apps.googleusercontent.com", ClientSecret: "GOCSPX-desk", LoginURL: api.URL}
	st := data.MailAccount{Host: "smtp.gmail.com", User: "front@sunny.example"}
	var shown string
	err := o.SignIn(context.Background(), st, SignInSteps{
		OpenBrowser: func(page string) error { browser(t)(page); return fmt.Errorf("no browser") },
		ShowCode:    func(u, code string) { shown = u },
	})
	if err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("a refused sign-in: %v", err)
	}
	if !strings.HasPrefix(shown, api.URL+"/o/oauth2/v2/auth?") {
		t.Errorf("without a browser the address is shown: %q", shown)
	}
	if _, err := getSecret(tokenKey(st)); err != keyring.ErrNotFound {
		t.Errorf("a refused sign-in left a token: %v", err)
	}
}

// fitsEveryKeychain checks each entry of a secret against the limits of
// Windows Credential Manager (2,560 bytes) and of macOS's security command
// (a 4,096-byte line with the secret in base64), as go-keyring applies them.
func fitsEveryKeychain(t *testing.T, key string) {
	t.Helper()
	first, err := keyring.Get(keyringService, key)
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string]string{key: first}
	if strings.HasPrefix(first, splitMark) {
		for i := 1; i <= secretParts(key); i++ {
			p, err := keyring.Get(keyringService, partKey(key, i))
			if err != nil {
				t.Fatal(err)
			}
			entries[partKey(key, i)] = p
		}
	}
	for k, v := range entries {
		if len(v) > 2560 {
			t.Errorf("%s: %d bytes, more than Windows takes", k, len(v))
		}
		quoted := func(s string) string { return "'" + s + "'" } // at most what shellescape.Quote adds (no quotes inside)
		mac := fmt.Sprintf("add-generic-password -U -s %s -a %s -w %s\n", quoted(keyringService), quoted(k),
			quoted("go-keyring-base64:"+base64.StdEncoding.EncodeToString([]byte(v))))
		if len(mac) > 4096 {
			t.Errorf("%s: a %d-byte command, more than macOS takes", k, len(mac))
		}
	}
}

func TestSecretsSplitToFitTheKeychain(t *testing.T) {
	keyring.MockInit()
	key := "oauth:front@sunny.example@smtp.office365.com"
	for _, n := range []int{0, 10, secretPart, secretPart + 1, 2 * secretPart, 7000, 12} {
		v := strings.Repeat("abcdefghij", n/10+1)[:n]
		if err := setSecret(key, v); err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		got, err := getSecret(key)
		if err != nil || got != v {
			t.Fatalf("%d bytes came back as %d: %v", n, len(got), err)
		}
		fitsEveryKeychain(t, key)
	}
	// After shrinking from 7,000 bytes to 12, no part is left behind.
	if _, err := keyring.Get(keyringService, partKey(key, 1)); err != keyring.ErrNotFound {
		t.Errorf("a leftover part: %v", err)
	}
	// A secret that happens to start like the mark is split, not misread.
	if err := setSecret(key, splitMark+"2"); err != nil {
		t.Fatal(err)
	}
	if got, _ := getSecret(key); got != splitMark+"2" {
		t.Fatalf("got %q", got)
	}
	if err := deleteSecret(key); err != nil {
		t.Fatal(err)
	}
	if err := deleteSecret(key); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
}

// oauthIMAP runs an IMAP server that signs in only with XOAUTH2 and the
// given token; its INBOX holds one message. It returns the port.
func oauthIMAP(t *testing.T, token string) int {
	user := imapmemserver.NewUser("front@sunny.example", "")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	msg := "From: a@example.com\r\nTo: front@sunny.example\r\nSubject: hi\r\n\r\nhello\r\n"
	if _, err := user.Append("INBOX", literal(msg), &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := imapserver.New(&imapserver.Options{InsecureAuth: true, Caps: imap.CapSet{imap.CapIMAP4rev1: {}},
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &oauthIMAPSession{user: user, token: token}, nil, nil
		}})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

type oauthIMAPSession struct {
	*imapmemserver.UserSession // nil until signed in
	user                       *imapmemserver.User
	token                      string
}

func (s *oauthIMAPSession) Login(string, string) error { return imapserver.ErrAuthFailed }
func (s *oauthIMAPSession) AuthenticateMechanisms() []string {
	return []string{"XOAUTH2"}
}
func (s *oauthIMAPSession) Authenticate(mech string) (sasl.Server, error) {
	x := &xoauth2Server{valid: map[string]bool{s.token: true}, user: "front@sunny.example"}
	return saslFunc(func(resp []byte) ([]byte, bool, error) {
		if _, done, err := x.Next(resp); err != nil || !done {
			return nil, false, imapserver.ErrAuthFailed
		}
		s.UserSession = imapmemserver.NewUserSession(s.user)
		return nil, true, nil
	}), nil
}
func (s *oauthIMAPSession) Close() error {
	if s.UserSession != nil {
		return s.UserSession.Close()
	}
	return nil
}

type saslFunc func([]byte) ([]byte, bool, error)

func (f saslFunc) Next(resp []byte) ([]byte, bool, error) { return f(resp) }

type literalReader struct {
	*strings.Reader
}

func (l literalReader) Size() int64 { return int64(l.Reader.Len()) }

func literal(s string) imap.LiteralReader { return literalReader{strings.NewReader(s)} }
