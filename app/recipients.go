package app

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/workflow"
)

// recipientsView is the Recipients tab of a campaign: who the email went
// to, when and with what result, then who the next Send emails and who it
// skips with the reason, filtered as typed; a row opens the patient; the
// list exports.
type recipientsView struct {
	s       *campaignsScreen
	all     []data.Recipient
	shown   []data.Recipient
	filter  *widget.Entry
	skipped *widget.Check
	count   *widget.Label
	table   *widget.Table
	box     fyne.CanvasObject
}

var recipientHeads = []string{"Patient", "Email", "Result", "Why not"}

func newRecipientsView(s *campaignsScreen) *recipientsView {
	v := &recipientsView{s: s}
	v.filter = widget.NewEntry()
	v.filter.SetPlaceHolder("Filter by name, address or reason")
	v.filter.OnChanged = func(string) { v.apply() }
	v.skipped = widget.NewCheck("Only those skipped", func(bool) { v.apply() })
	v.count = widget.NewLabel("")
	v.table = headedTable(recipientHeads, func() int { return len(v.shown) }, func(row, col int, l *widget.Label) {
		r := v.shown[row]
		l.Importance = widget.MediumImportance
		switch col {
		case 0:
			l.SetText(r.Name)
		case 1:
			l.SetText(r.Email)
		case 2:
			if !r.Gets {
				l.Importance = widget.WarningImportance
			}
			when := ""
			if !r.At.IsZero() {
				when = v.s.ui.dates.at(r.At)
			}
			l.SetText(workflow.RecipientResult(r, when))
		case 3:
			l.SetText(r.Reason)
		}
	})
	v.table.OnSelected = v.onSelected
	export := widget.NewButton("Export the list…", v.onExport)
	top := container.NewBorder(nil, nil, nil, container.NewHBox(v.skipped, export), v.filter)
	v.box = container.NewBorder(container.NewVBox(top, v.count), nil, nil, nil, stretched(v.table, 70, 3, 3, 1, 4))
	return v
}

// set shows a new list, keeping the filter.
func (v *recipientsView) set(rows []data.Recipient) {
	v.all = rows
	v.apply()
}

func (v *recipientsView) apply() {
	q := strings.ToLower(strings.TrimSpace(v.filter.Text))
	v.shown = v.shown[:0]
	for _, r := range v.all {
		if v.skipped.Checked && r.Gets {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(r.Name+" "+r.Email+" "+r.Reason+" "+r.Result), q) {
			continue
		}
		v.shown = append(v.shown, r)
	}
	text := workflow.RecipientsLine(v.all)
	if len(v.shown) != len(v.all) {
		text += fmt.Sprintf(" Showing %d.", len(v.shown))
	}
	v.count.SetText(text)
	v.table.Refresh()
}

// onSelected opens the patient of the row.
func (v *recipientsView) onSelected(id widget.TableCellID) {
	v.table.UnselectAll()
	if id.Row < 0 || id.Row >= len(v.shown) || v.shown[id.Row].PatientID == 0 {
		return
	}
	v.s.ui.openPatient(v.shown[id.Row].PatientID, v.s.reload)
}

func (v *recipientsView) onExport() {
	name := v.s.selected
	if name == "" {
		return
	}
	v.s.ui.chooseSaveFile(name+" recipients.xlsx", func(path string) {
		v.s.ui.exportTo(workflow.ExportRequest{Kind: workflow.ExportRecipients, Name: name, Out: path}, func(n int) {
			v.s.status.SetText(fmt.Sprintf("The recipients of %s (%d rows) written to %s", name, n, path))
		})
	})
}
