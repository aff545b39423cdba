package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
)

// screen is one page of the sidebar.
type screen interface {
	content() fyne.CanvasObject
	// refresh reloads what the screen shows from the store.
	refresh()
}

type section struct {
	title string
	icon  func() fyne.Resource
	make  func(*UI) screen
}

// sections is filled in init: screens refer back to it (Show), which a
// package-level initializer may not.
var sections []section

func init() {
	sections = []section{
		{"Today", theme.HomeIcon, func(u *UI) screen { return newTodayScreen(u) }},
		{"Patients", theme.AccountIcon, func(u *UI) screen { return newPatientsScreen(u) }},
		{"Segments", theme.ListIcon, func(u *UI) screen { return newSegmentsScreen(u) }},
		{"Templates", theme.DocumentIcon, func(u *UI) screen { return newTemplatesScreen(u) }},
		{"Calendar", theme.CalendarIcon, func(u *UI) screen { return newCalendarScreen(u) }},
		{"Campaigns", theme.MailSendIcon, func(u *UI) screen { return newCampaignsScreen(u) }},
		{"Reports", theme.GridIcon, func(u *UI) screen { return newReportsScreen(u) }},
		{"Settings", theme.SettingsIcon, func(u *UI) screen { return newSettingsScreen(u) }},
	}
}

// UI is the main window's state: the sidebar and the current screen.
type UI struct {
	app     fyne.App
	window  fyne.Window
	store   *data.Store
	screens []screen
	body    *fyne.Container
	sidebar *widget.List
	current int

	stop    context.CancelFunc // ends the background work Start began
	stopped sync.WaitGroup
}

// uiMu is held while a background result is applied to widgets. With the
// real driver fyne.Do already runs everything on one goroutine and uiMu is
// never contended; Fyne's test driver runs fyne.Do on the caller's
// goroutine, so uiMu is what keeps headless tests serial - across UIs too,
// as Fyne's font caches are shared.
var uiMu sync.Mutex

// do applies a background result on the UI goroutine.
func (u *UI) do(fn func()) {
	fyne.Do(func() {
		uiMu.Lock()
		defer uiMu.Unlock()
		fn()
	})
}

// New builds the main window's content over the store.
func New(a fyne.App, w fyne.Window, store *data.Store) *UI {
	u := &UI{app: a, window: w, store: store, current: -1}
	u.screens = make([]screen, len(sections))
	u.body = container.NewStack()
	u.sidebar = widget.NewList(
		func() int { return len(sections) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.HomeIcon()), widget.NewLabel("Campaigns"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Icon).SetResource(sections[id].icon())
			row.Objects[1].(*widget.Label).SetText(sections[id].title)
		})
	u.sidebar.OnSelected = u.onSectionSelected
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		u.Show("Patients")
		if p, ok := u.screens[1].(*patientsScreen); ok {
			w.Canvas().Focus(p.search)
		}
	})
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		u.Show("Patients")
		if p, ok := u.screens[1].(*patientsScreen); ok {
			p.onNewPatient()
		}
	})
	return u
}

// Start shows the first screen and starts loading it: Today (with the
// welcome) on a new database, else the patients.
func (u *UI) Start() {
	first := 1
	if n, err := u.store.CountPatients(context.Background(), data.PatientQuery{IncludeArchived: true}); err == nil && n == 0 {
		first = 0
	}
	u.sidebar.Select(first)
	ctx, stop := context.WithCancel(context.Background())
	u.stop = stop
	u.stopped.Add(2)
	go u.backUpDaily(ctx)
	go u.resumeSending(ctx)
}

// resumeSending picks up a run Kindly was in the middle of sending when it
// was closed (or died): the campaign is still "sending" and has emails
// queued. A run the practice paused waits for them.
func (u *UI) resumeSending(ctx context.Context) {
	defer u.stopped.Done()
	cs, err := u.store.Campaigns(ctx)
	if err != nil {
		return
	}
	for _, c := range cs {
		if c.Status != "sending" {
			continue
		}
		if occ, err := u.store.UnfinishedOccurrence(ctx, c.ID); err != nil || occ == "" {
			continue
		}
		u.do(func() {
			if ctx.Err() != nil {
				return
			}
			s := u.screen("Campaigns").(*campaignsScreen)
			s.start(c)
			s.status.SetText("Resuming " + c.Name + ", which was being sent when Kindly closed…")
		})
		return // one run at a time; the next waits for its Send
	}
}

// screen returns a section's screen, making it on first use.
func (u *UI) screen(title string) screen { return u.screenAt(sectionIndex(title)) }

// screenAt returns the screen of section i, making it on first use.
func (u *UI) screenAt(i int) screen {
	if u.screens[i] == nil {
		u.screens[i] = sections[i].make(u)
	}
	return u.screens[i]
}

// sectionIndex is the sidebar position of the section with this title.
func sectionIndex(title string) int {
	for i, s := range sections {
		if s.title == title {
			return i
		}
	}
	panic("no section " + title)
}

// Close ends the background work and waits for it.
func (u *UI) Close() {
	if u.stop != nil {
		u.stop()
		u.stopped.Wait()
	}
}

// backUpDaily takes the daily backup while the window is open: at start,
// then it checks each hour whether a day has passed.
func (u *UI) backUpDaily(ctx context.Context) {
	defer u.stopped.Done()
	hourly := time.NewTicker(time.Hour)
	defer hourly.Stop()
	for {
		if _, err := u.store.DailyBackup(ctx); err != nil && ctx.Err() == nil {
			u.do(func() { u.showError(fmt.Errorf("the daily backup failed: %w", err)) })
		}
		select {
		case <-ctx.Done():
			return
		case <-hourly.C:
		}
	}
}

// Content is the window's whole content.
func (u *UI) Content() fyne.CanvasObject {
	split := container.NewHSplit(u.sidebar, u.body)
	split.SetOffset(0.16)
	return split
}

// Show switches to the screen with this title.
func (u *UI) Show(title string) { u.sidebar.Select(sectionIndex(title)) }

func (u *UI) onSectionSelected(id widget.ListItemID) {
	if id == u.current {
		return
	}
	u.current = id
	sc := u.screenAt(id)
	u.body.Objects = []fyne.CanvasObject{sc.content()}
	u.body.Refresh()
	sc.refresh()
}
