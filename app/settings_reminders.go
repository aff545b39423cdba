package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
)

// countryNames are the countries whose public holidays Kindly knows.
var countryNames = map[string]string{"AT": "Austria", "BE": "Belgium", "CA": "Canada", "CH": "Switzerland", "DE": "Germany",
	"ES": "Spain", "FR": "France", "GB": "United Kingdom", "IE": "Ireland", "IT": "Italy", "NL": "Netherlands", "US": "United States"}

// fromZone is the country choice that follows the time zone.
const fromZone = "From the time zone"

func countryOptions() [][2]string {
	out := [][2]string{{"", fromZone}}
	for _, c := range data.Countries() {
		out = append(out, [2]string{c, countryNames[c] + " (" + c + ")"})
	}
	return out
}

var careOptInOptions = [][2]string{{data.CareOptInByCountry, "By the country's law (DE, AT: yes)"},
	{data.CareOptInYes, "Yes, always"}, {data.CareOptInNo, "No, opt-outs only"}}

// remindersForm is how reminders run: the country (public holidays, the
// law on consent), whether care reminders need consent, how late a missed
// birthday or recall email may go, what an opt-out from a shared address
// means, and the closed days.
func (s *settingsScreen) remindersForm() fyne.CanvasObject {
	s.country = widget.NewSelect(labels(countryOptions()), nil)
	s.careOptIn = widget.NewSelect(labels(careOptInOptions), nil)
	s.catchUp = hinted("e.g. 7")
	s.optOutAll = widget.NewCheck("An opt-out from an address several patients share opts out all of them", nil)
	closed := widget.NewButton("Closed days…", s.onClosedDays)
	return container.NewVBox(widget.NewForm(widget.NewFormItem("Country", s.country),
		widget.NewFormItem("Care reminders need consent", s.careOptIn),
		widget.NewFormItem("Missed emails: days late", s.catchUp)), s.optOutAll, container.NewHBox(closed))
}

// showReminders fills the reminder settings as saved.
func (s *settingsScreen) showReminders(st data.Settings) {
	s.country.SetSelected(labelOf(countryOptions(), st.Recalls.Country))
	s.careOptIn.SetSelected(labelOf(careOptInOptions, st.Recalls.CareOptIn))
	s.catchUp.SetText(strconv.Itoa(st.Recalls.CatchUpDays))
	s.optOutAll.SetChecked(st.Recalls.OptOutWholeAddress)
}

// readReminders lays the reminder settings as typed over st.
func (s *settingsScreen) readReminders(st *data.Settings) error {
	st.Recalls.Country = valueOf(countryOptions(), s.country.Selected)
	st.Recalls.CareOptIn = valueOf(careOptInOptions, s.careOptIn.Selected)
	st.Recalls.OptOutWholeAddress = s.optOutAll.Checked
	st.Recalls.CatchUpDays = data.DefaultCatchUpDays
	if text := strings.TrimSpace(s.catchUp.Text); text != "" {
		n, err := strconv.Atoi(text)
		if err != nil || n < 0 {
			return fmt.Errorf("the days a missed email may go late must be a whole number")
		}
		st.Recalls.CatchUpDays = n
	}
	return nil
}

// onClosedDays lists the practice's closed days of a year, to add one,
// open one again, or fill in the country's public holidays.
func (s *settingsScreen) onClosedDays() {
	u := s.ui
	year := u.todayDate().Year
	var days []data.ClosedDay
	chosen := -1
	list := widget.NewList(func() int { return len(days) },
		func() fyne.CanvasObject {
			return widget.NewLabel("Wednesday 31 December 2026  Staff training (public holiday)")
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			d := days[i]
			text := u.dates.day(d.Day) + "  " + d.Name
			if d.Public {
				text += " (public holiday)"
			}
			o.(*widget.Label).SetText(text)
			o.(*widget.Label).Truncation = fyne.TextTruncateEllipsis
		})
	list.OnSelected = func(i widget.ListItemID) { chosen = i }
	status := wrapped("")
	yearLabel := widget.NewLabelWithStyle(strconv.Itoa(year), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	load := func() {
		yearLabel.SetText(strconv.Itoa(year))
		from, to := data.Date{Year: year, Month: 1, Day: 1}, data.Date{Year: year, Month: 12, Day: 31}
		background(u, func(ctx context.Context) ([]data.ClosedDay, error) { return u.work.ClosedDays(ctx, from, to) },
			func(ds []data.ClosedDay, err error) {
				if err != nil {
					status.SetText(errorText(err))
					return
				}
				days, chosen = ds, -1
				list.UnselectAll()
				list.Refresh()
				if len(ds) == 0 {
					status.SetText("No closed days in " + strconv.Itoa(year) + " yet.")
				}
			})
	}
	after := func(what string) func(none, error) {
		return func(_ none, err error) {
			if err != nil {
				status.SetText(errorText(err))
				return
			}
			status.SetText(what)
			load()
		}
	}
	day := hinted("YYYY-MM-DD")
	name := hinted("e.g. Staff training")
	add := widget.NewButton("Close that day", func() {
		d, err := data.ReadDate(day.Text, u.dates.dayFirst, u.todayDate())
		if err == nil && d.IsZero() {
			err = fmt.Errorf("enter the day")
		}
		if err != nil {
			status.SetText(errorText(err))
			return
		}
		n := name.Text
		background(u, func(ctx context.Context) (none, error) { return none{}, u.work.CloseDay(ctx, d, n) }, func(_ none, err error) {
			if err == nil {
				day.SetText("")
				name.SetText("")
				if d.Year != year { // show the year of the day just closed
					year = d.Year
				}
			}
			after("Closed on "+u.dates.day(d)+".")(none{}, err)
		})
	})
	remove := widget.NewButton("Open again", func() {
		if chosen < 0 || chosen >= len(days) {
			status.SetText("Choose a closed day in the list first.")
			return
		}
		d := days[chosen].Day
		background(u, func(ctx context.Context) (none, error) { return none{}, u.work.OpenDay(ctx, d) }, after("Open again on "+u.dates.day(d)+"."))
	})
	holidays := widget.NewButton("Add public holidays", func() {
		y := year
		background(u, func(ctx context.Context) (int, error) { return u.work.AddPublicHolidays(ctx, y) }, func(n int, err error) {
			after(fmt.Sprintf("%s of %d added.", data.Count(n, "public holiday", "public holidays"), y))(none{}, err)
		})
	})
	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { year--; load() })
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { year++; load() })
	top := container.NewVBox(wrapped("No email goes out on a closed day; a yearly or birthday email that falls on one goes on the next open day."),
		container.NewHBox(prev, yearLabel, next, holidays))
	bottom := container.NewVBox(container.NewBorder(nil, nil, nil, add, container.NewGridWithColumns(2, day, name)),
		container.NewHBox(remove), status)
	dlg := dialog.NewCustom("Closed days", "Close", container.NewBorder(top, bottom, nil, nil, list), u.window)
	dlg.Resize(dialogSize(u.window, 620, 560))
	dlg.Show()
	load()
}
