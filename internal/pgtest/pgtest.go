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
	s.ExecIn(tb, "postgres", statements...)
}

// ExecIn runs statements on a database of the server as its superuser.
func (s *Server) ExecIn(tb testing.TB, database string, statements ...string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	c, err := pgx.Connect(ctx, s.URL(database))
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

// cluster is a server's folder and how its commands run.
type cluster struct {
	bin, root, data string
	owner           *user.User // nobody, when this process is root
}

// start makes a cluster in a new temp folder and starts it, as "nobody"
// when this process is root; tlsFiles (server.crt, server.key), when
// given, turn TLS on.
func start(tlsFiles map[string][]byte) (*Server, string) {
	c, err := newCluster()
	if err == nil {
		err = c.initdb()
	}
	if err != nil {
		return nil, err.Error()
	}
	port, err := freePort()
	if err != nil {
		return nil, err.Error()
	}
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s -c fsync=off "+
		"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, c.root)
	if tlsFiles != nil {
		for name, b := range tlsFiles {
			if err := c.write(filepath.Join(c.data, name), b); err != nil {
				return nil, err.Error()
			}
		}
		opts += " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key"
	}
	if err := c.run("pg_ctl", "-D", c.data, "-o", opts, "-l", filepath.Join(c.root, "log"), "-w", "-t", "60", "start"); err != nil {
		return nil, err.Error()
	}
	watch(c.root, c.data)
	return &Server{Port: port, dir: c.root}, ""
}

// newCluster makes the cluster's folder, owned by whoever runs the server.
func newCluster() (*cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", "kindly-pg-")
	if err != nil {
		return nil, err
	}
	c := &cluster{bin: bin, root: root, data: filepath.Join(root, "data")}
	if os.Geteuid() == 0 {
		if c.owner, err = user.Lookup("nobody"); err != nil {
			return nil, fmt.Errorf("root needs the user nobody to run PostgreSQL as")
		}
		if err := c.chown(root); err != nil {
			return nil, err
		}
	}
	return c, os.Chmod(root, 0o700)
}

// initdb makes the cluster with its superuser and password.
func (c *cluster) initdb() error {
	pwfile := filepath.Join(c.root, "pw")
	if err := c.write(pwfile, []byte(Password+"\n")); err != nil {
		return err
	}
	return c.run("initdb", "-D", c.data, "-U", User, "--pwfile", pwfile, "-A", "scram-sha-256",
		"-E", "UTF8", "--locale", "C.UTF-8", "--no-sync")
}

// write writes a file the server's user owns.
func (c *cluster) write(path string, b []byte) error {
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return err
	}
	return c.chown(path)
}

func (c *cluster) chown(path string) error {
	if c.owner == nil {
		return nil
	}
	uid, _ := strconv.Atoi(c.owner.Uid)
	gid, _ := strconv.Atoi(c.owner.Gid)
	return os.Chown(path, uid, gid)
}

// run runs one of PostgreSQL's programs as the server's user.
func (c *cluster) run(name string, args ...string) error {
	argv := []string{filepath.Join(c.bin, name)}
	if c.owner != nil {
		argv = append([]string{"runuser", "-u", c.owner.Username, "--"}, argv...)
	}
	cmd := exec.Command(argv[0], append(argv[1:], args...)...)
	cmd.Dir = c.root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v\n%s", name, err, out)
	}
	return nil
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

// OnServer says whether this run's tests use the practice server
// (KINDLY_TEST_DB=postgres: the same tests, on a throwaway PostgreSQL).
var OnServer = os.Getenv("KINDLY_TEST_DB") == "postgres"

var (
	templateOnce sync.Once
	templateErr  error
)

// Database is where a test's new database lives: a file in its temp
// folder, or (OnServer) a new database on the throwaway server, copied
// from one that migrate (opening it with Kindly) prepared once per process.
func Database(tb testing.TB, migrate func(address string) error) string {
	tb.Helper()
	if !OnServer {
		return filepath.Join(tb.TempDir(), "kindly.db")
	}
	srv := Start(tb)
	templateOnce.Do(func() {
		srv.Exec(tb, "CREATE DATABASE kindly_template")
		templateErr = migrate(srv.URL("kindly_template"))
	})
	if templateErr != nil {
		tb.Fatal(templateErr)
	}
	return srv.NewDatabase(tb, "kindly_template")
}
