package mailer

import (
	"errors"
	"fmt"
	"kindly/data"
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

// Error says it in plain words; the technical cause (a missing program,
// a D-Bus message) is for support: Details, and errors.Unwrap.
func (e *keychainErr) Error() string {
	return fmt.Sprintf("%s could not keep %s. Sign in to the computer as usual (not as a service) and try again, "+
		"or give the password in the environment variable %s", KeychainName(runtime.GOOS), e.what, PasswordEnv)
}

// ErrorKind and NextStep: the password is not set up where Kindly can read it.
func (e *keychainErr) ErrorKind() data.Kind          { return data.KindNotSetUp }
func (e *keychainErr) NextStep() (data.Hint, string) { return data.HintPassword, "" }

// Details is the technical cause, for support.
func (e *keychainErr) Details() string { return e.cause.Error() }

func (e *keychainErr) Unwrap() []error { return []error{ErrNoKeychain, e.cause} }
