package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"kindly/about"
)

// kindly update says whether a newer Kindly exists, from the releases feed;
// kindly practice --check-updates=false turns the daily check off.
func TestUpdateCommand(t *testing.T) {
	tag := "v1.3.0"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"tag_name":"` + tag + `","html_url":"https://example.com/kindly/releases/1.3.0"}`))
	}))
	defer srv.Close()
	t.Setenv("KINDLY_RELEASES_FEED", srv.URL)
	db := filepath.Join(t.TempDir(), "k.db")
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Run(context.Background(), append([]string{"--db", db}, args...),
			Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &bytes.Buffer{}, Now: testClock(), About: about.Info{Name: "Kindly", Version: "0.1.0"}})
		return out.String(), err
	}
	out, err := run("update")
	if err != nil || out != "Kindly 1.3.0 is available.\nhttps://example.com/kindly/releases/1.3.0\n" {
		t.Fatalf("newer: %q, %v", out, err)
	}
	tag = "v0.1.0"
	if out, err := run("update"); err != nil || out != "Kindly 0.1.0 is the newest version.\n" {
		t.Fatalf("same: %q, %v", out, err)
	}
	if _, err := run("practice", "--check-updates=false"); err != nil {
		t.Fatal(err)
	}
	if out, _ := run("update"); !strings.Contains(out, "0.1.0 is the newest") {
		t.Fatalf("asked for, the check runs even when the daily one is off: %q", out)
	}
	srv.Close()
	if _, err := run("update"); err == nil || !strings.Contains(OneLine(err), "cannot reach the releases feed") {
		t.Fatalf("unreachable: %v", err)
	}
}
