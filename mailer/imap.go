package mailer

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
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
}

// InboxOf is the inbox of a mail account signed in as acct.
func InboxOf(m data.MailAccount, acct Account) Inbox {
	return Inbox{Host: m.IMAPHost, Port: m.IMAPPort, TLS: m.IMAPTLS, User: m.User, Password: acct.Password, OAuthToken: acct.OAuthToken}
}

// batchSize messages are fetched at a time, and the progress saved after each.
const batchSize = 200

// FetchNew reads the messages that arrived since the last check, in UID
// order, and hands each to handle; after each batch, saved is called with
// how far the mailbox was read, so an interrupted check goes on from there.
// The mailbox is opened read-only and messages are fetched with PEEK: Kindly
// never marks, moves or deletes the practice's mail.
func FetchNew(ctx context.Context, in Inbox, from func(uidValidity uint32) (lastUID uint32, err error),
	handle func(uid uint32, raw []byte) error, saved func(uidValidity, lastUID uint32) error) (int, error) {
	if in.Folder == "" {
		in.Folder = "INBOX"
	}
	if in.TLS == TLSNone && !data.IsLoopback(in.Host) {
		return 0, ErrPlainOverNetwork
	}
	addr := net.JoinHostPort(in.Host, strconv.Itoa(in.Port))
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
		return 0, fmt.Errorf("cannot reach the inbox server %s: %w", addr, err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	if in.OAuthToken != "" {
		err = c.Authenticate(&xoauth2{user: in.User, token: in.OAuthToken})
	} else {
		err = c.Login(in.User, in.Password).Wait()
	}
	if err != nil {
		return 0, fmt.Errorf("the inbox server did not accept the sign-in for %s: %w", in.User, err)
	}
	sel, err := c.Select(in.Folder, &imap.SelectOptions{ReadOnly: true}).Wait()
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
	found, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(last + 1), Stop: 0}}}}, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("cannot list the new messages: %w", err)
	}
	var uids []imap.UID
	for _, u := range found.AllUIDs() {
		if uint32(u) > last { // "n:*" includes the last message even when it is older
			uids = append(uids, u)
		}
	}
	section := &imap.FetchItemBodySection{Peek: true}
	n := 0
	for start := 0; start < len(uids); start += batchSize {
		batch := uids[start:min(start+batchSize, len(uids))]
		msgs, err := c.Fetch(imap.UIDSetNum(batch...), &imap.FetchOptions{UID: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			return n, fmt.Errorf("cannot fetch messages: %w", err)
		}
		top := uint32(0)
		for _, m := range msgs {
			if err := handle(uint32(m.UID), m.FindBodySection(section)); err != nil {
				return n, err
			}
			n++
			top = max(top, uint32(m.UID))
		}
		if err := saved(sel.UIDValidity, max(top, uint32(batch[len(batch)-1]))); err != nil {
			return n, err
		}
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
	}
	c.Logout().Wait()
	return n, nil
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
