package app

import (
	"context"
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
)

// closedDaysDialog lists the practice's closed days of a year, to close a
// day, open one again, or fill in the country's public holidays.
type closedDaysDialog struct {
	u         *UI
	year      int
	days      []data.ClosedDay
	chosen    int
	list      *widget.List
	status    *widget.Label
	yearLabel *widget.Label
	day, name *fitEntry
}

// onClosedDays opens the closed days of this year.
func (s *settingsScreen) onClosedDays() {
	u := s.ui
	c := &closedDaysDialog{u: u, year: u.todayDate().Year, chosen: -1, status: wrapped(""), day: hinted("YYYY-MM-DD"), name: hinted("e.g. Staff training")}
	c.list = widget.NewList(func() int { return len(c.days) },
		func() fyne.CanvasObject {
			return widget.NewLabel("Wednesday 31 December 2026  Staff training (public holiday)")
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			d := c.days[i]
			text := u.dates.day(d.Day) + "  " + d.Name
			if d.Public {
				text += " (public holiday)"
			}
			o.(*widget.Label).SetText(text)
			o.(*widget.Label).Truncation = fyne.TextTruncateEllipsis
		})
	c.list.OnSelected = func(i widget.ListItemID) { c.chosen = i }
	c.yearLabel = widget.NewLabelWithStyle(strconv.Itoa(c.year), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { c.year--; c.load() })
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { c.year++; c.load() })
	top := container.NewVBox(wrapped("No email goes out on a closed day; a yearly or birthday email that falls on one goes on the next open day."),
		container.NewHBox(prev, c.yearLabel, next, widget.NewButton("Add public holidays", c.onHolidays)))
	bottom := container.NewVBox(container.NewBorder(nil, nil, nil, widget.NewButton("Close that day", c.onClose), container.NewGridWithColumns(2, c.day, c.name)),
		container.NewHBox(widget.NewButton("Open again", c.onOpen)), c.status)
	dlg := dialog.NewCustom("Closed days", "Close", container.NewBorder(top, bottom, nil, nil, c.list), u.window)
	dlg.Resize(dialogSize(u.window, 620, 560))
	dlg.Show()
	c.load()
}

// load reads the year's closed days.
func (c *closedDaysDialog) load() {
	c.yearLabel.SetText(strconv.Itoa(c.year))
	from, to := data.Date{Year: c.year, Month: 1, Day: 1}, data.Date{Year: c.year, Month: 12, Day: 31}
	background(c.u, func(ctx context.Context) ([]data.ClosedDay, error) { return c.u.work.ClosedDays(ctx, from, to) },
		func(ds []data.ClosedDay, err error) {
			if err != nil {
				c.status.SetText(errorText(err))
				return
			}
			c.days, c.chosen = ds, -1
			c.list.UnselectAll()
			c.list.Refresh()
			if len(ds) == 0 {
				c.status.SetText("No closed days in " + strconv.Itoa(c.year) + " yet.")
			}
		})
}

// done says what a change did, or why it failed, and reads the list again.
func (c *closedDaysDialog) done(what string, err error) {
	if err != nil {
		c.status.SetText(errorText(err))
		return
	}
	c.status.SetText(what)
	c.load()
}

func (c *closedDaysDialog) onClose() {
	u := c.u
	d, err := data.ReadDate(c.day.Text, u.dates.dayFirst, u.todayDate())
	if err == nil && d.IsZero() {
		err = fmt.Errorf("enter the day")
	}
	if err != nil {
		c.status.SetText(errorText(err))
		return
	}
	n := c.name.Text
	background(u, func(ctx context.Context) (none, error) { return none{}, u.work.CloseDay(ctx, d, n) }, func(_ none, err error) {
		if err == nil {
			c.day.SetText("")
			c.name.SetText("")
			c.year = d.Year // the year of the day just closed
		}
		c.done("Closed on "+u.dates.day(d)+".", err)
	})
}

func (c *closedDaysDialog) onOpen() {
	if c.chosen < 0 || c.chosen >= len(c.days) {
		c.status.SetText("Choose a closed day in the list first.")
		return
	}
	d := c.days[c.chosen].Day
	background(c.u, func(ctx context.Context) (none, error) { return none{}, c.u.work.OpenDay(ctx, d) }, func(_ none, err error) {
		c.done("Open again on "+c.u.dates.day(d)+".", err)
	})
}

func (c *closedDaysDialog) onHolidays() {
	y := c.year
	background(c.u, func(ctx context.Context) (int, error) { return c.u.work.AddPublicHolidays(ctx, y) }, func(n int, err error) {
		c.done(fmt.Sprintf("%s of %d added.", data.Count(n, "public holiday", "public holidays"), y), err)
	})
}
