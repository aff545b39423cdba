package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/mailer"
	"kindly/workflow"
)

// inboxEvery is how often the open window reads the inbox.
const inboxEvery = 15 * time.Minute

// inboxState is the window's inbox checks. Touched on the UI goroutine only.
type inboxState struct {
	checking bool
	last     string // what the last check found or why it failed; "" before the first
}

// checkInbox reads the practice's inbox in the background, when the mail
// account has one: at start, every 15 minutes, after each send run and
// when the practice asks. One check at a time; Today shows the outcome.
func (u *UI) checkInbox() {
	if u.inbox.checking {
		return
	}
	u.inbox.checking = true
	u.today.showChecking()
	background(u, func(ctx context.Context) (workflow.InboxReport, error) { return u.work.CheckInbox(ctx, nil) },
		func(rep workflow.InboxReport, err error) {
			u.inbox.checking = false
			switch {
			case errors.Is(err, workflow.ErrNoInbox), errors.Is(err, mailer.ErrNoAccount): // nothing to read yet: Today says so
				u.inbox.last = ""
			case err != nil:
				u.inbox.last = "The last check of the inbox failed: " + errorText(err)
			default:
				u.inbox.last = rep.Summary()
			}
			u.refreshShown(u.today)
		})
}

// checkInboxPeriodically checks the inbox at start and every inboxEvery
// until the window closes.
func (u *UI) checkInboxPeriodically() {
	defer u.running.Done()
	t := time.NewTicker(inboxEvery)
	defer t.Stop()
	for {
		u.do(u.checkInbox)
		select {
		case <-u.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// inboxText is Today's line about the inbox.
func inboxText(u *UI, o workflow.Overview) string {
	text := sentenceText(o.InboxLine())
	in := o.Inbox
	if !in.LastChecked.IsZero() {
		text += " Last checked " + u.dates.at(in.LastChecked) + "."
	}
	return text
}

// showReview lists the messages Kindly could not read for sure; the
// practice decides about each.
func (u *UI) showReview() {
	background(u, u.work.InboxReview, func(items []data.ReviewItem, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		list := container.NewVBox()
		var d dialog.Dialog
		left := len(items)
		for _, it := range items {
			head := widget.NewLabelWithStyle(fmt.Sprintf("%s - %q", it.From, it.Subject), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			head.Wrapping = fyne.TextWrapWord
			why := widget.NewLabel(u.dates.at(it.Received) + ": " + it.Why)
			why.Wrapping = fyne.TextWrapWord
			excerpt := widget.NewLabel(it.Excerpt)
			excerpt.Wrapping = fyne.TextWrapWord
			excerpt.TextStyle.Italic = true
			status := widget.NewLabel("")
			status.Wrapping = fyne.TextWrapWord
			var buttons *fyne.Container
			decide := func(decision string) func() {
				return func() {
					background(u, func(ctx context.Context) (string, error) { return u.work.DecideReview(ctx, it.ID, decision) },
						func(line string, err error) {
							if err != nil {
								status.SetText("Not decided: " + errorText(err))
								return
							}
							status.SetText("Decided: " + line + ".")
							buttons.Hide()
							if left--; left == 0 && d != nil {
								d.Hide()
							}
							u.refreshShown(u.today)
						})
				}
			}
			buttons = container.NewHBox(widget.NewButton("Opt out of promotions", decide(data.DecideOptOut)),
				widget.NewButton("No email at all", decide(data.DecideOptOutAll)),
				widget.NewButton("Nothing to do", decide(data.DecideNothing)))
			list.Add(container.NewVBox(head, why, excerpt, buttons, status, widget.NewSeparator()))
		}
		if len(items) == 0 {
			list.Add(widget.NewLabel("Nothing to review: Kindly read every message for sure."))
		}
		d = dialog.NewCustom(fmt.Sprintf("Messages to review (%d)", len(items)), "Close", container.NewVScroll(list), u.window)
		d.Resize(dialogSize(u.window, 760, 520))
		d.Show()
	})
}
