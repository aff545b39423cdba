package app

import (
	"context"
	"fmt"
	"hash/fnv"
	"image/color"
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
		cell := container.NewVBox(dayLabel(d.Day, isToday, plan.Closed))
		for _, x := range sent[d.Day] { // what went out that day
			name := x.Campaign
			cell.Add(campaignChip(name, x.Campaign, fmt.Sprintf("%d sent", x.Sent), widget.LowImportance, func() { s.ui.openCampaign(name) }))
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
				cell.Add(campaignChip(name, e.Campaign, workflow.EntryText(e), imp, func() { s.ui.openCampaign(name) }))
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

// dayLabel is a day's number in the month, with "today" or why the
// practice is closed.
func dayLabel(day data.Date, isToday bool, closed data.Closed) *widget.Label {
	if why, ok := closed[day]; ok {
		l := widget.NewLabel(fmt.Sprintf("%d · closed", day.Day))
		if why != "" {
			l.SetText(fmt.Sprintf("%d · %s", day.Day, why))
		}
		l.Truncation = fyne.TextTruncateEllipsis
		l.Importance = widget.LowImportance
		return l
	}
	if isToday {
		l := widget.NewLabelWithStyle(fmt.Sprintf("%d · today", day.Day), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Importance = widget.HighImportance
		return l
	}
	return widget.NewLabel(fmt.Sprint(day.Day))
}

// campaignColors tell campaigns apart on the calendar: Okabe and Ito's
// palette, which people with a colour vision deficiency tell apart too.
var campaignColors = []color.NRGBA{
	{0xE6, 0x9F, 0x00, 0xff}, {0x56, 0xB4, 0xE9, 0xff}, {0x00, 0x9E, 0x73, 0xff}, {0xF0, 0xE4, 0x42, 0xff},
	{0x00, 0x72, 0xB2, 0xff}, {0xD5, 0x5E, 0x00, 0xff}, {0xCC, 0x79, 0xA7, 0xff}, {0x99, 0x99, 0x99, 0xff},
}

// campaignColor is a campaign's colour, the same on every day and month.
func campaignColor(name string) color.Color {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(name)))
	return campaignColors[h.Sum32()%uint32(len(campaignColors))]
}

// campaignChip is a campaign's entry on a day: its colour, its name (cut
// with an ellipsis to the day's width), how many, and a tap that opens the
// campaign's page.
func campaignChip(campaign, title, count string, imp widget.Importance, tap func()) *fyne.Container {
	bar := canvas.NewRectangle(campaignColor(campaign))
	bar.SetMinSize(fyne.NewSize(5, 1))
	b := widget.NewButton("", tap)
	b.Importance = imp
	name := widget.NewLabel(title)
	name.Truncation = fyne.TextTruncateEllipsis
	name.TextStyle.Bold = imp != widget.LowImportance
	n := widget.NewLabel(count)
	n.SizeName = theme.SizeNameCaptionText
	if imp == widget.DangerImportance {
		name.Importance, n.Importance = widget.DangerImportance, widget.DangerImportance
	}
	lines := container.New(&tightRows{}, name, n)
	return container.NewBorder(nil, nil, bar, nil, container.NewStack(b, lines))
}

// tightRows stacks its objects with no gap and at most their own height:
// two short lines in a calendar day.
type tightRows struct{}

func (*tightRows) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height - theme.Padding()
	}
	return s
}

func (*tightRows) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		h := o.MinSize().Height - theme.Padding()
		o.Move(fyne.NewPos(0, y-theme.Padding()/2))
		o.Resize(fyne.NewSize(size.Width, h+theme.Padding()))
		y += h
	}
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
