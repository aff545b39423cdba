package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/textproto"
	"os"
	"strings"
	"sync/atomic"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"kindly/data"
)

// Account is the practice's mailbox as Kindly sends from it. The password
// is never stored here: it comes from the OS keychain when sending.
type Account struct {
	Host string
	Port int
	TLS  string // TLSNone, TLSStartTLS or TLSImplicit
	User string
	From string // the practice's address, e.g. "Sunny Clinic <front@sunny.example>"
	// DialTimeout bounds connecting and signing in (default 30 s);
	// ReplyTimeout bounds each email's transaction, the wait for the reply to
	// its end included (default 10 minutes, as RFC 5321 asks of clients).
	DialTimeout  time.Duration
	ReplyTimeout time.Duration
	Password     string `json:"-"`
	// OAuthToken, when set, signs in with XOAUTH2 instead of the password.
	OAuthToken string `json:"-"`
}

// errAddress says an address cannot take email at all.
var errAddress = errors.New("cannot receive email")

// ErrTooManyRecipients guards the rule that a batch email has exactly one recipient.
var ErrTooManyRecipients = errors.New("a patient email must have exactly one recipient")

// build makes the MIME message for one rendered email: one To address, no
// Cc or Bcc, replies to the practice, and a one-click way to unsubscribe.
func build(acct Account, pr data.Practice, m Message) (*gomail.Msg, error) {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("the address %q %w (%v)", m.To, errAddress, err)
	}
	if strings.ContainsAny(m.To, ",;") {
		return nil, ErrTooManyRecipients
	}
	msg := gomail.NewMsg()
	if err := msg.From(acct.From); err != nil {
		return nil, fmt.Errorf("the sender address %q is not valid: %w", acct.From, err)
	}
	if err := msg.To(to.Address); err != nil {
		return nil, err
	}
	if addr := unsubscribeAddress(pr); addr != "" {
		if err := msg.ReplyTo(addr); err != nil {
			return nil, fmt.Errorf("the practice's reply address %q is not valid: %w", addr, err)
		}
		msg.SetGenHeader(gomail.HeaderListUnsubscribe, "<mailto:"+addr+"?subject=unsubscribe>")
	}
	msg.Subject(m.Subject)
	if m.ID != "" {
		msg.SetMessageIDWithValue(m.ID)
	} else {
		msg.SetMessageID()
	}
	// Out-of-office replies from Exchange and Outlook are not wanted;
	// bounces (non-delivery reports) are, so not "All".
	msg.SetGenHeader("X-Auto-Response-Suppress", "OOF, AutoReply")
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// Connection is one open SMTP session, reused for a whole batch.
type Connection struct {
	client *gomail.Client
	smtp   *smtp.Client
	raw    net.Conn // to abandon an email before its end: closed, nothing is delivered
	acct   Account
	pr     data.Practice
}

// deadlineConn applies Kindly's timeouts whatever deadline go-mail sets:
// go-mail gives a whole transaction one timeout, Kindly gives signing in
// DialTimeout and each email ReplyTimeout, so a slow answer to the end of
// an email is waited for, not taken for a failure and sent again.
type deadlineConn struct {
	net.Conn
	timeout   atomic.Int64 // nanoseconds
	connected bool         // the TCP connection was made
}

func (c *deadlineConn) SetDeadline(time.Time) error {
	return c.Conn.SetDeadline(time.Now().Add(time.Duration(c.timeout.Load())))
}

func (c *deadlineConn) SetReadDeadline(time.Time) error {
	return c.Conn.SetReadDeadline(time.Now().Add(time.Duration(c.timeout.Load())))
}

func (c *deadlineConn) SetWriteDeadline(time.Time) error {
	return c.Conn.SetWriteDeadline(time.Now().Add(time.Duration(c.timeout.Load())))
}

// ErrPlainOverNetwork refuses to sign in without encryption to a server
// that is not this computer: the password would cross the network readable.
var ErrPlainOverNetwork = errors.New("without encryption Kindly only signs in to a mail server on this computer; choose starttls or tls")

// Dial logs in to the practice's mail server.
func Dial(ctx context.Context, acct Account, pr data.Practice) (*Connection, error) {
	if acct.DialTimeout == 0 {
		acct.DialTimeout = 30 * time.Second
	}
	if acct.ReplyTimeout == 0 {
		acct.ReplyTimeout = 10 * time.Minute
	}
	var plainTo []net.IP // without encryption: only these loopback addresses
	if acct.TLS == TLSNone {
		ips, ok := data.LoopbackIPs(ctx, acct.Host)
		if !ok {
			return nil, ErrPlainOverNetwork
		}
		plainTo = ips
	}
	var conn *deadlineConn
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if len(plainTo) > 0 {
			_, port, _ := net.SplitHostPort(addr)
			addr = net.JoinHostPort(plainTo[0].String(), port) // the checked address, not the name again
		}
		var d net.Dialer
		raw, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		conn = &deadlineConn{Conn: raw}
		conn.connected = true
		conn.timeout.Store(int64(acct.DialTimeout))
		if acct.TLS != TLSImplicit {
			return conn, nil
		}
		tc := tls.Client(conn, &tls.Config{ServerName: acct.Host, MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, err
		}
		return tc, nil
	}
	// No NOOP before each email: a connection that died meanwhile shows at
	// MAIL FROM just as well, before anything of the email went out, and is
	// opened again then; the NOOP cost a round trip per email.
	opts := []gomail.Option{gomail.WithPort(acct.Port), gomail.WithTimeout(acct.DialTimeout), gomail.WithDialContextFunc(dial), gomail.WithoutNoop()}
	switch acct.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.NoTLS))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	switch {
	case acct.User != "" && acct.OAuthToken != "":
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthXOAUTH2), gomail.WithUsername(acct.User), gomail.WithPassword(acct.OAuthToken))
	case acct.User != "" && acct.TLS == TLSNone:
		// A mail server on this computer (tests): go-mail picks no password
		// mechanism by itself without encryption.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlainNoEnc), gomail.WithUsername(acct.User), gomail.WithPassword(acct.Password))
	case acct.User != "" && acct.TLS == TLSImplicit:
		// TLS from the first byte is Kindly's own (the dial above), which
		// go-mail's discovery does not know of: name the mechanisms.
		opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
			gomail.SMTPAuthPlain, gomail.SMTPAuthLogin, gomail.SMTPAuthCramMD5),
			gomail.WithUsername(acct.User), gomail.WithPassword(acct.Password))
	case acct.User != "":
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(acct.User), gomail.WithPassword(acct.Password))
	}
	c, err := gomail.NewClient(acct.Host, opts...)
	if err != nil {
		return nil, explain(&DialError{Verdict: Verdict{Party: PartySender, Reason: ReasonSecurity}, Err: err}, acct)
	}
	dctx, cancel := context.WithTimeout(ctx, acct.DialTimeout)
	defer cancel()
	sc, err := c.DialToSMTPClientWithContext(dctx)
	if err != nil {
		return nil, explain(&DialError{Verdict: readDialError(err, conn != nil && conn.connected), Err: err}, acct)
	}
	conn.timeout.Store(int64(acct.ReplyTimeout)) // signed in: from now on, emails
	return &Connection{client: c, smtp: sc, raw: conn, acct: acct, pr: pr}, nil
}

// Send delivers one rendered email to its one recipient.
func (c *Connection) Send(m Message) error { return c.SendWhenReady(m, nil) }

// SendWhenReady delivers one rendered email to its one recipient, asking
// ready just before the email's final "." (until then nothing is
// delivered): an error from ready abandons the email, closing the
// connection, and is returned. The sender records the email as being sent
// meanwhile, so the disk and the network work at the same time.
//
// The transaction is Kindly's own on go-mail's SMTP client: a failure says
// at which stage it came (a *StageError), and no RSET follows a delivered
// email (RFC 5321 ends the transaction with the reply to its end).
func (c *Connection) SendWhenReady(m Message, ready func() error) error {
	msg, err := build(c.acct, c.pr, m)
	if err != nil {
		return err
	}
	from, err := msg.GetSender(false)
	if err != nil {
		return &StageError{Stage: StageMailFrom, Err: err}
	}
	c.raw.SetDeadline(time.Time{}) // deadlineConn: ReplyTimeout from now

	if err := c.smtp.Mail(from); err != nil {
		c.smtp.Reset()
		return stageError(StageMailFrom, err)
	}
	rcpts, err := msg.GetRecipients() // "<address>", as go-mail writes them; one (build checked)
	if err != nil {
		return &StageError{Stage: StageRcptTo, Err: err}
	}
	if err := c.smtp.Rcpt(rcpts[0]); err != nil {
		c.smtp.Reset()
		return stageError(StageRcptTo, err)
	}
	w, err := c.smtp.Data()
	if err != nil {
		return stageError(StageData, err)
	}
	if _, err := msg.WriteTo(w); err != nil {
		return stageError(StageData, err)
	}
	if ready != nil {
		if err := ready(); err != nil {
			c.raw.Close() // no "." ever follows: the server drops what it has
			return err
		}
	}
	c.raw.SetDeadline(time.Time{}) // the whole ReplyTimeout for the answer to the end
	if err := w.Close(); err != nil {
		return stageError(StageAfterData, err)
	}
	return nil
}

// StageError is an email the server refused, or a connection that failed,
// at a stage of the SMTP transaction. Code is 0 when no reply came.
type StageError struct {
	Stage  Stage
	Code   int
	Status string
	Err    error
}

func (e *StageError) Error() string {
	if e.Code == 0 {
		return fmt.Sprintf("%s: %v", e.Stage, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Code, e.Err.(*textproto.Error).Msg)
}

func (e *StageError) Unwrap() error { return e.Err }

func stageError(stage Stage, err error) *StageError {
	e := &StageError{Stage: stage, Err: err}
	var tpe *textproto.Error
	if errors.As(err, &tpe) {
		e.Code, e.Status, e.Err = tpe.Code, statusIn(tpe.Msg), tpe
	}
	return e
}

// Close ends the session politely.
func (c *Connection) Close() error { return c.client.CloseWithSMTPClient(c.smtp) }

// DialError is why connecting or signing in failed, read from the error's
// type (never from its words: a host name may contain "auth" or "tls").
type DialError struct {
	Verdict Verdict
	Err     error
	why     string // in plain words
}

// NextStep is what the practice can do about it (data.HintOf).
func (e *DialError) NextStep() (data.Hint, string) { return e.Verdict.Hint, "" }

func (e *DialError) Error() string {
	if e.why == "" {
		return "the mail server said: " + e.Err.Error()
	}
	return e.why + " (server reply: " + e.Err.Error() + ")"
}

func (e *DialError) Unwrap() error { return e.Err }

// readDialError sorts a failed connection or sign-in: the network (try
// again later) or the practice's set-up, sign-in or sender (stop and say).
// connected says the TCP connection was made.
func readDialError(err error, connected bool) Verdict {
	var tpe *textproto.Error
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	var alert tls.AlertError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &certErr) || errors.As(err, &recErr) || errors.As(err, &alert) ||
		errors.As(err, &unknownCA) || errors.As(err, &hostErr):
		return Verdict{Party: PartySender, Reason: ReasonFailedSTARTTLS}
	case errors.As(err, &tpe):
		status := statusIn(tpe.Msg)
		stage := StageGreeting
		if tpe.Code >= 530 && tpe.Code <= 538 || tpe.Code == 454 || basicAuthOff.MatchString(tpe.Msg) {
			stage = StageAuth
		}
		return Interpret(Reply{Stage: stage, Code: tpe.Code, Status: status, Text: tpe.Msg})
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) || isNetError(err):
		return Verdict{Party: PartyConnection, Temporary: true, Reason: ReasonNetworkError}
	case errors.Is(err, gomail.ErrNoSupportedAuthDiscovered) || errors.Is(err, gomail.ErrPlainAuthNotSupported) ||
		errors.Is(err, gomail.ErrLoginAuthNotSupported):
		return Verdict{Party: PartySender, Reason: ReasonSecurity}
	case connected:
		// The server answered but the session could not be set up (no
		// STARTTLS, no AUTH offered): a setting, not the network.
		return Verdict{Party: PartySender, Reason: ReasonSecurity}
	}
	return Verdict{Party: PartyConnection, Temporary: true, Reason: ReasonNetworkError}
}

func isNetError(err error) bool {
	var ne net.Error
	var op *net.OpError
	var dns *net.DNSError
	var sys *os.SyscallError
	return errors.As(err, &ne) || errors.As(err, &op) || errors.As(err, &dns) || errors.As(err, &sys)
}

// explain words a failed connection or sign-in for the front desk, keeping
// the server's reply. The password never appears: go-mail does not put it
// in errors, and nothing here adds it.
func explain(de *DialError, acct Account) error {
	v := de.Verdict
	switch {
	case v.Hint == data.HintMicrosoftSignIn:
		de.why = "Sign-in with a password (SMTP AUTH) is turned off for this mailbox (Microsoft turns it off for existing Microsoft 365 " +
			"mailboxes from the end of December 2026). Sign in with Microsoft instead, or an admin can turn it on for this mailbox."
	case v.Hint == data.HintAppPassword:
		de.why = "The provider wants an app password here, not your normal password. Create one in your account's security settings."
	case v.Party == PartySender && v.Reason == ReasonAuthFailure:
		de.why = "The mail server did not accept the user name or password."
	case v.Reason == ReasonFailedSTARTTLS || v.Party == PartySender && v.Reason == ReasonSecurity:
		de.why = fmt.Sprintf("The secure connection (%s on port %d) did not work: the server may expect another security setting (TLS on 465, STARTTLS on 587).", acct.TLS, acct.Port)
	case v.Party == PartyConnection:
		de.why = fmt.Sprintf("Kindly cannot reach the mail server %s on port %d. Check the server name and the internet connection.", acct.Host, acct.Port)
	}
	return de
}
