package mailer

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"

	"github.com/zalando/go-keyring"
)

// ServerPasswordEnv is the practice server's password on machines without
// a keychain (headless Linux); PostgreSQL's own PGPASSWORD and .pgpass
// work too.
const ServerPasswordEnv = "KINDLY_DB_PASSWORD"

// serverKey is the keychain entry of a server's password: its user, host
// and database, never the password.
func serverKey(address string) string {
	u, err := url.Parse(address)
	if err != nil {
		return "server:" + address
	}
	return "server:" + u.User.Username() + "@" + u.Host + u.Path
}

var serverSession sync.Map // serverKey -> password, where the keychain could not keep it

// StoreServerPassword keeps the practice server's password in the OS
// keychain; where there is none, in memory while this Kindly runs, and
// the error says so in words.
func StoreServerPassword(address, password string) error {
	if err := setSecret(serverKey(address), password); err != nil {
		serverSession.Store(serverKey(address), password)
		return fmt.Errorf("this computer's keychain could not keep the practice server's password, so Kindly keeps it only "+
			"while it runs; sign in to the computer as usual (not as a service), or set %s: %w", ServerPasswordEnv, err)
	}
	return nil
}

// ServerPassword is the password kept for the practice server ("" when
// none is: the server may not ask for one, or PostgreSQL's PGPASSWORD or
// .pgpass has it).
func ServerPassword(address string) string {
	if pw, err := getSecret(serverKey(address)); err == nil {
		return pw
	} else if !errors.Is(err, keyring.ErrNotFound) {
		if kept, ok := serverSession.Load(serverKey(address)); ok {
			return kept.(string)
		}
	}
	return os.Getenv(ServerPasswordEnv)
}

// ForgetServerPassword removes the server's password from the keychain.
func ForgetServerPassword(address string) error {
	serverSession.Delete(serverKey(address))
	return deleteSecret(serverKey(address))
}
