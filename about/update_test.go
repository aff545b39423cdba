package about

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The releases feed, served here as GitHub serves it: a newer, the same
// and an older release; a draft; a feed that is down or answers nonsense.
func TestLatestRelease(t *testing.T) {
	var body string
	var status = http.StatusOK
	var seen *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	defer srv.Close()
	ctx := context.Background()
	for _, tc := range []struct {
		body  string
		newer bool
	}{
		{`{"tag_name":"v1.3.0","html_url":"https://github.com/kindly-app/kindly/releases/tag/v1.3.0"}`, true},
		{`{"tag_name":"v0.1.0","html_url":"https://example.com/r"}`, false},
		{`{"tag_name":"0.0.9","html_url":"https://example.com/r"}`, false},
		{`{"tag_name":"v0.10.0","html_url":"https://example.com/r"}`, true},
	} {
		body = tc.body
		r, err := LatestRelease(ctx, srv.URL+"/releases/latest", "0.1.0")
		if err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		if got := Newer(r.Version, "0.1.0"); got != tc.newer {
			t.Errorf("%s: newer = %v (version %q)", tc.body, got, r.Version)
		}
	}
	// Nothing but the version goes out.
	if seen.URL.RawQuery != "" || seen.Header.Get("User-Agent") != "Kindly/0.1.0" || seen.Header.Get("Cookie") != "" || seen.Header.Get("Authorization") != "" {
		t.Errorf("the request said more than the version: %q %v", seen.URL, seen.Header)
	}
	for _, bad := range []string{`{"tag_name":"latest"}`, `not json`, `{"tag_name":"v2.0.0","draft":true}`, `{}`} {
		body = bad
		if _, err := LatestRelease(ctx, srv.URL, "0.1.0"); !errors.Is(err, ErrBadFeed) {
			t.Errorf("%s: %v, want ErrBadFeed", bad, err)
		}
	}
	status, body = http.StatusNotFound, `{"message":"Not Found"}`
	if _, err := LatestRelease(ctx, srv.URL, "0.1.0"); err == nil || errors.Is(err, ErrBadFeed) {
		t.Errorf("404: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close() // nobody listens there now
	if _, err := LatestRelease(ctx, down, "0.1.0"); err == nil {
		t.Error("an unreachable feed gave no error")
	}
}

func TestNewer(t *testing.T) {
	for _, tc := range []struct {
		v, cur string
		want   bool
	}{
		{"1.3", "1.2.9", true}, {"1.10.0", "1.9.2", true}, {"1.2", "1.2.0", false}, {"1.2.0", "1.2", false},
		{"0.9", "1.0", false}, {"bad", "1.0", false}, {"1.0", "dev", true}, {"v2.0.0", "1.9", true},
	} {
		if got := Newer(tc.v, tc.cur); got != tc.want {
			t.Errorf("Newer(%q, %q) = %v", tc.v, tc.cur, got)
		}
	}
}
