package app

import (
	"time"

	"kindly/data"
	"kindly/workflow"
)

// dateStyle is the practice's way of writing dates, one format everywhere
// in the window: "14 Mar 1958" where the day comes first, "Mar 14, 1958"
// in the United States (from the practice's time zone, as the importer
// and the patient form read dates).
type dateStyle struct {
	dayFirst bool
	loc      *time.Location
}

// styleOf is the practice's way of writing dates.
func styleOf(d workflow.Dates) dateStyle { return dateStyle{dayFirst: d.DayFirst, loc: d.Location} }

// loadDateStyle reads the practice's time zone again in the background
// (Settings does after a save) and shows the current screen with it.
func (u *UI) loadDateStyle() {
	background(u, u.work.Dates, func(d workflow.Dates, err error) {
		if err != nil {
			return
		}
		u.dates = styleOf(d)
		u.datesRead++
		if u.current >= 0 {
			sections[u.current].open(u).refresh()
		}
	})
}

// today is today's date in the practice's time zone.
func (u *UI) todayDate() data.Date { return data.DateOf(u.work.Now().In(u.dates.loc)) }

// day writes a date; "" for none (workflow.Dates.Day: one format everywhere).
func (d dateStyle) day(x data.Date) string { return d.dates().Day(x) }

// at writes a moment in the practice's time zone, to the minute.
func (d dateStyle) at(t time.Time) string { return d.dates().At(t) }

func (d dateStyle) dates() workflow.Dates {
	return workflow.Dates{Location: d.loc, DayFirst: d.dayFirst}
}
