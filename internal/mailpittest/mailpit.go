// Package mailpittest starts Mailpit, a real SMTP server with an HTTP
// API, for tests, and reads back what it received.
package mailpittest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Server is a Mailpit started on loopback for one test.
type Server struct {
	SMTPPort int
	api      string
}

// FreePort returns a loopback port nobody listens on.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs Mailpit for one test. CI installs it (.ci/run); when it is
// missing there the test fails, elsewhere it is skipped.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("mailpit")
	if err != nil {
		gobin := filepath.Join(os.Getenv("HOME"), "go", "bin", "mailpit")
		if out, e := exec.Command("go", "env", "GOPATH").Output(); e == nil {
			gobin = filepath.Join(string(trimNL(out)), "bin", "mailpit")
		}
		if _, e := os.Stat(gobin); e == nil {
			bin, err = gobin, nil
		}
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("mailpit is not installed (go install github.com/axllent/mailpit@v1.27.11)")
		}
		t.Skip("mailpit is not installed (go install github.com/axllent/mailpit@v1.27.11)")
	}
	m := &Server{SMTPPort: FreePort(t)}
	httpPort := FreePort(t)
	m.api = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	cmd := exec.Command(bin, "--smtp", "127.0.0.1:"+strconv.Itoa(m.SMTPPort), "--listen", "127.0.0.1:"+strconv.Itoa(httpPort),
		"--max", "0", "--disable-version-check", "--database", filepath.Join(t.TempDir(), "mailpit.db"),
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(m.api + "/api/v1/info")
		if err == nil {
			resp.Body.Close()
			if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", m.SMTPPort)); err == nil {
				c.Close()
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("mailpit did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// Address is a mailbox as Mailpit reports it.
type Address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// Message is a received email as Mailpit reports it.
type Message struct {
	ID      string    `json:"ID"`
	From    Address   `json:"From"`
	To      []Address `json:"To"`
	Cc      []Address `json:"Cc"`
	Bcc     []Address `json:"Bcc"`
	Subject string    `json:"Subject"`
	Text    string    `json:"Text"`
	HTML    string    `json:"HTML"`
}

func (m *Server) get(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get(m.api + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// Messages lists what Mailpit received, each read in full.
func (m *Server) Messages(t testing.TB) []Message {
	t.Helper()
	var list struct {
		Messages []struct {
			ID string `json:"ID"`
		} `json:"messages"`
	}
	m.get(t, "/api/v1/messages?limit=1000", &list)
	var out []Message
	for _, s := range list.Messages {
		var full Message
		m.get(t, "/api/v1/message/"+s.ID, &full)
		out = append(out, full)
	}
	return out
}

// Headers returns one message's headers.
func (m *Server) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	var h map[string][]string
	m.get(t, "/api/v1/message/"+id+"/headers", &h)
	return h
}

// Count returns how many messages Mailpit holds, without reading them.
func (m *Server) Count(t testing.TB) int {
	t.Helper()
	var list struct {
		Total int `json:"messages_count"`
	}
	m.get(t, "/api/v1/messages?limit=1", &list)
	return list.Total
}
