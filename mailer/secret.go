package mailer

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/zalando/go-keyring"
)

// secretPart is the most Kindly puts in one keychain entry. Windows
// Credential Manager takes at most 2,560 bytes a secret; macOS's security
// command takes a 4,096-byte line holding the secret in base64 (a third
// larger) with the service and account names. A Microsoft token set is
// 3-4 KB, so longer secrets are split into parts of this size.
const secretPart = 1800

// splitMark starts the first entry of a split secret: "kindly-split:3"
// says the secret is in the entries key#1, key#2 and key#3.
const splitMark = "kindly-split:"

// setSecret keeps a secret of any length in the OS keychain under key,
// split into parts that fit every keychain.
func setSecret(key, value string) error {
	old := secretParts(key)
	if len(value) <= secretPart && !strings.HasPrefix(value, splitMark) {
		if err := keyring.Set(keyringService, key, value); err != nil {
			return err
		}
		deleteParts(key, 1, old)
		return nil
	}
	n := 0
	for start := 0; start < len(value); start += secretPart {
		n++
		end := min(start+secretPart, len(value))
		if err := keyring.Set(keyringService, partKey(key, n), value[start:end]); err != nil {
			return err
		}
	}
	if err := keyring.Set(keyringService, key, splitMark+strconv.Itoa(n)); err != nil {
		return err
	}
	deleteParts(key, n+1, old)
	return nil
}

// getSecret reads a secret setSecret kept, joining its parts.
func getSecret(key string) (string, error) {
	v, err := keyring.Get(keyringService, key)
	if err != nil || !strings.HasPrefix(v, splitMark) {
		return v, err
	}
	n, err := strconv.Atoi(strings.TrimPrefix(v, splitMark))
	if err != nil || n < 1 || n > 100 {
		return "", fmt.Errorf("the keychain entry %q is damaged", key)
	}
	var b strings.Builder
	for i := 1; i <= n; i++ {
		p, err := keyring.Get(keyringService, partKey(key, i))
		if err != nil {
			return "", fmt.Errorf("part %d of %d of the keychain entry %q is missing: %w", i, n, key, err)
		}
		b.WriteString(p)
	}
	return b.String(), nil
}

// deleteSecret removes a secret and its parts; a secret that is not there
// is no error.
func deleteSecret(key string) error {
	n := secretParts(key)
	err := keyring.Delete(keyringService, key)
	if errors.Is(err, keyring.ErrNotFound) {
		err = nil
	}
	deleteParts(key, 1, n)
	return err
}

// secretParts is how many parts the secret under key has now (0: one entry).
func secretParts(key string) int {
	v, err := keyring.Get(keyringService, key)
	if err != nil || !strings.HasPrefix(v, splitMark) {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(v, splitMark))
	return min(max(n, 0), 100)
}

// deleteParts removes the parts from..to of key; a leftover part would
// only waste space, so errors are not reported.
func deleteParts(key string, from, to int) {
	for i := from; i <= to; i++ {
		_ = keyring.Delete(keyringService, partKey(key, i))
	}
}

func partKey(key string, i int) string { return key + "#" + strconv.Itoa(i) }
