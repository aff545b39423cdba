package data

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
)

var serverIdent = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// serverInitStatements make the practice's database and its role: the
// role owns its database (its tables, for upgrades) and nothing else - no
// superuser, no other databases, no roles. The first run on the server's
// administrative database, the rest on the new database.
func serverInitStatements(database, role, verifier string) (admin, inDatabase []string) {
	pw := ""
	if verifier != "" {
		pw = " PASSWORD '" + verifier + "'"
	}
	admin = []string{
		fmt.Sprintf("CREATE ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 50%s", role, pw),
		fmt.Sprintf("CREATE DATABASE %s OWNER %s ENCODING 'UTF8' TEMPLATE template0", database, role),
		fmt.Sprintf("REVOKE ALL ON DATABASE %s FROM PUBLIC", database),
		fmt.Sprintf("GRANT CONNECT, TEMPORARY ON DATABASE %s TO %s", database, role),
	}
	inDatabase = []string{
		// Kindly's search ignores accents: made here, by the administrator.
		"CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
		fmt.Sprintf("ALTER SCHEMA public OWNER TO %s", role),
		"REVOKE ALL ON SCHEMA public FROM PUBLIC",
	}
	return admin, inDatabase
}

func checkServerNames(database, role string) error {
	if !serverIdent.MatchString(database) || !serverIdent.MatchString(role) {
		return &ValidationError{Field: "database", Message: "The database and role names are lower-case letters, digits and _ (e.g. kindly)."}
	}
	return nil
}

// ServerInitSQL is the SQL an administrator runs (psql -f) to make the
// practice's database and role; psql's \password sets the role's password.
func ServerInitSQL(database, role string) (string, error) {
	if err := checkServerNames(database, role); err != nil {
		return "", err
	}
	admin, in := serverInitStatements(database, role, "")
	var b strings.Builder
	b.WriteString("-- Kindly's database on the practice server. Run as the server's administrator:\n")
	b.WriteString("--   psql -U postgres -f kindly.sql\n")
	for _, st := range admin {
		b.WriteString(st + ";\n")
	}
	b.WriteString("\\connect " + database + "\n")
	for _, st := range in {
		b.WriteString(st + ";\n")
	}
	b.WriteString("-- The role's password (psql asks for it twice):\n\\password " + role + "\n")
	return b.String(), nil
}

// InitServer makes the practice's database and role on the server as its
// administrator, the role's password sent as a SCRAM verifier (the server
// never sees it, nor does its log). It returns the address the practice's
// computers connect to (without the password).
func InitServer(ctx context.Context, adminAddress, adminPassword, database, role, password string) (string, error) {
	if err := checkServerNames(database, role); err != nil {
		return "", err
	}
	if len(password) < 12 {
		return "", &ValidationError{Field: "password", Message: "The role's password needs 12 characters or more: it guards every patient's data."}
	}
	cfg, err := pgx.ParseConfig(adminAddress)
	if err != nil {
		return "", &Problem{Kind: KindInvalid, Message: "the administrator's address is not right: " + plainConfigError(err)}
	}
	if adminPassword != "" {
		cfg.Password = adminPassword
	}
	verifier, err := scramVerifier(password)
	if err != nil {
		return "", err
	}
	admin, in := serverInitStatements(database, role, verifier)
	if err := runAs(ctx, cfg, admin); err != nil {
		return "", err
	}
	cfg.Database = database
	if err := runAs(ctx, cfg, in); err != nil {
		return "", err
	}
	u := url.URL{Scheme: "postgres", User: url.User(role), Host: fmt.Sprintf("%s:%d", cfg.Host, cfg.Port), Path: "/" + database}
	return u.String(), nil
}

func runAs(ctx context.Context, cfg *pgx.ConnConfig, statements []string) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return ServerError(err)
	}
	defer conn.Close(ctx)
	for _, st := range statements {
		if _, err := conn.Exec(ctx, st); err != nil {
			return fmt.Errorf("the server refused %q: %w", strings.SplitN(st, " PASSWORD", 2)[0], ServerError(err))
		}
	}
	return nil
}

// scramVerifier is PostgreSQL's SCRAM-SHA-256 verifier of a password
// (RFC 5802, RFC 7677; PostgreSQL's pg_be_scram_build_secret): what the
// server keeps, from which the password cannot be read back.
func scramVerifier(password string) (string, error) {
	const iterations = 4096
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return "", err
	}
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	stored := sha256.Sum256(mac(salted, "Client Key"))
	server := mac(salted, "Server Key")
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", iterations, b64(salt), b64(stored[:]), b64(server)), nil
}
