// Package dovecottest starts Dovecot, a real IMAP server, on loopback for
// tests: one throwaway user and a maildir in a temp folder. CI installs
// Debian's dovecot-imapd; elsewhere the tests that need it are skipped.
package dovecottest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Server is a running Dovecot with one user.
type Server struct {
	Port           int
	User, Password string
	maildir        string
	uid, gid       int
	n              atomic.Int64
}

// Start runs Dovecot in the foreground until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		for _, p := range []string{"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"} {
			if _, err2 := os.Stat(p); err2 == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("dovecot is not installed (apt-get install dovecot-imapd)")
		}
		t.Skip("dovecot is not installed (apt-get install dovecot-imapd)")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o755) // the mail user must reach the maildir
	for d := filepath.Dir(dir); d != "/" && d != "."; d = filepath.Dir(d) {
		if info, err := os.Stat(d); err == nil && info.Mode().Perm()&0o001 == 0 {
			os.Chmod(d, info.Mode().Perm()|0o001)
		}
	}
	base, err := os.MkdirTemp("/tmp", "dv") // unix sockets need a short path
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	s := &Server{User: "front", Password: "secret-" + strconv.FormatInt(time.Now().UnixNano(), 36), maildir: filepath.Join(dir, "Maildir")}
	s.uid, s.gid = os.Getuid(), os.Getgid()
	if s.uid == 0 { // mail as root is refused: Debian's mail user owns it
		if u, err := user.Lookup("mail"); err == nil {
			s.uid, _ = strconv.Atoi(u.Uid)
			s.gid, _ = strconv.Atoi(u.Gid)
		}
	}
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(s.maildir, sub), 0o700)
	}
	filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { return os.Lchown(p, s.uid, s.gid) })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	passwd := filepath.Join(dir, "passwd")
	os.WriteFile(passwd, []byte(fmt.Sprintf("%s:{PLAIN}%s:%d:%d::%s\n", s.User, s.Password, s.uid, s.gid, dir)), 0o644)
	conf := filepath.Join(dir, "dovecot.conf")
	loginUser := ""
	if os.Getuid() == 0 {
		loginUser = "default_login_user = dovenull\ndefault_internal_user = root\n"
	}
	os.WriteFile(conf, []byte(fmt.Sprintf(`protocols = imap
listen = 127.0.0.1
base_dir = %s
state_dir = %s
log_path = %s
info_log_path = %s
ssl = no
auth_mechanisms = plain login
disable_plaintext_auth = no
%smail_location = maildir:%s
first_valid_uid = 1
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %d
  }
  inet_listener imaps {
    port = 0
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN %s
}
userdb {
  driver = passwd-file
  args = %s
}
`, base, base, filepath.Join(dir, "dovecot.log"), filepath.Join(dir, "dovecot.log"), loginUser, s.maildir, s.Port, passwd, passwd)), 0o644)
	cmd := exec.Command(bin, "-F", "-c", conf)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.Port))
		if err == nil {
			c.Close()
			break
		}
		if i > 100 {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("dovecot did not start: %v\n%s", err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// Deliver puts a message in the inbox, as a mail server does: written to
// tmp, then moved to new (UIDs follow the order of delivery).
func (s *Server) Deliver(t testing.TB, raw []byte) {
	t.Helper()
	name := fmt.Sprintf("%d.M%dP%d.kindly-test", time.Now().Unix(), s.n.Add(1), os.Getpid())
	tmp := filepath.Join(s.maildir, "tmp", name)
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Lchown(tmp, s.uid, s.gid)
	if err := os.Rename(tmp, filepath.Join(s.maildir, "new", name)); err != nil {
		t.Fatal(err)
	}
}

// Count is how many messages a folder holds ("INBOX", or another folder
// by name), read from the maildir.
func (s *Server) Count(t testing.TB, folder string) int {
	t.Helper()
	dir := s.maildir
	if !strings.EqualFold(folder, "INBOX") {
		dir = filepath.Join(s.maildir, "."+folder)
	}
	n := 0
	for _, sub := range []string{"cur", "new"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		n += len(entries)
	}
	return n
}
