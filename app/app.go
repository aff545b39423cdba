// Package app is Kindly's window: the only package that knows Fyne. Its
// screens show what the workflow layer and the store answer; the jobs
// themselves (review, send, import, export, settings) are the workflow's.
package app

import (
	"context"
	"errors"
	"kindly/about"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kindly/workflow"
)

// Run opens the main window and returns when it is closed (or ctx ends).
func Run(ctx context.Context, work *workflow.Workflow, info about.Info, icon []byte) error {
	a := newApp(info, icon)
	w := a.NewWindow("Kindly")
	ui := New(a, w, work)
	ui.updateFeed = about.Feed()
	if host, ok := trayHostOf(a); ok {
		ui.tray = newTray(ui, host, a.Icon())
	}
	w.SetCloseIntercept(ui.onCloseWindow)
	w.SetContent(ui.Content())
	ui.Start()
	w.Resize(fyne.NewSize(1180, 760))
	stop := context.AfterFunc(ctx, func() { fyne.Do(a.Quit) }) // Ctrl-C in the terminal closes the window
	defer stop()
	w.ShowAndRun()
	ui.Close()
	return nil
}

// ShowStartError tells someone who started Kindly (without a terminal,
// perhaps) why its window cannot open - the database is open in another
// Kindly, say - and returns when they close the message.
func ShowStartError(err error, info about.Info, icon []byte) {
	a := newApp(info, icon)
	w := a.NewWindow("Kindly")
	w.SetContent(startErrorContent(err, a.Quit))
	w.Resize(startErrorSize)
	w.SetFixedSize(true)
	w.CenterOnScreen()
	w.ShowAndRun()
}

// startErrorSize is the start error's window: a long message scrolls in it,
// OK stays in view (a wrapped label alone made the window taller than the
// screen, its OK out of sight).
var startErrorSize = fyne.NewSize(520, 240)

// startErrorContent is the message, scrolling when long, above OK.
func startErrorContent(err error, quit func()) fyne.CanvasObject {
	msg := widget.NewLabel("Kindly cannot open: " + errorText(err))
	msg.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(msg)
	scroll.SetMinSize(fyne.NewSize(startErrorSize.Width-40, 100))
	ok := widget.NewButton("OK", quit)
	ok.Importance = widget.HighImportance
	return container.NewBorder(nil, container.NewCenter(ok), nil, nil, scroll)
}

// showError tells the user what went wrong, in a dialog sized to the window.
func (u *UI) showError(err error) {
	d := dialog.NewError(errors.New(errorText(err)), u.window)
	d.Resize(dialogSize(u.window, 520, 220))
	d.Show()
}

// chooseSaveFile asks where to save a file (suggesting name) and hands the
// chosen path to chosen; nothing happens when the practice cancels.
func (u *UI) chooseSaveFile(name string, chosen func(path string)) {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		if wc == nil {
			return
		}
		path := wc.URI().Path()
		wc.Close()
		u.remember(path)
		chosen(path)
	}, u.window)
	d.SetFileName(name)
	u.startIn(d)
	d.Resize(dialogSize(u.window, 900, 600))
	d.Show()
}

// patientsText is "1 patient" or "12 patients".
func patientsText(n int) string { return workflow.Patients(n) }

// newApp is the Fyne app with Kindly's metadata: a binary built with plain
// "go build" carries none of FyneApp.toml's on its own (only "go run" in the
// source folder and "fyne package" do), so main passes it in.
func newApp(info about.Info, icon []byte) fyne.App {
	res := fyne.NewStaticResource("Icon.png", icon)
	fyneapp.SetMetadata(fyne.AppMetadata{ID: info.ID, Name: info.Name, Version: info.Version, Build: info.Build,
		Icon: res, Release: true, Migrations: info.Migrations, Custom: map[string]string{"revision": info.Revision}})
	a := fyneapp.NewWithID(info.ID)
	a.SetIcon(res)
	return a
}

// versionLine is what Settings says of this build, from the app's metadata.
func versionLine(m fyne.AppMetadata) string {
	if m.Version == "" {
		return "Kindly (development build)"
	}
	return about.Info{Name: m.Name, Version: m.Version, Build: m.Build, Revision: m.Custom["revision"]}.String()
}
