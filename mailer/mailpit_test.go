package mailer

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

// mailpit is a real SMTP server for tests: Mailpit, started on loopback.
type mailpit struct {
	smtpPort int
	api      string
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startMailpit runs Mailpit for one test. CI installs it (.ci/run); when it
// is missing there the test fails, elsewhere it is skipped.
func startMailpit(t *testing.T) *mailpit {
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
	m := &mailpit{smtpPort: freePort(t)}
	httpPort := freePort(t)
	m.api = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	cmd := exec.Command(bin, "--smtp", "127.0.0.1:"+strconv.Itoa(m.smtpPort), "--listen", "127.0.0.1:"+strconv.Itoa(httpPort),
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
			if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", m.smtpPort)); err == nil {
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

type mailpitAddress struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

type mailpitMessage struct {
	ID      string           `json:"ID"`
	From    mailpitAddress   `json:"From"`
	To      []mailpitAddress `json:"To"`
	Cc      []mailpitAddress `json:"Cc"`
	Bcc     []mailpitAddress `json:"Bcc"`
	Subject string           `json:"Subject"`
	Text    string           `json:"Text"`
	HTML    string           `json:"HTML"`
}

func (m *mailpit) get(t *testing.T, path string, v any) {
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

// messages lists what Mailpit received, each read in full.
func (m *mailpit) messages(t *testing.T) []mailpitMessage {
	t.Helper()
	var list struct {
		Messages []struct {
			ID string `json:"ID"`
		} `json:"messages"`
	}
	m.get(t, "/api/v1/messages?limit=1000", &list)
	var out []mailpitMessage
	for _, s := range list.Messages {
		var full mailpitMessage
		m.get(t, "/api/v1/message/"+s.ID, &full)
		out = append(out, full)
	}
	return out
}

func (m *mailpit) headers(t *testing.T, id string) map[string][]string {
	t.Helper()
	var h map[string][]string
	m.get(t, "/api/v1/message/"+id+"/headers", &h)
	return h
}

func (m *mailpit) account() Account {
	return Account{Host: "127.0.0.1", Port: m.smtpPort, TLS: TLSNone, From: "Sunny Clinic <front@sunny.example>", Timeout: 10 * time.Second}
}
