package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/workflow"
)

// calendarScreen shows a month with each day's occurrences, audiences and
// whether the mailbox can carry them; tapping a campaign opens it.
type calendarScreen struct {
	ui       *UI
	year     bool      // the year view instead of the month
	month    data.Date // first day of the month shown
	title    *widget.Label
	grid     *fyne.Container
	weekdays *fyne.Container
	view     *widget.RadioGroup
	notes    *widget.Label
	loading  task // the month or year shown: a late result of an earlier one is dropped
	box      fyne.CanvasObject
}

func newCalendarScreen(u *UI) *calendarScreen {
	s := &calendarScreen{ui: u}
	today, _ := u.store.Today()
	s.month = data.Date{Year: today.Year, Month: today.Month, Day: 1}
	s.title = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	s.grid = container.NewGridWithColumns(7)
	s.notes = widget.NewLabel("")
	s.notes.Wrapping = fyne.TextWrapWord
	step := func(n int) {
		if s.year {
			n *= 12
		}
		s.month = s.month.AddMonths(n)
		s.refresh()
	}
	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { step(-1) })
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { step(1) })
	view := widget.NewRadioGroup([]string{"Month", "Year"}, nil)
	view.Horizontal = true
	view.SetSelected("Month")
	view.OnChanged = func(v string) { s.year = v == "Year"; s.refresh() }
	s.view = view
	weekdays := container.NewGridWithColumns(7)
	for _, name := range []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"} {
		weekdays.Add(widget.NewLabelWithStyle(name, fyne.TextAlignCenter, fyne.TextStyle{Bold: true}))
	}
	s.weekdays = weekdays
	s.box = container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, container.NewHBox(prev, view), next, s.title), weekdays), s.notes, nil, nil, s.grid)
	return s
}

func (s *calendarScreen) content() fyne.CanvasObject { return s.box }

func (s *calendarScreen) refresh() {
	if s.year {
		s.refreshYear()
		return
	}
	from := s.month
	to := from.AddMonths(1).AddDays(-1)
	restart(s.ui, &s.loading, func(ctx context.Context) (workflow.CalendarPlan, error) { return s.ui.work.Calendar(ctx, from, to) },
		func(plan workflow.CalendarPlan, err error) {
			if err != nil {
				s.notes.SetText("Cannot plan the calendar: " + errorText(err))
				return
			}
			s.show(from, plan.Days)
		})
}

func (s *calendarScreen) show(month data.Date, days []data.DayPlan) {
	s.title.SetText(fmt.Sprintf("%s %d", month.Month, month.Year))
	s.weekdays.Show()
	s.grid.Layout = layout.NewGridLayoutWithColumns(7)
	s.grid.RemoveAll()
	lead := (int(month.Time(time.UTC).Weekday()) + 6) % 7 // Monday first
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
			name := e.Campaign
			b := widget.NewButton(fmt.Sprintf("%s %d", e.Campaign, e.Audience), func() { s.ui.openCampaign(name) })
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
	s.box.Refresh() // the weekday row may have come back
}

// yearPlan is a year's months and the mailbox's daily limit.
type yearPlan struct {
	months []data.MonthPlan
	perDay int
}

// refreshYear shows the twelve months with each campaign's emails.
func (s *calendarScreen) refreshYear() {
	year := s.month.Year
	restart(s.ui, &s.loading, func(ctx context.Context) (yearPlan, error) {
		months, perDay, err := s.ui.work.CalendarYear(ctx, year)
		return yearPlan{months, perDay}, err
	}, func(yp yearPlan, err error) {
		if err != nil {
			s.notes.SetText("Cannot plan the year: " + errorText(err))
			return
		}
		s.showYear(year, yp)
	})
}

func (s *calendarScreen) showYear(year int, yp yearPlan) {
	s.title.SetText(fmt.Sprint(year))
	s.weekdays.Hide()
	s.grid.Layout = layout.NewGridLayoutWithColumns(4)
	s.grid.RemoveAll()
	busiest := ""
	for _, m := range yp.months {
		m := m
		cell := container.NewVBox(widget.NewLabelWithStyle(m.Month.Month.String(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, e := range m.Entries {
			cell.Add(widget.NewLabel(fmt.Sprintf("%s: %d", e.Campaign, e.Audience)))
		}
		if len(m.Entries) == 0 {
			cell.Add(widget.NewLabel("-"))
		}
		open := widget.NewButton("Open month", func() { s.month = m.Month; s.view.SetSelected("Month") })
		bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
		s.grid.Add(container.NewStack(bg, container.NewBorder(nil, open, nil, nil, cell)))
		if yp.perDay > 0 && m.Total > yp.perDay && busiest == "" {
			busiest = fmt.Sprintf("%s plans %d emails: more than one day's limit (%d), spread over several days.", m.Month.Month, m.Total, yp.perDay)
		}
	}
	s.notes.SetText(orText(busiest, "Birthday and recall campaigns are counted per month."))
	s.box.Refresh() // the weekday row went away
}
