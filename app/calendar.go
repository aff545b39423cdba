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
	today := u.todayDate()
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
			s.show(from, plan)
		})
}

func (s *calendarScreen) show(month data.Date, plan workflow.CalendarPlan) {
	days := plan.Days
	sent := map[data.Date][]data.DaySent{}
	for _, d := range plan.Sent {
		sent[d.Day] = append(sent[d.Day], d)
	}
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
		isToday := d.Day == plan.Today
		dayLabel := widget.NewLabel(fmt.Sprint(d.Day.Day))
		if isToday {
			dayLabel = widget.NewLabelWithStyle(fmt.Sprintf("%d · today", d.Day.Day), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			dayLabel.Importance = widget.HighImportance
		}
		cell := container.NewVBox(dayLabel)
		for _, x := range sent[d.Day] { // what went out that day
			name := x.Campaign
			cell.Add(cellButton(fmt.Sprintf("✓ %s · %d sent", x.Campaign, x.Sent), widget.LowImportance, func() { s.ui.openCampaign(name) }))
		}
		if plan.Today.Before(d.Day) || isToday {
			for _, e := range d.Entries {
				if e.Audience == 0 {
					continue
				}
				name := e.Campaign
				imp := widget.MediumImportance
				if d.Left > 0 {
					imp = widget.DangerImportance
				}
				cell.Add(cellButton(fmt.Sprintf("%s · %d", e.Campaign, e.Audience), imp, func() { s.ui.openCampaign(name) }))
			}
		}
		bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
		if isToday {
			bg.StrokeColor, bg.StrokeWidth = theme.Color(theme.ColorNamePrimary), 2
		}
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

// cellButton is a button whose text wraps to the width of a calendar day
// (a plain button would widen the day, and the whole grid with it): the
// label lies over an empty button, which takes the taps.
func cellButton(text string, imp widget.Importance, tap func()) *fyne.Container {
	b := widget.NewButton("", tap)
	b.Importance = imp
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.TextStyle.Bold = imp != widget.LowImportance
	if imp == widget.DangerImportance {
		l.Importance = widget.DangerImportance
	}
	return container.NewStack(b, l)
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
			l := widget.NewLabel(fmt.Sprintf("%s · %d", e.Campaign, e.Audience))
			l.Truncation = fyne.TextTruncateEllipsis // the sidebar keeps its width
			cell.Add(l)
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
