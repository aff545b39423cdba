package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/mailer"
)

// calendarScreen shows a month with each day's occurrences, audiences and
// whether the mailbox can carry them; tapping a campaign opens it.
type calendarScreen struct {
	ui    *UI
	month data.Date // first day of the month shown
	title *widget.Label
	grid  *fyne.Container
	notes *widget.Label
	box   fyne.CanvasObject
}

func newCalendarScreen(u *UI) *calendarScreen {
	s := &calendarScreen{ui: u}
	today, _ := u.store.Today()
	s.month = data.Date{Year: today.Year, Month: today.Month, Day: 1}
	s.title = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	s.grid = container.NewGridWithColumns(7)
	s.notes = widget.NewLabel("")
	s.notes.Wrapping = fyne.TextWrapWord
	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { s.month = s.month.AddMonths(-1); s.refresh() })
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { s.month = s.month.AddMonths(1); s.refresh() })
	weekdays := container.NewGridWithColumns(7)
	for _, name := range []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"} {
		weekdays.Add(widget.NewLabelWithStyle(name, fyne.TextAlignCenter, fyne.TextStyle{Bold: true}))
	}
	s.box = container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, prev, next, s.title), weekdays), s.notes, nil, nil, s.grid)
	return s
}

func (s *calendarScreen) content() fyne.CanvasObject { return s.box }

func (s *calendarScreen) refresh() {
	from := s.month
	to := from.AddMonths(1).AddDays(-1)
	go func() {
		ctx := context.Background()
		entries, err := s.ui.store.Calendar(ctx, from, to)
		capa := data.Capacity{}
		if st, err := mailer.LoadSettings(s.ui.store); err == nil {
			capa.PerDay, capa.PerMinute = st.PerDay, st.PerMinute
		}
		days := data.PlanCapacity(entries, from, to, capa)
		s.ui.do(func() {
			if err != nil {
				s.notes.SetText("Cannot plan the calendar: " + errorText(err))
				return
			}
			s.show(days)
		})
	}()
}

func (s *calendarScreen) show(days []data.DayPlan) {
	s.title.SetText(fmt.Sprintf("%s %d", s.month.Month, s.month.Year))
	s.grid.RemoveAll()
	lead := (int(s.month.Time(time.UTC).Weekday()) + 6) % 7 // Monday first
	for i := 0; i < lead; i++ {
		s.grid.Add(widget.NewLabel(""))
	}
	var overflow []string
	for _, d := range days {
		cell := container.NewVBox(widget.NewLabel(fmt.Sprint(d.Day.Day)))
		for _, e := range d.Entries {
			if e.Audience == 0 {
				continue
			}
			b := widget.NewButton(fmt.Sprintf("%s %d", e.Campaign, e.Audience), func() { s.ui.Show("Campaigns") })
			if d.Left > 0 {
				b.Importance = widget.DangerImportance
			}
			cell.Add(b)
		}
		bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
		s.grid.Add(container.NewStack(bg, cell))
		if d.Left > 0 && d.Planned > 0 {
			overflow = append(overflow, d.Verdict)
		}
	}
	if len(overflow) == 0 {
		s.notes.SetText("Every day this month fits the mailbox's daily limit.")
	} else {
		s.notes.SetText(strings.Join(overflow, "\n"))
	}
	s.grid.Refresh()
}
