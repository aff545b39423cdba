package app

import (
	"net/url"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"kindly/workflow"
)

// checkForUpdates asks, at the start and then each hour, whether a newer
// Kindly exists (the workflow reads the releases feed once a day at most,
// and not at all when the practice turned it off). A newer one is shown on
// Today with a link; nothing is downloaded. Without a feed (tests) it does
// nothing.
func (u *UI) checkForUpdates(feed string) {
	defer u.running.Done()
	if feed == "" {
		return
	}
	version := u.app.Metadata().Version
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if up, err := u.work.CheckForUpdate(u.ctx, feed, version, false); err == nil && up.Available {
			u.do(func() { u.today.showUpdate(up) })
		}
		select {
		case <-u.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// showUpdate shows "Kindly 1.3.0 is available" on Today, with the link to
// its page.
func (s *todayScreen) showUpdate(up workflow.Update) {
	s.update.SetText(up.Line() + " What is new and how to install it")
	if link, err := url.Parse(up.URL); err == nil && up.URL != "" {
		s.update.SetURL(link)
	}
	s.update.Show()
}

// newUpdateLink is Today's line about a newer Kindly, hidden until one exists.
func newUpdateLink() *widget.Hyperlink {
	h := widget.NewHyperlink("", nil)
	h.Wrapping = fyne.TextWrapWord
	h.Hide()
	return h
}
