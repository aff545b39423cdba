package app

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/workflow"
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
	open  func(*UI) screen // the section's screen
}

// sections is filled in init: the screens refer back to it, which a
// package-level initializer may not.
var sections []section

func init() {
	sections = []section{
		{"Today", theme.HomeIcon, func(u *UI) screen { return u.today }},
		{"Patients", theme.AccountIcon, func(u *UI) screen { return u.patients }},
		{"Segments", theme.ListIcon, func(u *UI) screen { return u.segments }},
		{"Templates", theme.DocumentIcon, func(u *UI) screen { return u.templates }},
		{"Calendar", theme.CalendarIcon, func(u *UI) screen { return u.calendar }},
		{"Campaigns", theme.MailSendIcon, func(u *UI) screen { return u.campaigns }},
		{"Reports", theme.GridIcon, func(u *UI) screen { return u.reports }},
		{"Settings", theme.SettingsIcon, func(u *UI) screen { return u.settings }},
	}
}

// UI is the main window's state: the sidebar, the screens and the
// background work they started.
type UI struct {
	app     fyne.App
	window  fyne.Window
	work    *workflow.Workflow
	body    *fyne.Container
	sidebar *widget.List
	current int

	// The screens, one per section.
	today     *todayScreen
	patients  *patientsScreen
	segments  *segmentsScreen
	templates *templatesScreen
	calendar  *calendarScreen
	campaigns *campaignsScreen
	reports   *reportsScreen
	settings  *settingsScreen
	inbox     inboxState
	notice    *noticeBar
	dates     dateStyle // how the practice writes dates
	// tray is the icon beside the clock (nil where there is none); quit and
	// hideWindow close Kindly and hide its window (the tests watch them).
	tray             *tray
	quit, hideWindow func()
	// updateFeed is the releases feed asked for a newer Kindly ("" asks
	// none: the tests' windows).
	updateFeed string
	datesRead  int // how often dates were read again (tests wait for it)

	// ctx ends when the window closes (cause workflow.ErrInterrupted);
	// running holds the background work Close waits for.
	ctx     context.Context
	stop    context.CancelCauseFunc
	running sync.WaitGroup
	// post runs a function on the UI goroutine: fyne.Do, or the test's queue.
	post func(func())
}

// New builds the main window's content over the practice's workflow.
func New(a fyne.App, w fyne.Window, work *workflow.Workflow) *UI {
	u := &UI{app: a, window: w, work: work, current: -1, post: fyne.Do, quit: a.Quit, hideWindow: w.Hide}
	u.ctx, u.stop = context.WithCancelCause(context.Background())
	// Read before the window shows (the UI goroutine has no work yet);
	// Settings reads it again in the background after a save.
	u.dates = dateStyle{loc: time.Local}
	if d, err := work.Dates(u.ctx); err == nil {
		u.dates = styleOf(d)
	}
	// Screens are cheap to make: their data loads when they are first shown.
	u.today, u.patients, u.segments, u.templates = newTodayScreen(u), newPatientsScreen(u), newSegmentsScreen(u), newTemplatesScreen(u)
	u.calendar, u.campaigns, u.reports, u.settings = newCalendarScreen(u), newCampaignsScreen(u), newReportsScreen(u), newSettingsScreen(u)
	u.notice = newNoticeBar(u)
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
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			u.closeTopDialog()
		}
	})
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		u.Show("Patients")
		w.Canvas().Focus(u.patients.search)
	})
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		u.Show("Patients")
		u.patients.onNewPatient()
	})
	return u
}

// Start shows the first screen - Today (with the welcome) on a new
// database, else the patients - and starts the background work: the daily
// backup, and a run that was being sent when Kindly closed.
func (u *UI) Start() {
	first := "Patients"
	if n, err := u.work.CountPatients(u.ctx, data.PatientQuery{IncludeArchived: true}); err == nil && n == 0 {
		first = "Today"
	}
	u.Show(first)
	if r := u.work.LastRestore(); r != nil { // what the restore asked for at the last start did
		title := "Backup restored"
		if r.Err != nil {
			title = "The backup was not restored"
		}
		d := dialog.NewInformation(title, r.Summary(), u.window)
		d.Resize(dialogSize(u.window, 620, 240))
		d.Show()
	}
	u.running.Add(1)
	go u.backUpDaily()
	u.running.Add(1)
	go u.checkInboxPeriodically()
	u.running.Add(1)
	go u.checkForUpdates(u.updateFeed)
	if u.work.OnServer() {
		u.running.Add(1)
		go u.watchOtherComputers(othersEvery)
	}
	background(u, u.work.Interrupted, u.onInterruptedRuns)
}

// onInterruptedRuns goes on sending a run Kindly was in the middle of when
// it was closed (or died). One run at a time: the next waits for its Send.
func (u *UI) onInterruptedRuns(names []string, err error) {
	if err != nil || len(names) == 0 {
		return
	}
	u.campaigns.resume(names[0])
}

// Close ends the background work and waits for it. A run being sent stays
// "sending" and goes on when the window opens again.
func (u *UI) Close() {
	u.stop(workflow.ErrInterrupted)
	u.running.Wait()
}

// backUpDaily takes the daily backup while the window is open: at start,
// then it checks each hour whether a day has passed.
func (u *UI) backUpDaily() {
	defer u.running.Done()
	hourly := time.NewTicker(time.Hour)
	defer hourly.Stop()
	for {
		if _, err := u.work.DailyBackup(u.ctx); err != nil && u.ctx.Err() == nil {
			u.do(func() { u.showError(fmt.Errorf("the daily backup failed: %w", err)) })
		}
		select {
		case <-u.ctx.Done():
			return
		case <-hourly.C:
		}
	}
}

// othersEvery is how often a window on the practice server looks for what
// the other computers changed.
const othersEvery = 5 * time.Second

// watchOtherComputers refreshes the screen shown when the practice's lists
// changed (on another computer, or by this one's own work): the window
// shows what the front desk just saved, without a restart.
func (u *UI) watchOtherComputers(every time.Duration) {
	defer u.running.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	last := ""
	for {
		mark, err := u.work.ChangeMark(u.ctx)
		if err == nil && last != "" && mark != last {
			u.do(func() {
				if u.current >= 0 {
					sections[u.current].open(u).refresh()
				}
			})
		}
		if err == nil {
			last = mark
		}
		select {
		case <-u.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// refreshShown refreshes a screen when it is the one shown (a hidden one
// reads what it shows when it is next shown).
func (u *UI) refreshShown(sc screen) {
	if u.current >= 0 && sections[u.current].open(u) == sc {
		sc.refresh()
	}
}

// closeTopDialog closes the dialog on top, as Escape does: like its
// Cancel or Close button, it does nothing else.
func (u *UI) closeTopDialog() bool {
	top := u.window.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	top.Hide()
	return true
}

// Content is the window's whole content.
func (u *UI) Content() fyne.CanvasObject {
	split := container.NewHSplit(u.sidebar, u.body)
	split.SetOffset(0.16)
	u.notice.root = container.NewBorder(nil, u.notice.box, nil, nil, split)
	return u.notice.root
}

// Show switches to the screen of the section with this title.
func (u *UI) Show(title string) {
	for i, s := range sections {
		if s.title == title {
			u.sidebar.Select(i)
			return
		}
	}
	panic("no section " + title)
}

func (u *UI) onSectionSelected(id widget.ListItemID) {
	if id == u.current {
		return
	}
	u.current = id
	sc := sections[id].open(u)
	u.body.Objects = []fyne.CanvasObject{sc.content()}
	u.body.Refresh()
	sc.refresh()
}

// escEntry is a text field in a dialog where Escape closes the dialog, as
// it does when no field has the focus (a focused field gets every key).
type escEntry struct {
	fitEntry
	u *UI
}

func newEscEntry(u *UI) *escEntry {
	e := &escEntry{u: u}
	e.ExtendBaseWidget(e)
	return e
}

// fitEntry is a field that lets the mouse wheel through to the form while
// its text fits (fit).
type fitEntry struct {
	widget.Entry
	wrap      fyne.TextWrap // the field's own wrapping, used while its text does not fit
	wrapKnown bool
	rows      int // the lines a multi-line field shows, scroller or not
}

// SetMinRowsVisible keeps a multi-line field that tall, also while its
// text fits and it has no scroller.
func (e *fitEntry) SetMinRowsVisible(rows int) {
	e.rows = rows
	e.Entry.SetMinRowsVisible(rows)
}

// MinSize is the entry's, at least its rows tall.
func (e *fitEntry) MinSize() fyne.Size {
	m := e.Entry.MinSize()
	if e.MultiLine && e.rows > 0 {
		th := e.Theme()
		line := fyne.MeasureText("M", th.Size(theme.SizeNameText), e.TextStyle).Height
		h := float32(e.rows)*line + float32(e.rows-1)*th.Size(theme.SizeNameLineSpacing) + 2*th.Size(theme.SizeNameInnerPadding)
		m.Height = max(m.Height, h)
	}
	return m
}

func newFitEntry() *fitEntry {
	e := &fitEntry{}
	e.ExtendBaseWidget(e)
	return e
}

func (e *escEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		e.u.closeTopDialog()
		return
	}
	e.fitEntry.TypedKey(k)
}

// TypedKey is a key: the text may no longer fit.
func (e *fitEntry) TypedKey(k *fyne.KeyEvent) { e.Entry.TypedKey(k); e.fit() }

// A one-line field scrolls its text only when the text is longer than
// the field: Fyne's entry keeps a scroller of its own that takes the mouse
// wheel even with nothing to scroll, so a form stopped scrolling wherever
// a field was under the pointer (fyne-io/fyne#1939). While the text fits,
// the field has no scroller and the wheel reaches the form.

// TypedRune is typing: the text may no longer fit.
func (e *fitEntry) TypedRune(r rune) { e.Entry.TypedRune(r); e.fit() }

// TypedShortcut is a paste or a cut.
func (e *fitEntry) TypedShortcut(s fyne.Shortcut) { e.Entry.TypedShortcut(s); e.fit() }

// SetText sets the text, and whether the field scrolls it.
func (e *fitEntry) SetText(text string) { e.Entry.SetText(text); e.fit() }

// Resize lays the field out, and decides whether it scrolls its text.
func (e *fitEntry) Resize(size fyne.Size) { e.Entry.Resize(size); e.fit() }

// fit gives a field a scroller only when its text does not fit in it: a
// line wider than it (with room for the validation icon), or more lines
// than it shows. While it fits, the text is laid out as it is (each line
// fits, so nothing would wrap) and the field has no scroller.
func (e *fitEntry) fit() {
	if e.Size().Width == 0 {
		return
	}
	if !e.wrapKnown { // the field's own wrapping, for when the text no longer fits
		e.wrap, e.wrapKnown = e.Wrapping, true
	}
	th := e.Theme()
	text := e.Text
	if e.Password {
		text = strings.Repeat("•", len([]rune(text)))
	}
	pad, size := th.Size(theme.SizeNameInnerPadding), th.Size(theme.SizeNameText)
	room := e.Size().Width - 2*pad - th.Size(theme.SizeNameInlineIcon) - 2*th.Size(theme.SizeNamePadding)
	lines := strings.Split(text, "\n")
	fits := e.MultiLine || len(lines) == 1
	height := -th.Size(theme.SizeNameLineSpacing)
	for _, l := range lines {
		m := fyne.MeasureText(l, size, e.TextStyle)
		fits = fits && m.Width <= room
		height += m.Height + th.Size(theme.SizeNameLineSpacing)
	}
	fits = fits && (!e.MultiLine || height <= e.Size().Height-2*pad+1)
	wrap, scroll := e.wrap, fyne.ScrollBoth
	if fits {
		wrap, scroll = fyne.TextWrapOff, fyne.ScrollNone
	}
	if e.Wrapping != wrap || e.Scroll != scroll {
		e.Wrapping, e.Scroll = wrap, scroll
		e.Refresh()
	}
}
