package data

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// IsServerURL says whether where names the practice's PostgreSQL server
// (postgres://... or postgresql://...) rather than a database file.
func IsServerURL(where string) bool {
	l := strings.ToLower(where)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// RedactURL is a server address with its password left out, to show and log.
func RedactURL(where string) string {
	u, err := url.Parse(where)
	if err != nil {
		return "the practice server"
	}
	if _, has := u.User.Password(); has {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if q.Has("password") {
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// migrateLock is the advisory lock that keeps two computers starting at
// once from upgrading the shared database together.
const migrateLock = 0x4b696e646c7901 // "Kindly" 1

// oldestServer is the oldest PostgreSQL Kindly runs on: nondeterministic
// collations, generated columns and trusted extensions (12-13) are used.
const oldestServer = 130000

// OpenServer opens the practice's shared database on its PostgreSQL server
// (see openServer); password is the keychain's, for an address without one.
func OpenServer(where, password string) (*Store, error) { return openServer(where, password) }

// openServer opens the practice's PostgreSQL database at where (a
// postgres:// address; password is used when the address has none) and
// applies pending migrations. Several computers share it: nothing of it
// belongs to this process.
func openServer(where, password string) (*Store, error) {
	where, err := encryptWhenOffered(where)
	if err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(where)
	if err != nil {
		return nil, &Problem{Kind: KindInvalid, Message: "the practice server's address is not right: " + plainConfigError(err)}
	}
	if password != "" && cfg.Password == "" {
		cfg.Password = password
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "Kindly"
	cfg.ConnectTimeout = 10 * time.Second
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	eng := &engine{server: true}
	s := &Store{db: sqlDB{db, eng}, eng: eng, path: RedactURL(where), Now: time.Now, backupDir: serverBackupDir(cfg)}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.checkServer(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.migrateShared(ctx); err != nil {
		db.Close()
		return nil, mapError(err)
	}
	if err := s.resolveCareOptIn(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// serverBackupDir is where this computer keeps its copies of a server's
// database: beside where its own file would be, a folder per server and
// database.
func serverBackupDir(cfg *pgx.ConnConfig) string {
	dir := os.TempDir()
	if p, err := DefaultPath(); err == nil {
		dir = filepath.Dir(p)
	}
	return filepath.Join(dir, "backups", "server-"+slug(cfg.Host+" "+cfg.Database))
}

// encryptWhenOffered reads an address without an sslmode, or with
// "prefer", as Kindly means it: encrypted, with the server's certificate
// checked, whenever the server offers encryption, and plain only when it
// offers none (PostgreSQL's own "prefer" would take any certificate).
// Whether it offers it is asked as PostgreSQL's protocol asks: an
// SSLRequest, answered S or N.
func encryptWhenOffered(where string) (string, error) {
	u, err := url.Parse(where)
	if err != nil {
		return where, &Problem{Kind: KindInvalid, Message: "the practice server's address is not right: " + plainConfigError(err)}
	}
	q := u.Query()
	if mode := q.Get("sslmode"); mode != "" && mode != "prefer" {
		return where, nil
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "5432"
	}
	if host == "" || strings.HasPrefix(host, "/") {
		return where, nil // a local socket: nothing to encrypt
	}
	offered, err := offersTLS(net.JoinHostPort(host, port))
	if err != nil {
		return where, &Problem{Kind: KindUnavailable, Message: "the practice server cannot be reached: check that it is on and that this computer is on the practice's network", Err: err}
	}
	q.Set("sslmode", map[bool]string{true: "verify-full", false: "disable"}[offered])
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// offersTLS asks the server at addr whether it speaks TLS.
func offersTLS(addr string) (bool, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return false, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	// Length 8, then the SSLRequest code 1234 5679.
	if _, err := c.Write([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}); err != nil {
		return false, err
	}
	var b [1]byte
	if _, err := io.ReadFull(c, b[:]); err != nil {
		return false, err
	}
	switch b[0] {
	case 'S':
		return true, nil
	case 'N':
		return false, nil
	}
	return false, fmt.Errorf("the server at %s does not answer as PostgreSQL does", addr)
}

// checkServer connects once and says in plain words what stands in the way.
func (s *Store) checkServer(ctx context.Context) error {
	var version int
	if err := s.db.QueryRowContext(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&version); err != nil {
		return ServerError(err)
	}
	if version < oldestServer {
		return &Problem{Kind: KindInvalid, Message: fmt.Sprintf("the practice server runs PostgreSQL %d.%d, too old for Kindly: it needs version 13 or newer", version/10000, version%10000/100)}
	}
	return nil
}

// migrateShared applies pending migrations while holding the server's
// advisory lock: another computer starting at the same time waits, then
// finds the database up to date.
func (s *Store) migrateShared(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return ServerError(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, int64(migrateLock)); err != nil {
		return ServerError(err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?)`, int64(migrateLock))
	return s.migrate(ctx)
}

// ServerError says in plain words why the practice server cannot be used:
// not reachable, wrong password, no such database, no permission. Other
// errors pass unchanged.
func ServerError(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "28P01" || pe.Code == "28000":
			return &Problem{Kind: KindInvalid, Message: "the practice server refused the user name or password", Err: err}
		case pe.Code == "3D000":
			return &Problem{Kind: KindNotFound, Message: "the practice server has no database called " + quotedName(pe), Err: err}
		case pe.Code == "42501" || strings.HasPrefix(pe.Code, "28"):
			return &Problem{Kind: KindInvalid, Message: "the practice server does not allow this user to do that: " + pe.Message, Err: err}
		case pe.Code == "53300":
			return &Problem{Kind: KindBusy, Message: "the practice server has too many connections open; try again in a moment", Err: err}
		}
		return err
	}
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	if errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid) {
		return &Problem{Kind: KindInvalid, Message: "the practice server's certificate could not be checked, so Kindly did not connect " +
			"(its administrator installs a certificate this computer trusts; on the practice's own network, encryption may be turned off)", Err: err}
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || errors.Is(err, context.DeadlineExceeded) {
		return &Problem{Kind: KindUnavailable, Message: "the practice server cannot be reached: check that it is on and that this computer is on the practice's network", Err: err}
	}
	return err
}

// plainConfigError is pgx's complaint about an address, without its
// password.
func plainConfigError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ": "); i >= 0 && strings.Contains(msg[:i], "://") {
		msg = msg[i+2:]
	}
	return msg
}

// quotedName names the database a server refused, quoted.
func quotedName(pe *pgconn.PgError) string {
	if i, j := strings.Index(pe.Message, `"`), strings.LastIndex(pe.Message, `"`); i >= 0 && j > i {
		return pe.Message[i : j+1]
	}
	return "that name"
}

// QueryServerRole reads what the role Kindly signs in as may do on the
// server.
func (s *Store) QueryServerRole(ctx context.Context, super, createDB, createRole *bool) error {
	return s.db.QueryRowContext(ctx, `SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user`).
		Scan(super, createDB, createRole)
}

// ChangeMark changes whenever the practice's lists do - a patient saved,
// imported or deleted, a segment, template or campaign saved, an email
// sent, anything the audit log records - and is cheap to read (indexes
// only): the window asks for it every few seconds to show what another
// computer changed.
func (s *Store) ChangeMark(ctx context.Context) (string, error) {
	var audit int64
	var seg, tpl, camp, sent string
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT coalesce(max(id), 0) FROM audit_log),
		(SELECT count(*) || coalesce(max(updated_at), '') FROM segments),
		(SELECT count(*) || coalesce(max(updated_at), '') FROM templates),
		(SELECT count(*) || coalesce(max(updated_at), '') FROM campaigns),
		(SELECT coalesce(max(sent_at), '') FROM outbox)`).Scan(&audit, &seg, &tpl, &camp, &sent)
	if err != nil {
		return "", mapError(err)
	}
	return fmt.Sprintf("%d|%s|%s|%s|%s", audit, seg, tpl, camp, sent), nil
}
