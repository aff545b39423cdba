// Package pgtest runs a throwaway PostgreSQL server for tests: initdb and
// pg_ctl in a temp folder, on a loopback port, as an unprivileged user
// (PostgreSQL refuses to run as root). One server serves a whole test
// process; each test gets a new database on it.
//
// CI installs Debian's postgresql package (.ci/run); when it is missing
// there the test fails, elsewhere it is skipped.
package pgtest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Password is the throwaway server's superuser password.
const Password = "throwaway-test-password"

// User is the throwaway server's superuser.
const User = "kindly_admin"

// Server is a running throwaway PostgreSQL server.
type Server struct {
	Port int
	dir  string
}

var (
	once    sync.Once
	shared  *Server
	failure string
	dbCount int
	dbMu    sync.Mutex
)

// URL is the address of database name on the server, as its superuser.
func (s *Server) URL(name string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(User, Password),
		Host: "127.0.0.1:" + strconv.Itoa(s.Port), Path: "/" + name, RawQuery: "sslmode=disable"}
	return u.String()
}

// Start is the process's throwaway server, started on first use; it stops
// by itself when the test process ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	once.Do(func() { shared, failure = start(nil) })
	if shared == nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("PostgreSQL: " + failure)
		}
		tb.Skip("PostgreSQL: " + failure)
	}
	return shared
}

// NewDatabase makes a new, empty database for one test (a copy of
// template when that is not ""), dropped when the test ends, and returns
// its address.
func (s *Server) NewDatabase(tb testing.TB, template string) string {
	tb.Helper()
	dbMu.Lock()
	dbCount++
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbCount)
	dbMu.Unlock()
	s.Exec(tb, "CREATE DATABASE "+name+templateClause(template))
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, s.URL("postgres")); err == nil {
			c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	return s.URL(name)
}

func templateClause(template string) string {
	if template == "" {
		return ""
	}
	return " TEMPLATE " + template
}

// Exec runs statements on the server's "postgres" database as its superuser.
func (s *Server) Exec(tb testing.TB, statements ...string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close(ctx)
	for _, st := range statements {
		if _, err := c.Exec(ctx, st); err != nil {
			tb.Fatalf("%s: %v", st, err)
		}
	}
}

// StartTLS starts a throwaway server of its own that offers TLS with the
// certificate and key given (PEM), for one test.
func StartTLS(tb testing.TB, certPEM, keyPEM []byte) *Server {
	tb.Helper()
	srv, why := start(map[string][]byte{"server.crt": certPEM, "server.key": keyPEM})
	if srv == nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("PostgreSQL: " + why)
		}
		tb.Skip("PostgreSQL: " + why)
	}
	tb.Cleanup(srv.stop)
	return srv
}

// stop stops a server at once.
func (s *Server) stop() {
	exec.Command("sh", "-c", fmt.Sprintf(`kill -INT "$(head -1 %s/data/postmaster.pid)"`, s.dir)).Run()
}

// binDir finds initdb and pg_ctl: on the PATH, or in Debian's folder.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(dirs)
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	return "", fmt.Errorf("initdb and pg_ctl are not installed (Debian: apt-get install postgresql)")
}

// start makes a cluster in a new temp folder and starts it, as "nobody"
// when this process is root.
func start(tlsFiles map[string][]byte) (*Server, string) {
	bin, err := binDir()
	if err != nil {
		return nil, err.Error()
	}
	root, err := os.MkdirTemp("", "kindly-pg-")
	if err != nil {
		return nil, err.Error()
	}
	var asUser []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			return nil, "root needs the user nobody to run PostgreSQL as"
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(root, uid, gid); err != nil {
			return nil, err.Error()
		}
		asUser = []string{"runuser", "-u", "nobody", "--"}
	}
	os.Chmod(root, 0o700)
	run := func(name string, args ...string) error {
		argv := append(append(append([]string{}, asUser...), filepath.Join(bin, name)), args...)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v\n%s", name, err, out)
		}
		return nil
	}
	pwfile := filepath.Join(root, "pw")
	if err := os.WriteFile(pwfile, []byte(Password+"\n"), 0o600); err != nil {
		return nil, err.Error()
	}
	if len(asUser) > 0 {
		u, _ := user.Lookup("nobody")
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		os.Chown(pwfile, uid, gid)
	}
	dataDir := filepath.Join(root, "data")
	if err := run("initdb", "-D", dataDir, "-U", User, "--pwfile", pwfile, "-A", "scram-sha-256",
		"-E", "UTF8", "--locale", "C.UTF-8", "--no-sync"); err != nil {
		return nil, err.Error()
	}
	port, err := freePort()
	if err != nil {
		return nil, err.Error()
	}
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s -c fsync=off "+
		"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, root)
	if tlsFiles != nil {
		for name, b := range tlsFiles {
			p := filepath.Join(dataDir, name)
			if err := os.WriteFile(p, b, 0o600); err != nil {
				return nil, err.Error()
			}
			if len(asUser) > 0 {
				u, _ := user.Lookup("nobody")
				uid, _ := strconv.Atoi(u.Uid)
				gid, _ := strconv.Atoi(u.Gid)
				os.Chown(p, uid, gid)
			}
		}
		opts += " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key"
	}
	if err := run("pg_ctl", "-D", dataDir, "-o", opts, "-l", filepath.Join(root, "log"), "-w", "-t", "60", "start"); err != nil {
		return nil, err.Error()
	}
	watch(root, dataDir)
	return &Server{Port: port, dir: root}, ""
}

// watch stops the server and removes its folder once this process has
// ended, however it ended.
func watch(root, dataDir string) {
	script := fmt.Sprintf(`while kill -0 %d 2>/dev/null; do sleep 1; done
kill -INT "$(head -1 %s/postmaster.pid)" 2>/dev/null
sleep 2
rm -rf %s`, os.Getpid(), dataDir, root)
	cmd := exec.Command("sh", "-c", script)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	setDetached(cmd)
	cmd.Start()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
