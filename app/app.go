// Package app is Kindly's window: the only package that knows Fyne.
package app

import (
	"fmt"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/dialog"

	"kindly/data"
)

// AppID identifies Kindly to the OS (preferences, notifications).
const AppID = "app.kindly.desktop"

// Run opens the main window and returns when it is closed.
func Run(store *data.Store, icon []byte) error {
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("Icon.png", icon))
	w := a.NewWindow("Kindly")
	ui := New(a, w, store)
	w.SetContent(ui.Content())
	ui.Start()
	w.Resize(fyne.NewSize(1180, 760))
	w.ShowAndRun()
	ui.Close()
	return nil
}

// errorText is an error as the front desk should read it.
func errorText(err error) string { return fmt.Sprint(err) }

// showError tells the user what went wrong, in a dialog sized to the window.
func (u *UI) showError(err error) {
	d := dialog.NewError(err, u.window)
	d.Resize(dialogSize(u.window, 520, 220))
	d.Show()
}

// patientsText is "1 patient" or "12 patients".
func patientsText(n int) string {
	if n == 1 {
		return "1 patient"
	}
	return fmt.Sprintf("%d patients", n)
}
