package mailer

import (
	"errors"
	"fmt"
	"runtime"
)

// ErrNoKeychain says the computer has no keychain Kindly can use.
var ErrNoKeychain = errors.New("this computer has no keychain Kindly can use")

// KeychainName is what the practice knows the OS keychain as.
func KeychainName(goos string) string {
	switch goos {
	case "windows":
		return "Windows Credential Manager"
	case "darwin":
		return "the macOS Keychain"
	default:
		return "the desktop's keyring (GNOME Keyring or KWallet)"
	}
}

// keychainError says in plain words that the keychain did not take or give
// a secret, what to do instead, and (last, for support) the technical cause.
func keychainError(what string, cause error) error {
	return &keychainErr{what: what, cause: cause}
}

type keychainErr struct {
	what  string
	cause error
}

func (e *keychainErr) Error() string {
	return fmt.Sprintf("%s could not keep %s. Sign in to the computer as usual (not as a service) and try again, "+
		"or give the password in the environment variable %s (details: %v)", KeychainName(runtime.GOOS), e.what, PasswordEnv, e.cause)
}

func (e *keychainErr) Unwrap() []error { return []error{ErrNoKeychain, e.cause} }
