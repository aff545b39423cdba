package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
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
	setup   *fyne.Container   // the first day's checklist, until every step is done
	dueRows *fyne.Container   // what is due, each with its button
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
	s.setup = container.NewVBox()
	s.dueRows = container.NewVBox()
	s.box = container.NewVBox(s.update, s.welcome, s.setup, title("Due today"), s.due, s.dueRows, title("Send queue"), s.queue, title("Mailbox"), s.limits,
		title("What came back"), s.inbox, s.found, container.NewHBox(s.check, s.review))
	return s
}

func (s *todayScreen) content() fyne.CanvasObject { return container.NewPadded(s.box) }

func (s *todayScreen) refresh() {
	background(s.ui, s.ui.work.Today, func(o workflow.Overview, err error) {
		if err != nil {
			s.due.SetText("Cannot read today's plan: " + errorText(err))
			s.due.Show()
			return
		}
		if o.Patients == 0 {
			s.welcome.Show()
		} else {
			s.welcome.Hide()
		}
		s.showSetup(o)
		s.showDue(o)
		var queue []string
		for _, q := range o.Queue {
			queue = append(queue, "• "+q.Line())
		}
		s.queue.SetText(orText(strings.Join(queue, "\n"), "Nothing is waiting to be sent."))
		s.limits.SetText(sentenceText(o.MailboxLine()))
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

// showSetup shows the first day's checklist until every step is done: each
// step ticked when done, with a button to the screen that does it.
func (s *todayScreen) showSetup(o workflow.Overview) {
	s.setup.RemoveAll()
	if o.SetUp() {
		return
	}
	s.setup.Add(widget.NewLabelWithStyle("Getting started", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, step := range o.Setup {
		mark := widget.NewIcon(theme.RadioButtonIcon()) // icons: the window's font has no check marks
		l := widget.NewLabel(step.Text)
		l.Wrapping = fyne.TextWrapWord
		if step.Done {
			mark.SetResource(theme.ConfirmIcon())
			l.Importance = widget.SuccessImportance
			s.setup.Add(container.NewBorder(nil, nil, mark, nil, l))
			continue
		}
		b := widget.NewButton(map[string]string{workflow.SetupPractice: "Settings…", workflow.SetupMailbox: "Settings…",
			workflow.SetupPatients: "Import…", workflow.SetupCampaign: "New campaign…"}[step.Step], s.openStep(step.Step))
		s.setup.Add(container.NewBorder(nil, nil, mark, b, l))
	}
}

// openStep opens the screen that does a step of the first day.
func (s *todayScreen) openStep(step string) func() {
	u := s.ui
	switch step {
	case workflow.SetupPatients:
		return func() { u.Show("Patients"); openImportWizard(u, s.refresh) }
	case workflow.SetupCampaign:
		return func() { u.Show("Campaigns"); u.campaigns.onNew() }
	}
	return func() { u.Show("Settings") }
}

// showDue lists what is due today, each with a button that opens the
// campaign's review, where it is sent.
func (s *todayScreen) showDue(o workflow.Overview) {
	s.dueRows.RemoveAll()
	if len(o.Due) == 0 {
		s.due.SetText("Nothing is due today.")
		s.due.Show()
		return
	}
	s.due.SetText("")
	s.due.Hide()
	for _, e := range o.Due {
		name := e.Campaign
		l := widget.NewLabel("• " + o.DueLine(e, s.ui.dates.dates()))
		l.Wrapping = fyne.TextWrapWord
		b := widget.NewButton("Review and send…", func() { s.ui.openCampaign(name) })
		b.Importance = widget.HighImportance
		s.dueRows.Add(container.NewBorder(nil, nil, nil, b, l))
	}
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (s *todayScreen) onSample() {
	s.due.SetText("Adding 2,000 sample patients…")
	s.due.Show()
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
