package app

import (
	"time"

	"kindly/data"
)

// dateStyle is the practice's way of writing dates, one format everywhere
// in the window: "14 Mar 1958" where the day comes first, "Mar 14, 1958"
// in the United States (from the practice's time zone, as the importer
// and the patient form read dates).
type dateStyle struct {
	dayFirst bool
	loc      *time.Location
}

// loadDateStyle reads the practice's time zone; Settings calls it again
// after a save.
func (u *UI) loadDateStyle() {
	u.dates = dateStyle{loc: time.Local}
	if loc, err := u.store.Location(); err == nil {
		u.dates = dateStyle{dayFirst: data.DayFirst(loc.String()), loc: loc}
	}
}

// day writes a date; "" for none.
func (d dateStyle) day(x data.Date) string {
	if x.IsZero() {
		return ""
	}
	return d.format(x.Time(time.UTC), false)
}

// at writes a moment in the practice's time zone, to the minute.
func (d dateStyle) at(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if d.loc != nil {
		t = t.In(d.loc)
	}
	return d.format(t, true)
}

func (d dateStyle) format(t time.Time, clock bool) string {
	layout := "Jan 2, 2006"
	if d.dayFirst {
		layout = "2 Jan 2006"
	}
	if clock {
		layout += " 15:04"
	}
	return t.Format(layout)
}
