package workflow

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"kindly/data"
	"kindly/mailer"
)

// DatabaseEnv names the database (a file, or the practice server's
// address) when no --db is given.
const DatabaseEnv = "KINDLY_DB"

// serverChoice is the file that remembers, on this computer, that it uses
// the practice server: its address without the password (which is in the
// keychain).
func serverChoice() (string, error) {
	p, err := data.DefaultPath()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(p), "server.txt"), nil
}

// Where is the database this computer uses: the one named (a file or a
// server address), else KINDLY_DB, else the practice server it was
// connected to, else "" (its own file, data.DefaultPath).
func Where(named string) string {
	if named != "" {
		return named
	}
	if env := os.Getenv(DatabaseEnv); env != "" {
		return env
	}
	if p, err := serverChoice(); err == nil {
		if b, err := os.ReadFile(p); err == nil {
			return strings.TrimSpace(string(b))
		}
	}
	return ""
}

// HasPassword says whether a server address carries its password, which
// belongs in the keychain, never in a command line or a settings file.
func HasPassword(address string) bool {
	u, err := url.Parse(address)
	if err != nil {
		return false
	}
	_, has := u.User.Password()
	return has || u.Query().Has("password")
}

// ErrPasswordInAddress refuses an address that carries its password.
var ErrPasswordInAddress = data.Problemf(data.KindInvalid, data.HintNone, "",
	"leave the password out of the practice server's address: Kindly asks for it and keeps it in the computer's keychain", nil)

// openServer opens the practice server's database with the password kept
// for it.
func openServer(address string) (*data.Store, error) {
	pw := ""
	if !HasPassword(address) {
		pw = mailer.ServerPassword(address)
	}
	return data.OpenServer(address, pw)
}

// ServerForm is what the practice types to reach its server.
type ServerForm struct {
	Host     string
	Port     int
	Database string
	User     string
	Password string // "" keeps the one in the keychain
	// TLS: "" (prefer: encrypted when the server offers it), "require"
	// (encrypted, the server's certificate verified), "off".
	TLS string
}

// Address is the form's server address, without the password.
func (f ServerForm) Address() (string, error) {
	host := strings.TrimSpace(f.Host)
	if host == "" {
		return "", &data.ValidationError{Field: "host", Message: "Type the practice server's name or address."}
	}
	if f.Port == 0 {
		f.Port = 5432
	}
	if f.Port < 1 || f.Port > 65535 {
		return "", &data.ValidationError{Field: "port", Message: "The port is a number from 1 to 65535 (PostgreSQL's is 5432)."}
	}
	db := strings.TrimSpace(f.Database)
	if db == "" {
		db = "kindly"
	}
	user := strings.TrimSpace(f.User)
	if user == "" {
		return "", &data.ValidationError{Field: "user", Message: "Type the user Kindly signs in to the server as (kindly server init makes one)."}
	}
	mode := map[string]string{"": "prefer", "require": "verify-full", "off": "disable"}[f.TLS]
	if mode == "" {
		return "", &data.ValidationError{Field: "tls", Message: "Encryption is automatic, required or off."}
	}
	u := url.URL{Scheme: "postgres", User: url.User(user), Host: fmt.Sprintf("%s:%d", host, f.Port), Path: "/" + db,
		RawQuery: "sslmode=" + mode}
	return u.String(), nil
}

// TestServer connects to the practice server and says in plain words what
// is wrong, if anything: not reachable, wrong password, no such database,
// no permission, a server too old. Nothing is kept.
func TestServer(ctx context.Context, address, password string) error {
	if password == "" && !HasPassword(address) {
		password = mailer.ServerPassword(address)
	}
	s, err := data.OpenServer(address, password)
	if err != nil {
		return err
	}
	return s.Close()
}

// ConnectServer makes this computer use the practice server at address
// from its next start: the connection is tested, the password goes to the
// keychain and the address is remembered. A database that has no practice
// yet is made ready (Kindly's tables); its data comes with MoveToServer.
// The note, when not "", says what the practice should know (a keychain
// that could not keep the password).
func ConnectServer(ctx context.Context, address, password string) (note string, err error) {
	if HasPassword(address) {
		return "", ErrPasswordInAddress
	}
	if err := TestServer(ctx, address, password); err != nil {
		return "", err
	}
	return useServer(address, password)
}

// useServer keeps the server's password in the keychain and makes this
// computer use the server from its next start (the connection works).
func useServer(address, password string) (note string, err error) {
	if password != "" && password != mailer.ServerPassword(address) {
		if err := mailer.StoreServerPassword(address, password); err != nil {
			note = err.Error()
		}
	}
	return note, rememberServer(address)
}

// rememberServer writes (or, with "", removes) this computer's choice of
// server.
func rememberServer(address string) error {
	p, err := serverChoice()
	if err != nil {
		return err
	}
	if address == "" {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(address+"\n"), 0o600)
}

// DisconnectServer makes this computer use its own database file again
// from its next start; the server's data stays on the server.
func DisconnectServer() error { return rememberServer("") }

// MoveReport is what a move to the server copied and checked.
type MoveReport struct {
	Address string
	Tables  []data.TableCopy
	Note    string // what the practice should know (ConnectServer's note)
}

// Patients is how many patients were moved.
func (r MoveReport) Patients() int64 {
	for _, t := range r.Tables {
		if t.Table == "patients" {
			return t.Rows
		}
	}
	return 0
}

// MoveToServer copies this practice's whole database onto the practice
// server (an empty database there), checks every table's rows and
// checksum, and only then makes this computer use the server from its
// next start. The file stays as it was: nothing of it is changed.
func (w *Workflow) MoveToServer(ctx context.Context, address, password string, progress func(data.CopyProgress)) (MoveReport, error) {
	r := MoveReport{Address: data.RedactURL(address)}
	if HasPassword(address) {
		return r, ErrPasswordInAddress
	}
	if w.store.Server() {
		return r, data.Problemf(data.KindInvalid, data.HintNone, "", "this computer uses the practice server already", nil)
	}
	if password == "" {
		password = mailer.ServerPassword(address)
	}
	target, err := data.OpenServer(address, password)
	if err != nil {
		return r, err
	}
	defer target.Close()
	if r.Tables, err = data.CopyStore(ctx, w.store, target, progress); err != nil {
		if errors.Is(err, data.ErrTargetNotEmpty) {
			return r, data.Problemf(data.KindInvalid, data.HintNone, "",
				"the server's database already holds a practice: Kindly moves a practice only into an empty database, so that nobody's data is mixed", err)
		}
		return r, err
	}
	if err := target.Audit(ctx, "move", fmt.Sprintf("moved here from the file %s: %d patients", filepath.Base(w.store.Path()), r.Patients())); err != nil {
		return r, err
	}
	r.Note, err = useServer(address, password) // the copy was its test
	return r, err
}

// ServerInit is the SQL that makes the practice's database on the server
// and the role Kindly signs in as (data.ServerInitSQL), to print.
func ServerInit(database, role string) (string, error) { return data.ServerInitSQL(database, role) }

// RunServerInit makes the practice's database and role on the server as
// its administrator (adminAddress, whose password is adminPassword or in
// PostgreSQL's PGPASSWORD), with password the role's; it returns the
// address each computer connects to.
func RunServerInit(ctx context.Context, adminAddress, adminPassword, database, role, password string) (string, error) {
	if HasPassword(adminAddress) {
		return "", ErrPasswordInAddress
	}
	return data.InitServer(ctx, adminAddress, adminPassword, database, role, password)
}
