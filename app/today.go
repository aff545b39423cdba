package app

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kindly/workflow"
)

// todayScreen shows what is due today, the queue and the mailbox's
// limits left - or, on a new database, a short welcome.
type todayScreen struct {
	ui      *UI
	welcome *fyne.Container
	due     *widget.Label
	queue   *widget.Label
	limits  *widget.Label
	inbox   *widget.Label
	found   *widget.Label // what the last check of the inbox found
	review  *widget.Button
	check   *widget.Button
	update  *widget.Hyperlink // a newer Kindly, when there is one
	box     *fyne.Container
}

func newTodayScreen(u *UI) *todayScreen {
	s := &todayScreen{ui: u}
	s.due, s.queue, s.limits = widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	s.inbox, s.found = widget.NewLabel(""), widget.NewLabel("")
	s.found.TextStyle.Italic = true
	s.check = widget.NewButton("Check the inbox now", u.checkInbox)
	s.review = widget.NewButton("Review…", u.showReview)
	s.review.Hide()
	for _, l := range []*widget.Label{s.due, s.queue, s.limits, s.inbox, s.found} {
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
	s.update = newUpdateLink()
	s.box = container.NewVBox(s.update, s.welcome, title("Due today"), s.due, title("Send queue"), s.queue, title("Mailbox"), s.limits,
		title("What came back"), s.inbox, s.found, container.NewHBox(s.check, s.review))
	return s
}

func (s *todayScreen) content() fyne.CanvasObject { return container.NewPadded(s.box) }

func (s *todayScreen) refresh() {
	background(s.ui, s.ui.work.Today, func(o workflow.Overview, err error) {
		if err != nil {
			s.due.SetText("Cannot read today's plan: " + errorText(err))
			return
		}
		if o.Patients == 0 {
			s.welcome.Show()
		} else {
			s.welcome.Hide()
		}
		var due, queue string
		for _, e := range o.Due {
			due += fmt.Sprintf("• %s (%s): %s\n", e.Campaign, workflow.OccurrenceText(e.Occurrence, s.ui.dates.dates()), patientsText(e.Audience))
		}
		for _, q := range o.Queue {
			queue += fmt.Sprintf("• %s: %d waiting, %d sent", q.Campaign, q.Waiting, q.Sent)
			if q.Uncertain > 0 {
				queue += fmt.Sprintf(", %d uncertain (Kindly stopped while sending; not sent again)", q.Uncertain)
			}
			queue += "\n"
		}
		limits := "No mail account yet: Settings > Mail account."
		if o.Mail.Configured() {
			limits = fmt.Sprintf("%s: %d sent in the last 24 hours", o.Mail.Host, o.SentDay)
			if d := o.Mail.DayLimit(); d > 0 {
				limits += fmt.Sprintf(", %d left of %d a day", o.LeftDay, d)
			}
			if o.Mail.ServerPerDay > 0 && o.Mail.ServerPerDay == o.Mail.DayLimit() {
				limits += " (the quota your mail server enforced)"
			}
		}
		s.due.SetText(orText(due, "Nothing is due today."))
		s.queue.SetText(orText(queue, "Nothing is waiting to be sent."))
		s.limits.SetText(limits)
		s.inbox.SetText(inboxText(s.ui, o))
		s.found.SetText(s.ui.inbox.last)
		s.check.Enable()
		if !o.InboxSet || s.ui.inbox.checking {
			s.check.Disable()
		}
		if o.Inbox.ToReview > 0 {
			s.review.SetText(o.ReviewButton())
			s.review.Show()
		} else {
			s.review.Hide()
		}
		s.box.Refresh() // the welcome came or went: lay out again
	})
}

// showChecking says a check of the inbox is running.
func (s *todayScreen) showChecking() {
	s.found.SetText("Checking the inbox…")
	s.check.Disable()
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (s *todayScreen) onSample() {
	s.due.SetText("Adding 2,000 sample patients…")
	background(s.ui, func(ctx context.Context) (string, error) {
		if _, err := s.ui.work.DemoIfEmpty(ctx, nil); err != nil {
			return "", err
		}
		return s.ui.work.DemoSummary(ctx)
	},
		func(summary string, err error) {
			if err != nil {
				s.ui.showError(err)
				return
			}
			s.refresh()
			s.ui.notify("Added "+summary+".", nil) // why the list shows fewer than 2,000
		})
}
