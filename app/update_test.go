package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A newer Kindly is shown on Today with a link to its page; nothing is
// downloaded.
func TestTodayShowsANewerKindly(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"tag_name":"v1.3.0","html_url":"https://example.com/kindly/releases/v1.3.0"}`))
	}))
	defer srv.Close()
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	onUI(u, func() {
		u.Show("Today")
		u.running.Add(1)
		go u.checkForUpdates(srv.URL)
	})
	waitFor(t, u, "the update line", func() bool { return u.today.update.Visible() })
	if l := u.today.update; !strings.HasPrefix(l.Text, "Kindly 1.3.0 is available.") || l.URL == nil || l.URL.String() != "https://example.com/kindly/releases/v1.3.0" {
		t.Fatalf("update line %q -> %v", l.Text, l.URL)
	}
}
