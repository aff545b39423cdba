package app

import (
	"errors"

	"golang.org/x/sys/windows/registry"
)

// runKey is where Windows starts programs when the user signs in, and
// signInName Kindly's value there.
const (
	runKey     = `Software\Microsoft\Windows\CurrentVersion\Run`
	signInName = "Kindly"
)

// startsAtSignIn says whether Windows starts this Kindly at sign-in.
func startsAtSignIn() (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		return false, err
	}
	defer k.Close()
	_, _, err = k.GetStringValue(signInName)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// setStartAtSignIn makes Windows start exe when this user signs in, or not.
func setStartAtSignIn(on bool, exe string) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE|registry.QUERY_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	if !on {
		if err := k.DeleteValue(signInName); err != nil && !errors.Is(err, registry.ErrNotExist) {
			return err
		}
		return nil
	}
	return k.SetStringValue(signInName, `"`+exe+`"`)
}
