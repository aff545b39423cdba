// Package smtpfault is an SMTP server for tests (go-smtp, in process, on
// loopback) that misbehaves on purpose, the way real servers and providers
// do: by recipient, and by server-wide switches. It counts what it
// accepted per recipient, so tests assert deliveries from the server's side.
//
// By the recipient's local part:
//   - reject@, rejectN@: 550 5.1.1 no such user
//   - busyN@: 450 4.2.1 for its first N tries
//   - lost@, lostN@: the email is taken, then the connection dies before
//     the reply (the reply is lost)
//   - slow@, slowN@: the email is taken and the reply comes after SlowReply
//   - overquota@: Gmail's "552-5.2.2 ... is over quota" (this mailbox is full)
//   - fullN@: Gmail's "452-4.2.2 ... is over quota" for its first N tries
package smtpfault

import (
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Server is a misbehaving SMTP server. Set its switches before sending.
type Server struct {
	Host string
	Port int
	// Password, when set, is required to sign in (PLAIN).
	Password string
	// SlowReply is how long slow@ waits before it answers the end of data.
	SlowReply time.Duration
	// Pace is how long every email's end of data waits for its reply (a
	// busy server: the email is taken when the wait begins).
	Pace time.Duration

	mu        sync.Mutex
	attempts  map[string]int
	delivered map[string]int
	order     []string // recipients in the order their emails were taken
	sessions  int
	srv       *smtp.Server

	// Server-wide misbehaviour, guarded by mu (set with the methods).
	throttle   int  // answer the next N MAIL FROM with 451 4.7.0
	quotaAfter int  // after this many accepted emails, answer MAIL FROM with 550 5.4.5 once
	refuseAll  bool // answer every RCPT TO with 554 5.7.1 blocked using a block list
	relay      bool // answer every RCPT TO with 550 5.7.1 relaying denied
	senderBad  bool // answer every RCPT TO with Postfix's 553 5.1.8 sender address rejected
	closeAfter int  // after this many accepted emails, answer MAIL FROM with 421 once
	hangUp     bool // close each session on the MAIL FROM after an accepted email (an idle timeout)
	dropAfter  bool // close the connection right after each 250 to the end of data (no QUIT)
}

// Start runs a server on loopback until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{attempts: map[string]int{}, delivered: map[string]int{}, SlowReply: time.Second}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		s.mu.Lock()
		s.sessions++
		s.mu.Unlock()
		return &session{s: s, conn: c}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 20 * time.Second
	s.srv.WriteTimeout = 20 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().(*net.TCPAddr)
	s.Host, s.Port = addr.IP.String(), addr.Port
	go s.srv.Serve(l)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// Throttle answers the next n MAIL FROM with "451 4.7.0 Try again later".
func (s *Server) Throttle(n int) { s.set(func() { s.throttle = n }) }

// QuotaAfter refuses MAIL FROM once with Gmail's "550 5.4.5 Daily user
// sending quota exceeded" after n accepted emails (then the quota resets).
func (s *Server) QuotaAfter(n int) { s.set(func() { s.quotaAfter = n }) }

// RefuseAll answers every recipient with "554 5.7.1 Service unavailable;
// Client host blocked using a block list": the server refuses everyone.
func (s *Server) RefuseAll(on bool) { s.set(func() { s.refuseAll = on }) }

// RelayDenied answers every recipient with "550 5.7.1 Relaying denied":
// the practice's mailbox may not send through this server.
func (s *Server) RelayDenied(on bool) { s.set(func() { s.relay = on }) }

// SenderRejected answers every recipient as Postfix does (with its default
// smtpd_delay_reject) when the sender's domain does not resolve:
// "553 5.1.8 <SENDER>: Sender address rejected: Domain not found".
func (s *Server) SenderRejected(on bool) { s.set(func() { s.senderBad = on }) }

// DropAfterEach closes the connection right after answering 250 to each
// email, without a goodbye: the next email finds it dead.
func (s *Server) DropAfterEach(on bool) { s.set(func() { s.dropAfter = on }) }

// CloseAfter answers MAIL FROM once with 421 after n accepted emails.
func (s *Server) CloseAfter(n int) { s.set(func() { s.closeAfter = n }) }

// HangUpIdle closes a session when it starts another email after one was
// accepted, as a server does whose idle timeout passed meanwhile.
func (s *Server) HangUpIdle(on bool) { s.set(func() { s.hangUp = on }) }

func (s *Server) set(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
}

// Delivered is how many emails the server accepted for an address.
func (s *Server) Delivered(to string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delivered[to]
}

// Deliveries is every recipient's count of accepted emails.
func (s *Server) Deliveries() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.delivered {
		out[k] = v
	}
	return out
}

// Order is the recipients in the order their emails were accepted.
func (s *Server) Order() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{}, s.order...)
}

// Sessions is how many connections the server took.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

func (s *Server) total() int {
	n := 0
	for _, v := range s.delivered {
		n += v
	}
	return n
}

type session struct {
	s        *Server
	conn     *smtp.Conn
	authed   bool
	accepted bool // this session took an email
	from     string
	to       []string
	dropNow  bool
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if password != ss.s.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	s := ss.s
	if s.Password != "" && !ss.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss.from = from
	switch {
	case s.hangUp && ss.accepted:
		ss.conn.Close()
		return errors.New("idle timeout")
	case s.throttle > 0:
		s.throttle--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Try again later, too many messages from this account"}
	case s.quotaAfter > 0 && s.total() >= s.quotaAfter:
		s.quotaAfter = 0
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 4, 5}, Message: "Daily user sending quota exceeded"}
	case s.closeAfter > 0 && s.total() >= s.closeAfter:
		s.closeAfter = 0
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Too many messages, closing connection"}
	}
	return nil
}

// number is the N of a local part like "busy2" (1 when there is none).
func number(local, prefix string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(local, prefix))
	if err != nil {
		return 1
	}
	return n
}

func (ss *session) Rcpt(to string, opts *smtp.RcptOptions) error {
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts[to]++
	local := strings.SplitN(to, "@", 2)[0]
	switch {
	case s.refuseAll:
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org"}
	case s.relay:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relaying denied"}
	case s.senderBad:
		return &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 1, 8}, Message: "<" + ss.from + ">: Sender address rejected: Domain not found"}
	case strings.HasPrefix(local, "overquota"):
		return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 2, 2}, Message: "The email account that you tried to reach is over quota. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm"}
	case strings.HasPrefix(local, "full") && s.attempts[to] <= number(local, "full"):
		return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "The email account that you tried to reach is over quota. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp"}
	case strings.HasPrefix(local, "reject"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	case strings.HasPrefix(local, "busy") && s.attempts[to] <= number(local, "busy"):
		return &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "Mailbox busy, try again later"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	lost, slow := false, false
	for _, to := range ss.to {
		s.delivered[to]++
		s.order = append(s.order, to)
		local := strings.SplitN(to, "@", 2)[0]
		lost = lost || strings.HasPrefix(local, "lost")
		slow = slow || strings.HasPrefix(local, "slow")
	}
	wait, drop, pace := s.SlowReply, s.dropAfter, s.Pace
	s.mu.Unlock()
	time.Sleep(pace)
	ss.accepted = true
	ss.dropNow = drop // 250, then (in Reset, after the reply is written) the connection closes
	switch {
	case lost:
		ss.conn.Close() // taken, and the reply is lost with the connection
		return errors.New("connection lost")
	case slow:
		time.Sleep(wait)
	}
	return nil
}

func (ss *session) Reset() {
	ss.to = nil
	if ss.dropNow {
		ss.dropNow = false
		ss.conn.Conn().Close() // the socket itself: go-smtp holds its own lock while it resets
	}
}
func (ss *session) Logout() error { return nil }
