package app

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/workflow"
)

// recallsBox shows where a saved patient stands in each recall campaign,
// with a button to set the patient's own due date or pause, and the
// appointments the practice system gave.
func (f *patientForm) recallsBox() fyne.CanvasObject {
	if f.patient.ID == 0 {
		return widget.NewLabel("Recalls show once the patient is saved.")
	}
	f.recalls = container.NewVBox(widget.NewLabel("Loading recalls…"))
	f.loadRecalls()
	return f.recalls
}

func (f *patientForm) loadRecalls() {
	id := f.patient.ID
	type loaded struct {
		lines []workflow.RecallLine
		appts []data.Appointment
	}
	background(f.ui, func(ctx context.Context) (loaded, error) {
		var l loaded
		var err error
		if l.lines, err = f.ui.work.PatientRecalls(ctx, id); err != nil {
			return l, err
		}
		l.appts, err = f.ui.work.Appointments(ctx, id)
		return l, err
	}, func(l loaded, err error) {
		f.recalls.RemoveAll()
		if err != nil {
			f.recalls.Add(wrapped("Cannot load the recalls: " + errorText(err)))
			return
		}
		if len(l.lines) == 0 {
			f.recalls.Add(wrapped("No recall campaign yet."))
		}
		for _, line := range l.lines {
			text := line.Campaign + ": " + line.Due
			for _, more := range []string{line.Sent, line.Next} {
				if more != "" {
					text += "\n" + more
				}
			}
			change := widget.NewButton("Change…", func() { f.changeRecall(line) })
			f.recalls.Add(container.NewBorder(nil, nil, nil, container.NewVBox(change), wrapped(text)))
		}
		if len(l.appts) > 0 {
			var lines []string
			for i, a := range l.appts {
				if i == 4 {
					lines = append(lines, fmt.Sprintf("… and %d earlier", len(l.appts)-4))
					break
				}
				lines = append(lines, workflow.AppointmentLine(a, f.ui.dates.dates()))
			}
			f.recalls.Add(wrapped("Appointments: " + strings.Join(lines, "; ")))
		}
	})
}

// wrapped is a label that wraps its words.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// changeRecall sets the patient's own recall of a campaign: a due date by
// hand, a pause until a day, or off for good, each with the reason.
func (f *patientForm) changeRecall(line workflow.RecallLine) {
	h := line.Hold
	due := f.entry(h.Due.String(), "empty: from the last visit")
	until := f.entry("", "empty: not paused")
	if h.OffUntil != data.Forever {
		until.SetText(h.OffUntil.String())
	}
	off := widget.NewCheck("Off for good (e.g. moved away)", nil)
	off.SetChecked(h.OffUntil == data.Forever)
	reason := f.entry(h.Reason, "why it is paused or off")
	msg := widget.NewLabel("")
	msg.Importance = widget.DangerImportance
	msg.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem("Due on", due), widget.NewFormItem("Paused until", until),
		widget.NewFormItem("", off), widget.NewFormItem("Reason", reason))
	var dlg dialog.Dialog
	dlg = dialog.NewCustomConfirm(line.Campaign+" for "+f.patient.DisplayName(), "Save", "Cancel", container.NewBorder(nil, msg, nil, nil, form),
		func(ok bool) {
			if !ok {
				return
			}
			var hold data.RecallHold
			var err error
			if hold.Due, err = data.ReadDate(due.Text, f.dayFirst, f.today); err == nil {
				hold.OffUntil, err = data.ReadDate(until.Text, f.dayFirst, f.today)
			}
			if off.Checked {
				hold.OffUntil = data.Forever
			}
			hold.Reason = reason.Text
			if err != nil {
				msg.SetText(errorText(err))
				dlg.Show()
				return
			}
			id := f.patient.ID
			background(f.ui, func(ctx context.Context) (none, error) {
				return none{}, f.ui.work.SetRecall(ctx, line.Campaign, id, hold)
			}, func(_ none, err error) {
				if err != nil {
					msg.SetText(errorText(err))
					dlg.Show()
					return
				}
				f.loadRecalls()
			})
		}, f.ui.window)
	dlg.Resize(dialogSize(f.ui.window, 460, 320))
	dlg.Show()
}
