package app

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// trayHost is where a tray (Windows' notification area, the macOS menu
// bar) icon and menu live: Fyne's desktop app.
type trayHost interface {
	SetSystemTrayMenu(*fyne.Menu)
	SetSystemTrayIcon(fyne.Resource)
}

// tray is Kindly's icon beside the clock, with what is being sent: a run
// goes on there after its window was closed. Fyne adds "Quit" to the menu;
// quitting leaves a run as closing the window always did (it goes on at
// the next start).
type tray struct {
	host   trayHost
	menu   *fyne.Menu
	status *fyne.MenuItem
	shown  time.Time // when the status last changed: the tray's menu is rebuilt each time
}

func newTray(u *UI, host trayHost, icon fyne.Resource) *tray {
	t := &tray{host: host, status: fyne.NewMenuItem("Nothing is being sent.", nil)}
	t.status.Disabled = true
	show := fyne.NewMenuItem("Show Kindly", func() {
		u.window.Show()
		u.window.RequestFocus()
	})
	t.menu = fyne.NewMenu("Kindly", show, fyne.NewMenuItemSeparator(), t.status)
	if icon != nil {
		host.SetSystemTrayIcon(icon)
	}
	host.SetSystemTrayMenu(t.menu)
	return t
}

// say shows the run's progress in the tray's menu, once a second at most.
func (t *tray) say(text string) {
	if t != nil && time.Since(t.shown) >= time.Second {
		t.sayNow(text)
	}
}

// sayNow shows a run's start or end in the tray's menu.
func (t *tray) sayNow(text string) {
	if t == nil || t.status.Label == text {
		return
	}
	t.status.Label, t.shown = text, time.Now()
	t.menu.Refresh()
}

// trayHostOf is the app's tray, when the platform has one: Windows' and
// macOS's own; elsewhere a desktop's session bus (D-Bus) carries it, and
// without one Fyne's tray fails to start and then crashes when Kindly
// quits, so there is none.
func trayHostOf(a fyne.App) (trayHost, bool) {
	d, ok := a.(desktop.App)
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return nil, false
	}
	return d, ok
}

// onCloseWindow is what closing the window does: while a run is being sent
// and the computer has a tray, the practice chooses between keeping it
// sending in the background and closing Kindly (the run then goes on at
// the next start, as ever); otherwise Kindly closes.
func (u *UI) onCloseWindow() {
	name := u.campaigns.sending()
	if name == "" || u.tray == nil {
		u.quit()
		return
	}
	text := widget.NewLabel(fmt.Sprintf("%s is being sent. Kindly can go on with its window closed: its icon beside the clock "+
		"shows the progress, and \"Show Kindly\" there opens the window again.\n\nIf you close Kindly, the rest is sent the "+
		"next time Kindly starts.", name))
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Keep sending in the background?", "Keep sending", "Close Kindly", text, func(keep bool) {
		if keep {
			u.tray.sayNow(fmt.Sprintf("Sending %s…", name))
			u.hideWindow()
			return
		}
		u.quit()
	}, u.window)
	d.Resize(dialogSize(u.window, 520, 260))
	d.Show()
}
