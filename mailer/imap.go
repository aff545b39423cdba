package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"kindly/data"
)

// Inbox is the practice's mailbox as Kindly reads it: the same user and
// sign-in as for sending, the IMAP server of the account.
type Inbox struct {
	Host, TLS  string
	Port       int
	User       string
	Password   string `json:"-"`
	OAuthToken string `json:"-"`
	Folder     string // default INBOX
	// TLSConfig, when set, is the TLS of the connection (tests trust their own server).
	TLSConfig *tls.Config
	// Wants, when set, is asked with the start of each new message longer
	// than 16 KB whether more of it is needed; when not, handle gets the
	// start alone.
	Wants func(start []byte) bool
	// MoveTo, when set, is the folder the messages handle asks to move go
	// to (made when missing); otherwise the inbox is only read.
	MoveTo string
}

// InboxOf is the inbox of a mail account signed in as acct.
func InboxOf(m data.MailAccount, acct Account) Inbox {
	return Inbox{Host: m.IMAPHost, Port: m.IMAPPort, TLS: m.IMAPTLS, User: m.User, Password: acct.Password, OAuthToken: acct.OAuthToken,
		MoveTo: m.InboxMoveTo}
}

// batchSize messages are fetched at a time, and the progress saved after each.
const batchSize = 200

// FetchNew reads the messages that arrived since the last check, in UID
// order, and hands each to handle; after each batch, saved is called with
// how far the mailbox was read, so an interrupted check goes on from there.
// Messages are fetched with PEEK, and the mailbox is opened read-only
// unless in.MoveTo is set: then the messages handle says to move go to that
// folder after their batch. Kindly never marks or deletes the practice's
// mail.
func FetchNew(ctx context.Context, in Inbox, from func(uidValidity uint32) (lastUID uint32, err error),
	handle func(uid uint32, raw []byte) (move bool, err error), saved func(uidValidity, lastUID uint32) error) (int, error) {
	if in.Folder == "" {
		in.Folder = "INBOX"
	}
	c, err := signIn(ctx, in)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	sel, err := c.Select(in.Folder, &imap.SelectOptions{ReadOnly: in.MoveTo == ""}).Wait()
	if err != nil {
		return 0, fmt.Errorf("cannot open the folder %s: %w", in.Folder, err)
	}
	last, err := from(sel.UIDValidity)
	if err != nil {
		return 0, err
	}
	if sel.NumMessages == 0 || sel.UIDNext != 0 && uint32(sel.UIDNext) <= last+1 {
		return 0, ctx.Err()
	}
	uids, err := newUIDs(c, last)
	if err != nil {
		return 0, err
	}
	n := 0
	for start := 0; start < len(uids); start += batchSize {
		batch := uids[start:min(start+batchSize, len(uids))]
		done, err := handleBatch(ctx, c, in, batch, handle, func(top uint32) error { return saved(sel.UIDValidity, top) })
		if n += done; err != nil {
			return n, err
		}
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
	}
	c.Logout().Wait()
	return n, nil
}

// signIn connects to the inbox server and signs in. Without encryption it
// dials only this computer, at the address it checked.
func signIn(ctx context.Context, in Inbox) (*imapclient.Client, error) {
	addr := net.JoinHostPort(in.Host, strconv.Itoa(in.Port))
	if in.TLS == TLSNone {
		ips, ok := data.LoopbackIPs(ctx, in.Host)
		if !ok {
			return nil, ErrPlainOverNetwork
		}
		addr = net.JoinHostPort(ips[0].String(), strconv.Itoa(in.Port)) // the checked address itself
	}
	opts := &imapclient.Options{TLSConfig: in.TLSConfig, Dialer: &net.Dialer{Timeout: 30 * time.Second}}
	if opts.TLSConfig == nil {
		opts.TLSConfig = &tls.Config{ServerName: in.Host}
	}
	var c *imapclient.Client
	var err error
	switch in.TLS {
	case TLSImplicit:
		c, err = imapclient.DialTLS(addr, opts)
	case TLSStartTLS:
		c, err = imapclient.DialStartTLS(addr, opts)
	default:
		c, err = imapclient.DialInsecure(addr, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot reach the inbox server %s: %w", addr, err)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() }) // a cancel ends a sign-in that hangs
	defer stop()
	if in.OAuthToken != "" {
		err = c.Authenticate(&xoauth2{user: in.User, token: in.OAuthToken})
	} else {
		err = c.Login(in.User, in.Password).Wait()
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("the inbox server did not accept the sign-in for %s: %w", in.User, err)
	}
	return c, nil
}

// newUIDs are the messages of the open folder after last.
func newUIDs(c *imapclient.Client, last uint32) ([]imap.UID, error) {
	found, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(last + 1), Stop: 0}}}}, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("cannot list the new messages: %w", err)
	}
	var uids []imap.UID
	for _, u := range found.AllUIDs() {
		if uint32(u) > last { // "n:*" includes the last message even when it is older
			uids = append(uids, u)
		}
	}
	return uids, nil
}

// handleBatch fetches a batch of messages, hands each to handle, saves the
// read position, and only then moves the handled ones: a failed move never
// makes a message count twice. It says how many were handled.
func handleBatch(ctx context.Context, c *imapclient.Client, in Inbox, batch []imap.UID,
	handle func(uid uint32, raw []byte) (bool, error), saved func(lastUID uint32) error) (int, error) {
	msgs, err := fetchBatch(c, batch, in.Wants)
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("cannot fetch messages: %w", err)
	}
	n, top := 0, uint32(0)
	var moving []imap.UID
	for _, m := range msgs {
		move, err := handle(m.uid, m.raw)
		if err != nil {
			return n, err
		}
		if move && in.MoveTo != "" {
			moving = append(moving, imap.UID(m.uid))
		}
		n++
		top = max(top, m.uid)
	}
	if err := saved(max(top, uint32(batch[len(batch)-1]))); err != nil {
		return n, err
	}
	if len(moving) > 0 {
		return n, moveTo(c, moving, in.MoveTo)
	}
	return n, nil
}

// moveTo moves messages of the open folder to folder, making it when it is
// not there yet (MOVE, or COPY and EXPUNGE where the server has no MOVE).
func moveTo(c *imapclient.Client, uids []imap.UID, folder string) error {
	if _, err := c.Move(imap.UIDSetNum(uids...), folder).Wait(); err == nil {
		return nil
	}
	if err := c.Create(folder, nil).Wait(); err != nil {
		var ie *imap.Error
		if !errors.As(err, &ie) || ie.Code != imap.ResponseCodeAlreadyExists {
			return fmt.Errorf("cannot make the folder %s for the mail Kindly handled: %w", folder, err)
		}
	}
	if _, err := c.Move(imap.UIDSetNum(uids...), folder).Wait(); err != nil {
		return fmt.Errorf("cannot move the mail Kindly handled to %s: %w", folder, err)
	}
	return nil
}

// A message is downloaded in two steps: its first firstLimit bytes (the
// header and the start of the text: enough for most replies and bounce
// reports), then - only for those that may matter and are longer - up to
// fetchLimit. A photo attached to mail is never downloaded whole.
const (
	firstLimit = 16 << 10
	fetchLimit = 256 << 10
)

type fetched struct {
	uid uint32
	raw []byte
}

// fetchBatch fetches a batch of messages with PEEK, in UID order: the start
// of each, then the rest (up to fetchLimit) of those wants asks for (all
// when wants is nil).
func fetchBatch(c *imapclient.Client, batch []imap.UID, wants func([]byte) bool) ([]fetched, error) {
	start := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Size: firstLimit}}
	more := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Size: fetchLimit}}
	msgs, err := c.Fetch(imap.UIDSetNum(batch...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{start}}).Collect()
	if err != nil {
		return nil, err
	}
	out := make([]fetched, 0, len(msgs))
	var longer []imap.UID
	at := map[uint32]int{}
	for _, m := range msgs {
		f := fetched{uid: uint32(m.UID), raw: m.FindBodySection(start)}
		if len(f.raw) >= firstLimit && (wants == nil || wants(f.raw)) {
			longer = append(longer, m.UID)
			at[f.uid] = len(out)
		}
		out = append(out, f)
	}
	if len(longer) > 0 {
		whole, err := c.Fetch(imap.UIDSetNum(longer...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{more}}).Collect()
		if err != nil {
			return nil, err
		}
		for _, m := range whole {
			if i, ok := at[uint32(m.UID)]; ok {
				out[i].raw = m.FindBodySection(more)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].uid < out[j].uid })
	return out, nil
}

// xoauth2 is the XOAUTH2 sign-in of Google and Microsoft for IMAP.
type xoauth2 struct{ user, token string }

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	return nil, fmt.Errorf("the sign-in was refused: %s", challenge)
}

var _ sasl.Client = (*xoauth2)(nil)
