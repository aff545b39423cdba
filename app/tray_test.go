package app

import (
	"kindly/workflow"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
)

type fakeTray struct{ menu *fyne.Menu }

func (f *fakeTray) SetSystemTrayMenu(m *fyne.Menu)  { f.menu = m }
func (f *fakeTray) SetSystemTrayIcon(fyne.Resource) {}

// Closing the window while a run is being sent asks whether to keep sending
// in the background (the window hides, the tray shows the progress) or to
// close Kindly; with nothing being sent, or no tray, Kindly just closes.
func TestCloseWhileSending(t *testing.T) {
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	var quits, hides int
	u.quit, u.hideWindow = func() { quits++ }, func() { hides++ }
	host := &fakeTray{}
	onUI(u, func() { u.tray = newTray(u, host, nil) })

	onUI(u, u.onCloseWindow)
	if quits != 1 || hides != 0 || overlayText(w) != "" {
		t.Fatalf("nothing sending: %d quits, %d hides, dialog %q", quits, hides, overlayText(w))
	}

	s := u.campaigns
	onUI(u, func() { s.stop, s.runName = func(error) {}, "Flu shots" })
	onUI(u, u.onCloseWindow)
	if text := overlayText(w); !strings.Contains(text, "Flu shots is being sent") {
		t.Fatalf("the question: %q", text)
	}
	onUI(u, func() { tapButton(t, w, "Keep sending") })
	if quits != 1 || hides != 1 {
		t.Fatalf("keep sending: %d quits, %d hides", quits, hides)
	}
	if got := host.menu.Items[len(host.menu.Items)-1].Label; got != "Sending Flu shots…" {
		t.Errorf("the tray says %q", got)
	}
	onUI(u, func() { u.tray.shown = time.Time{}; s.showProgress(workflowProgress(12, 188)) })
	if got := host.menu.Items[len(host.menu.Items)-1].Label; !strings.HasPrefix(got, "Flu shots: Sending: 12 sent") {
		t.Errorf("the tray's progress: %q", got)
	}

	onUI(u, u.onCloseWindow)
	onUI(u, func() { tapButton(t, w, "Close Kindly") })
	if quits != 2 || hides != 1 {
		t.Fatalf("close Kindly: %d quits, %d hides", quits, hides)
	}

	onUI(u, func() { u.tray = nil })
	onUI(u, u.onCloseWindow)
	if quits != 3 {
		t.Fatalf("no tray: %d quits", quits)
	}
	onUI(u, func() { s.stop = nil })
}

// workflowProgress is a run's progress report: sent so far, left.
func workflowProgress(sent, left int) workflow.SendProgress {
	p := workflow.SendProgress{Total: sent + left}
	p.Sent, p.Remaining = sent, left
	return p
}
