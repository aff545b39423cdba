package mailer

import (
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// faultServer is an in-process SMTP server (go-smtp) that misbehaves on
// purpose, by recipient: "reject@" gets 550, "busyN@" gets 450 for its
// first N attempts, "drop@" loses the connection during DATA once; after
// closeAfter accepted messages it answers 421 once.
type faultServer struct {
	addr     string
	password string // "" accepts no login, anything else requires it

	mu         sync.Mutex
	attempts   map[string]int
	delivered  map[string]int // recipient -> messages accepted
	dataTo     map[string][]string
	closeAfter int
	closed     bool
	dropped    bool
}

func startFaultServer(t *testing.T) *faultServer {
	t.Helper()
	fs := &faultServer{attempts: map[string]int{}, delivered: map[string]int{}, dataTo: map[string][]string{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &faultSession{fs: fs, conn: c}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fs.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return fs
}

func (fs *faultServer) account() Account {
	host, port, _ := net.SplitHostPort(fs.addr)
	var p int
	for _, c := range port {
		p = p*10 + int(c-'0')
	}
	a := Account{Host: host, Port: p, TLS: TLSNone, From: "front@sunny.example", Timeout: 5 * time.Second}
	if fs.password != "" {
		a.User, a.Password = "front@sunny.example", fs.password
	}
	return a
}

func (fs *faultServer) count(to string) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.delivered[to]
}

type faultSession struct {
	fs     *faultServer
	conn   *smtp.Conn
	authed bool
	to     []string
}

func (s *faultSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *faultSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if password != s.fs.password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		s.authed = true
		return nil
	}), nil
}

func (s *faultSession) Mail(from string, opts *smtp.MailOptions) error {
	if s.fs.password != "" && !s.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	total := 0
	for _, n := range s.fs.delivered {
		total += n
	}
	if s.fs.closeAfter > 0 && total >= s.fs.closeAfter && !s.fs.closed {
		s.fs.closed = true
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Too many messages, closing connection"}
	}
	return nil
}

func (s *faultSession) Rcpt(to string, opts *smtp.RcptOptions) error {
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	s.fs.attempts[to]++
	local := strings.SplitN(to, "@", 2)[0]
	switch {
	case local == "reject":
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	case strings.HasPrefix(local, "busy"):
		n := int(local[len(local)-1] - '0')
		if s.fs.attempts[to] <= n {
			return &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "Mailbox busy, try later"}
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *faultSession) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.fs.mu.Lock()
	drop := false
	for _, to := range s.to {
		if strings.HasPrefix(to, "drop@") && !s.fs.dropped {
			s.fs.dropped, drop = true, true
		}
	}
	s.fs.mu.Unlock()
	if drop {
		s.conn.Close() // the connection dies before the server answers
		return errors.New("dropped")
	}
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	for _, to := range s.to {
		s.fs.delivered[to]++
		s.fs.dataTo[to] = append(s.fs.dataTo[to], string(body))
	}
	return nil
}

func (s *faultSession) Reset()        { s.to = nil }
func (s *faultSession) Logout() error { return nil }

// listenSilently accepts connections and never says a word.
func listenSilently(t *testing.T) (net.Listener, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return l, nil
}

func splitHostPort(l net.Listener) (string, int) {
	a := l.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

func listenLocal(t *testing.T) (net.Listener, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, nil
}
