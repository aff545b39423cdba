package data

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kindly/internal/pgtest"
)

// Two computers on one server database: one sends at a time, the other is
// told which computer sends and since when; when the sender's connection
// ends (its computer switched off), the other can take over.
func TestSendingLockAcrossComputers(t *testing.T) {
	srv := pgtest.Start(t)
	url := srv.NewDatabase(t, "")
	open := func() *Store {
		s, err := OpenServer(url, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	frontDesk, doctor := open(), open()
	setZone(t, frontDesk, "Europe/Berlin")
	frontDesk.Now = func() time.Time { return time.Date(2026, 10, 5, 8, 42, 0, 0, time.UTC) }
	unlock, err := frontDesk.LockSending()
	if err != nil {
		t.Fatal(err)
	}
	_, err = doctor.LockSending()
	var busy *SenderBusyError
	if !errors.As(err, &busy) || !errors.Is(err, ErrSenderBusy) || KindOf(err) != KindSenderBusy {
		t.Fatalf("a second computer's lock: %v", err)
	}
	host, _ := os.Hostname()
	if !strings.Contains(err.Error(), host) || !strings.Contains(err.Error(), "since 10:42") {
		t.Errorf("the message: %q (want the computer %q and 10:42, Berlin time)", err, host)
	}
	unlock()
	// The doctor's computer takes the lock, and goes off while it holds it:
	// its connection ends, and so does its lock.
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldSendingLock$")
	cmd.Env = append(os.Environ(), "KINDLY_HOLD_LOCK="+url)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make([]byte, 64)
	n, _ := io.ReadAtLeast(out, line, len("locked"))
	if !strings.Contains(string(line[:n]), "locked") {
		cmd.Process.Kill()
		t.Fatalf("the other computer did not take the lock: %q", line[:n])
	}
	if _, err := frontDesk.LockSending(); !errors.Is(err, ErrSenderBusy) {
		t.Fatalf("while the other computer holds the lock: %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for {
		unlock, err := frontDesk.LockSending()
		if err == nil {
			unlock()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lock outlived its computer: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestHoldSendingLock is the other computer of TestSendingLockAcrossComputers:
// it takes the lock, says so, and waits to be killed.
func TestHoldSendingLock(t *testing.T) {
	url := os.Getenv("KINDLY_HOLD_LOCK")
	if url == "" {
		t.Skip("run by TestSendingLockAcrossComputers")
	}
	s, err := OpenServer(url, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.LockSending(); err != nil {
		t.Fatal(err)
	}
	fmt.Println("locked")
	time.Sleep(time.Minute)
}

// The server's reasons in plain words: a wrong password, a missing
// database, no server at all.
func TestServerErrorsInPlainWords(t *testing.T) {
	srv := pgtest.Start(t)
	for url, want := range map[string]string{
		strings.Replace(srv.URL("postgres"), pgtest.Password, "wrong", 1): "refused the user name or password",
		srv.URL("no_such_db"): `has no database called "no_such_db"`,
		"postgres://kindly@127.0.0.1:1/kindly?connect_timeout=2": "cannot be reached",
		"postgres://kindly@[::1/x":                               "address is not right",
	} {
		_, err := OpenServer(url, "")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", RedactURL(url), err, want)
		}
		if err != nil && strings.Contains(err.Error(), "wrong") && strings.Contains(url, "wrong") {
			t.Errorf("the password is in the message: %v", err)
		}
	}
	if got := RedactURL("postgres://kindly:secret@server/kindly?password=also"); strings.Contains(got, "secret") || strings.Contains(got, "also") {
		t.Errorf("RedactURL left a password: %s", got)
	}
}

// The shared database is not replaced by a backup under the computers
// that use it; the backup goes into an empty database instead (CopyStore).
func TestServerRestoreRefused(t *testing.T) {
	s := serverStore(t)
	path, err := s.Backup(context.Background(), "by hand")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ScheduleRestore(context.Background(), path); !errors.Is(err, ErrRestoreOnServer) || KindOf(err) != KindInvalid {
		t.Fatalf("a restore over the server's database: %v", err)
	}
	if s.RestorePending() != "" {
		t.Fatal("a restore is pending")
	}
}

// An address without sslmode is encrypted when the server offers it, and
// plain when it offers none (the throwaway server offers none).
func TestPlainServerWithoutSSLMode(t *testing.T) {
	srv := pgtest.Start(t)
	url := strings.Replace(srv.NewDatabase(t, ""), "?sslmode=disable", "", 1)
	where, err := encryptWhenOffered(url)
	if err != nil || !strings.Contains(where, "sslmode=disable") {
		t.Fatalf("%s: %v", where, err)
	}
	s, err := OpenServer(url, "")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := encryptWhenOffered("postgres://kindly@127.0.0.1:1/kindly"); KindOf(err) != KindUnavailable {
		t.Fatalf("no server: %v", err)
	}
}

// A server that offers TLS is reached only with its certificate checked:
// one this computer does not trust is refused in plain words (never
// quietly taken, never a fall back to plain text), one it trusts works.
func TestServerCertificateChecked(t *testing.T) {
	caPEM, certPEM, keyPEM := testCertificates(t)
	srv := pgtest.StartTLS(t, certPEM, keyPEM)
	url := strings.Replace(srv.URL("postgres"), "?sslmode=disable", "", 1)
	srv.Exec(t, "CREATE DATABASE kindly")
	url = strings.Replace(url, "/postgres", "/kindly", 1)
	_, err := OpenServer(url, "")
	if err == nil || !strings.Contains(err.Error(), "certificate could not be checked") {
		t.Fatalf("an untrusted certificate: %v", err)
	}
	ca := filepath.Join(t.TempDir(), "practice-ca.pem")
	if err := os.WriteFile(ca, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := OpenServer(url+"?sslrootcert="+ca, "")
	if err != nil {
		t.Fatalf("a trusted certificate: %v", err)
	}
	var encrypted bool
	if err := s.db.QueryRow(`SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&encrypted); err != nil || !encrypted {
		t.Fatalf("the connection is not encrypted: %v %v", encrypted, err)
	}
	s.Close()
}

// testCertificates makes a throwaway CA and a server certificate for 127.0.0.1.
func testCertificates(t *testing.T) (caPEM, certPEM, keyPEM []byte) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Practice test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}

// Computers starting at the same time on a new server database: one
// makes Kindly's tables while the others wait, then all open it.
func TestComputersStartTogether(t *testing.T) {
	srv := pgtest.Start(t)
	url := srv.NewDatabase(t, "")
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			s, err := OpenServer(url, "")
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
