package workflow

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"kindly/internal/storetest"
)

// The feed is read once a day at most, and not at all when the practice
// turned the check off (unless asked to now); what it said is kept.
func TestCheckForUpdateOnceADay(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	store := storetest.OpenWithClock(t, func() time.Time { return now })
	w := New(store)
	ctx := context.Background()
	var reads atomic.Int32
	tag := "v1.3.0"
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		reads.Add(1)
		rw.Write([]byte(`{"tag_name":"` + tag + `","html_url":"https://example.com/kindly/1.3.0"}`))
	}))
	defer srv.Close()

	u, err := w.CheckForUpdate(ctx, srv.URL, "0.1.0", false)
	if err != nil || !u.Available || u.Version != "1.3.0" || u.Line() != "Kindly 1.3.0 is available." {
		t.Fatalf("first check: %+v, %v", u, err)
	}
	now = now.Add(3 * time.Hour)
	if u, _ := w.CheckForUpdate(ctx, srv.URL, "0.1.0", false); !u.Available || reads.Load() != 1 {
		t.Fatalf("later the same day: %+v after %d reads, want the kept answer and 1 read", u, reads.Load())
	}
	now = now.Add(22 * time.Hour)
	tag = "v0.1.0"
	if u, _ := w.CheckForUpdate(ctx, srv.URL, "0.1.0", false); u.Available || reads.Load() != 2 {
		t.Fatalf("the next day: %+v after %d reads", u, reads.Load())
	}
	st, _ := w.Settings(ctx)
	if !st.CheckUpdates {
		t.Fatal("the check is on by default")
	}
	st.CheckUpdates = false
	if err := w.SaveSettings(ctx, st, ""); err != nil {
		t.Fatal(err)
	}
	now = now.Add(48 * time.Hour)
	if u, err := w.CheckForUpdate(ctx, srv.URL, "0.1.0", false); err != nil || u.Version != "" || reads.Load() != 2 {
		t.Fatalf("turned off: %+v, %v after %d reads", u, err, reads.Load())
	}
	if u, err := w.CheckForUpdate(ctx, srv.URL, "0.1.0", true); err != nil || u.Version != "0.1.0" || reads.Load() != 3 {
		t.Fatalf("asked for now: %+v, %v after %d reads", u, err, reads.Load())
	}
}
