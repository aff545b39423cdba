package app

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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
