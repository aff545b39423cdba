package mailer

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// Long mail is read only as far as it may matter: the start of a
// newsletter with a big attachment, a bounce report up to 256 KB.
func TestFetchReadsLongMailOnlyAsFarAsNeeded(t *testing.T) {
	user := imapmemserver.NewUser("front@sunny.example", "pw")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	attachment := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\r\n", 30000) // ~1 MB of base64
	mails := []string{
		"From: news@shop.example\r\nSubject: Winter sale\r\nContent-Type: text/plain\r\n\r\nBig news.\r\n" + attachment,
		"From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered Mail Returned to Sender\r\nContent-Type: text/plain\r\n\r\n" +
			"<ann@example.org>: host mx.example said: 550 5.1.1 User unknown\r\n" + strings.Repeat("returned original line\r\n", 2000),
		"From: pat@example.com\r\nSubject: a short one\r\n\r\nHello.\r\n",
		"From: pat@example.com\r\nSubject: a photo\r\n\r\n" + attachment,
	}
	for _, m := range mails {
		if _, err := user.Append("INBOX", literal(m), &imap.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	srv := imapserver.New(&imapserver.Options{InsecureAuth: true, Caps: imap.CapSet{imap.CapIMAP4rev1: {}},
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &plainIMAPSession{user: user}, nil, nil
		}})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	in := Inbox{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, TLS: TLSNone, User: "front@sunny.example", Password: "pw",
		Wants: func(start []byte) bool {
			return NeedsMore(start, "a1b2c3d4e5f6", func(addr string) bool { return addr == "pat@example.com" })
		}}
	var sizes []int
	n, err := FetchNew(context.Background(), in, func(uint32) (uint32, error) { return 0, nil },
		func(_ uint32, raw []byte) (bool, error) { sizes = append(sizes, len(raw)); return false, nil }, func(uint32, uint32) error { return nil })
	if err != nil || n != 4 {
		t.Fatalf("read %d: %v", n, err)
	}
	want := []int{firstLimit, len(mails[1]), len(mails[2]), fetchLimit}
	for i := range want {
		if sizes[i] != want[i] {
			t.Errorf("message %d: read %d bytes, want %d", i+1, sizes[i], want[i])
		}
	}
	// The bounce read that way is still a bounce.
	in.Wants = nil
	var bounce []byte
	FetchNew(context.Background(), in, func(uint32) (uint32, error) { return 1, nil },
		func(uid uint32, raw []byte) (bool, error) {
			if uid == 2 {
				bounce = raw
			}
			return false, nil
		}, func(uint32, uint32) error { return nil })
	if r := ReadMessage(bounce, "a1b2c3d4e5f6", "front@sunny.example"); r.Finding == nil || r.Finding.Address != "ann@example.org" || !r.Finding.Hard {
		t.Errorf("the long bounce: %+v", r)
	}
}

type plainIMAPSession struct {
	*imapmemserver.UserSession
	user *imapmemserver.User
}

func (s *plainIMAPSession) Login(username, password string) error {
	if err := s.user.Login(username, password); err != nil {
		return err
	}
	s.UserSession = imapmemserver.NewUserSession(s.user)
	return nil
}

func (s *plainIMAPSession) Close() error {
	if s.UserSession != nil {
		return s.UserSession.Close()
	}
	return nil
}
