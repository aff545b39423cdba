package app

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/data/demo"
	"kindly/mailer"
)

// todayScreen shows what is due today, the queue and the mailbox's
// limits left - or, on a new database, a short welcome.
type todayScreen struct {
	ui      *UI
	welcome *fyne.Container
	due     *widget.Label
	queue   *widget.Label
	limits  *widget.Label
	box     *fyne.Container
}

func newTodayScreen(u *UI) *todayScreen {
	s := &todayScreen{ui: u}
	s.due, s.queue, s.limits = widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	for _, l := range []*widget.Label{s.due, s.queue, s.limits} {
		l.Wrapping = fyne.TextWrapWord
	}
	title := func(t string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	importB := widget.NewButton("Import a spreadsheet", func() { u.Show("Patients"); openImportWizard(u, s.refresh) })
	importB.Importance = widget.HighImportance
	sample := widget.NewButton("Try with sample patients", s.onSample)
	account := widget.NewButton("Set up the mail account", func() { u.Show("Settings") })
	s.welcome = container.NewVBox(
		widget.NewLabelWithStyle("Welcome to Kindly", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel("Kindly sends the right reminder to the right patient at the right time, from your own mailbox.\nStart with your patients:"),
		container.NewHBox(importB, sample, account))
	s.welcome.Hide()
	s.box = container.NewVBox(s.welcome, title("Due today"), s.due, title("Send queue"), s.queue, title("Mailbox"), s.limits)
	return s
}

func (s *todayScreen) content() fyne.CanvasObject { return container.NewPadded(s.box) }

func (s *todayScreen) refresh() {
	go func() {
		ctx := context.Background()
		st := s.ui.store
		patients, _ := st.CountPatients(ctx, data.PatientQuery{IncludeArchived: true})
		today, err := st.Today()
		var dueText, queueText string
		if err == nil {
			entries, _ := st.Calendar(ctx, today, today)
			for _, e := range entries {
				if e.Audience > 0 {
					dueText += fmt.Sprintf("• %s (%s): %s\n", e.Campaign, e.Occurrence, patientsText(e.Audience))
				}
			}
			cs, _ := st.Campaigns(ctx)
			for _, c := range cs {
				counts, _ := st.OutboxCounts(ctx, c.ID, "")
				if counts[data.StatusQueued] > 0 || counts[data.StatusUncertain] > 0 {
					queueText += fmt.Sprintf("• %s: %d waiting, %d sent", c.Name, counts[data.StatusQueued], counts[data.StatusSent])
					if n := counts[data.StatusUncertain]; n > 0 {
						queueText += fmt.Sprintf(", %d uncertain (Kindly stopped while sending; not sent again)", n)
					}
					queueText += "\n"
				}
			}
		}
		limitsText := "No mail account yet: Settings > Mail account."
		if acct, err := mailer.LoadSettings(st); err == nil {
			sent, _ := st.SentSince(ctx, st.Now().Add(-24*time.Hour))
			limitsText = fmt.Sprintf("%s: %d sent in the last 24 hours", acct.Host, sent)
			if acct.PerDay > 0 {
				limitsText += fmt.Sprintf(", %d left of %d a day", max(acct.PerDay-sent, 0), acct.PerDay)
			}
		}
		s.ui.do(func() {
			if patients == 0 {
				s.welcome.Show()
			} else {
				s.welcome.Hide()
			}
			s.due.SetText(orText(dueText, "Nothing is due today."))
			s.queue.SetText(orText(queueText, "Nothing is waiting to be sent."))
			s.limits.SetText(limitsText)
			s.box.Refresh() // the welcome came or went: lay out again
		})
	}()
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (s *todayScreen) onSample() {
	s.due.SetText("Adding 2,000 sample patients…")
	go func() {
		err := demo.Fill(context.Background(), s.ui.store, demo.Options{Patients: 2000, Seed: 1})
		s.ui.do(func() {
			if err != nil {
				s.ui.showError(err)
				return
			}
			s.refresh()
		})
	}()
}
