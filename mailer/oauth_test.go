package mailer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/zalando/go-keyring"

	"kindly/data"
)

// fakeMicrosoft is a local OAuth server speaking the device-code flow
// (RFC 8628): Microsoft's endpoints cannot be reached from here.
type fakeMicrosoft struct {
	mu       sync.Mutex
	polls    int
	issued   int
	approved bool
}

func (f *fakeMicrosoft) handler(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch strings.TrimPrefix(r.URL.Path, "/organizations/oauth2/v2.0") {
	case "/devicecode":
		if !strings.Contains(r.Form.Get("scope"), "SMTP.Send") || !strings.Contains(r.Form.Get("scope"), "IMAP.AccessAsUser.All") {
			http.Error(w, `{"error":"invalid_scope"}`, 400)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"device_code": "dev-1", "user_code": "ABCD-EFGH",
			"verification_uri": "https://microsoft.com/devicelogin", "expires_in": 900, "interval": 1})
	case "/token":
		switch r.Form.Get("grant_type") {
		case "urn:ietf:params:oauth:grant-type:device_code":
			f.polls++
			if !f.approved {
				w.WriteHeader(400)
				json.NewEncoder(w).Encode(map[string]any{"error": "authorization_pending"})
				return
			}
		case "refresh_token":
			if r.Form.Get("refresh_token") != bigRefresh {
				w.WriteHeader(400)
				json.NewEncoder(w).Encode(map[string]any{"error": "invalid_grant"})
				return
			}
		}
		f.issued++
		json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("access-%d", f.issued), "token_type": "Bearer",
			"refresh_token": bigRefresh, "expires_in": 1})
	}
}

// xoauth2Server accepts "user=U\x01auth=Bearer T\x01\x01" for the tokens it is told.
type xoauth2Server struct {
	valid map[string]bool
	user  string
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	parts := strings.Split(string(resp), "\x01")
	if len(parts) < 2 || parts[0] != "user="+x.user || !x.valid[strings.TrimPrefix(parts[1], "auth=Bearer ")] {
		return nil, false, &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 3}, Message: "Authentication unsuccessful"}
	}
	return nil, true, nil
}

// oauthSession is an SMTP session that signs in only with XOAUTH2 and
// counts what it takes.
type oauthSession struct {
	tokens    map[string]bool
	delivered *atomic.Int32
}

func (s *oauthSession) AuthMechanisms() []string { return []string{"XOAUTH2"} }
func (s *oauthSession) Auth(mech string) (sasl.Server, error) {
	return &xoauth2Server{valid: s.tokens, user: "front@sunny.example"}, nil
}
func (s *oauthSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *oauthSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *oauthSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	s.delivered.Add(1)
	return err
}
func (s *oauthSession) Reset()        {}
func (s *oauthSession) Logout() error { return nil }

func TestMicrosoftDeviceSignInAndXOAUTH2(t *testing.T) {
	keyring.MockInit() // no OS keychain runs on this test machine
	fm := &fakeMicrosoft{}
	api := httptest.NewServer(http.HandlerFunc(fm.handler))
	defer api.Close()
	o := OAuth{Tenant: "organizations", ClientID: "client-1", LoginURL: api.URL}

	st := data.MailAccount{Host: "127.0.0.1", Port: 25, TLS: TLSNone, User: "front@sunny.example", From: "front@sunny.example"}

	var shown string
	err := o.SignIn(context.Background(), st, SignInSteps{ShowCode: func(url, code string) {
		shown = url + " " + code
		go func() { // the user signs in in the browser a moment later
			fm.mu.Lock()
			fm.approved = true
			fm.mu.Unlock()
		}()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if shown != "https://microsoft.com/devicelogin ABCD-EFGH" {
		t.Fatalf("shown %q", shown)
	}
	// The token expired (expires_in 1): asking for it refreshes it.
	tok, err := o.AccessToken(context.Background(), st)
	if err != nil || !strings.HasPrefix(tok, "access-") {
		t.Fatalf("token %q, %v", tok, err)
	}
	fitsEveryKeychain(t, tokenKey(st)) // a Microsoft token set is 3-4 KB

	// An SMTP server that only speaks XOAUTH2 accepts that token.
	var delivered atomic.Int32
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &oauthSession{tokens: map[string]bool{tok: true}, delivered: &delivered}, nil
	}))
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()
	addr := l.Addr().(*net.TCPAddr)
	acct := Account{Host: "127.0.0.1", Port: addr.Port, TLS: TLSNone, User: "front@sunny.example", From: "front@sunny.example", OAuthToken: tok}
	c, err := Dial(context.Background(), acct, practice)
	if err != nil {
		t.Fatalf("XOAUTH2 login: %v", err)
	}
	if err := c.Send(Message{To: "pat@example.com", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if delivered.Load() != 1 {
		t.Fatal("the message did not arrive")
	}
	acct.OAuthToken = "stolen"
	if _, err := Dial(context.Background(), acct, practice); err == nil || !strings.Contains(err.Error(), "did not accept") {
		t.Fatalf("a wrong token: %v", err)
	}
}
