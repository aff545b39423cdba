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
	"kindly/mailer"
	"kindly/workflow"
)

// campaignsScreen lists campaigns; the selected one shows its pre-send
// review, and sends with a progress bar, pause and cancel.
type campaignsScreen struct {
	ui       *UI
	list     *widget.List
	rows     []workflow.CampaignRow
	selected string // the chosen campaign's name

	title    *widget.Label
	review   *widget.Label
	counts   *widget.Label
	progress *widget.ProgressBar
	status   *widget.Label
	send     *widget.Button
	pause    *widget.Button
	cancel   *widget.Button
	box      fyne.CanvasObject

	loading    task                    // the list
	reviewing  task                    // the chosen campaign's review
	lastReview workflow.Review         // what the review shows
	stop       context.CancelCauseFunc // pauses the running send; nil when none runs
	pending    string                  // a campaign to choose once the list is loaded
}

// openCampaign shows the Campaigns screen with one campaign chosen.
func (u *UI) openCampaign(name string) {
	u.Show("Campaigns")
	s := u.campaigns
	s.pending = name
	s.refresh()
}

func newCampaignsScreen(u *UI) *campaignsScreen {
	s := &campaignsScreen{ui: u}
	s.list = widget.NewList(func() int { return len(s.rows) },
		func() fyne.CanvasObject { return widget.NewLabel("Campaign name") },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			c := s.rows[id]
			o.(*widget.Label).SetText(fmt.Sprintf("%s  (%s, %s)", c.Name, c.Purpose, c.Status))
		})
	s.list.OnSelected = s.onSelected
	s.title = widget.NewLabelWithStyle("Choose a campaign", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.review = widget.NewLabel("")
	s.review.Wrapping = fyne.TextWrapWord
	s.counts = widget.NewLabel("")
	s.progress = widget.NewProgressBar()
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.send = widget.NewButton("Send now", s.onSend)
	s.send.Importance = widget.HighImportance
	s.pause = widget.NewButton("Pause", s.onPause)
	s.cancel = widget.NewButton("Cancel the run…", s.onCancel)
	edit := widget.NewButton("Edit…", s.onEdit)
	uncertain := widget.NewButton("Uncertain emails…", s.onUncertain)
	s.setRunning(false)
	s.send.Disable()
	detail := container.NewBorder(
		container.NewVBox(s.title, container.NewHBox(s.send, s.pause, s.cancel, edit, uncertain), s.progress, s.status, s.counts),
		nil, nil, nil, container.NewVScroll(s.review))
	heading := widget.NewLabelWithStyle("Campaigns", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	newB := widget.NewButton("New campaign", s.onNew)
	newB.Importance = widget.HighImportance
	export := widget.NewButton("Export results…", s.onExportResults)
	split := container.NewHSplit(container.NewBorder(heading, container.NewVBox(newB, export), nil, nil, s.list), detail)
	split.SetOffset(0.3)
	s.box = split
	return s
}

func (s *campaignsScreen) content() fyne.CanvasObject { return s.box }

func (s *campaignsScreen) refresh() {
	restart(s.ui, &s.loading, s.ui.work.Campaigns, func(rows []workflow.CampaignRow, err error) {
		if err != nil {
			s.ui.showError(err)
			return
		}
		s.rows = rows
		s.list.Refresh()
		for i, c := range rows {
			if s.pending != "" && c.Name == s.pending {
				s.pending = ""
				s.list.UnselectAll() // the same row may now hold another campaign: choose it afresh
				s.list.Select(i)
			}
		}
	})
}

func (s *campaignsScreen) setRunning(running bool) {
	if running {
		s.send.Disable()
		s.pause.Enable()
		s.cancel.Disable()
	} else {
		s.send.Enable()
		s.pause.Disable()
		s.cancel.Enable()
	}
}

func (s *campaignsScreen) onSelected(id widget.ListItemID) {
	name := s.rows[id].Name
	s.selected = name
	s.title.SetText(name)
	s.review.SetText("Preparing the review…")
	type reviewed struct {
		rv     workflow.Review
		outbox workflow.OutboxStatus
	}
	restart(s.ui, &s.reviewing, func(ctx context.Context) (reviewed, error) {
		rv, err := s.ui.work.Review(ctx, name)
		if err != nil {
			return reviewed{}, err
		}
		ob, err := s.ui.work.Outbox(ctx, name)
		return reviewed{rv, ob}, err
	}, func(r reviewed, err error) {
		if err != nil {
			s.review.SetText("Cannot review this campaign: " + errorText(err))
			s.send.Disable()
			return
		}
		s.lastReview = r.rv
		s.review.SetText(reviewText(r.rv))
		s.counts.SetText(countsText(r.outbox.Counts))
		if s.stop == nil && len(r.rv.Blockers) == 0 { // an incomplete practice sends nothing
			s.send.Enable()
		} else if s.stop == nil {
			s.send.Disable()
		}
	})
}

func countsText(c map[string]int) string {
	var parts []string
	for _, st := range workflow.OutboxStatuses {
		if c[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[st], st))
		}
	}
	if len(parts) == 0 {
		return "Nothing sent yet."
	}
	return "So far: " + strings.Join(parts, ", ")
}

// reviewText is the pre-send review in words: the facts the command line
// prints too, the warnings and the samples.
func reviewText(rv workflow.Review) string {
	var b strings.Builder
	for _, f := range rv.Facts() {
		b.WriteString(f.Label + ": " + f.Text + "\n")
	}
	for _, x := range rv.Blockers {
		b.WriteString("\n⛔ Cannot send: " + x + "\n")
	}
	for _, w := range rv.Warnings {
		b.WriteString("\n⚠ " + w + "\n")
	}
	for _, m := range rv.Samples {
		fmt.Fprintf(&b, "\n──────── To: %s\nSubject: %s\n\n%s", m.To, m.Subject, m.Text)
	}
	return b.String()
}

func (s *campaignsScreen) onSend() {
	if s.selected == "" {
		return
	}
	name := s.selected
	dialog.ShowConfirm("Send "+name+"?", "Kindly sends one email to each patient in the review above,\nwithin the mailbox's limits. You can pause at any time.", func(ok bool) {
		if ok {
			s.start(name)
		}
	}, s.ui.window)
}

// resume goes on sending a run that was being sent when Kindly closed.
func (s *campaignsScreen) resume(name string) {
	s.start(name)
	s.status.SetText("Resuming " + name + ", which was being sent when Kindly closed…")
}

// start queues today's occurrence (or resumes the unfinished run) and
// sends it in the background.
func (s *campaignsScreen) start(name string) {
	ctx, stop := context.WithCancelCause(s.ui.ctx)
	s.stop = stop
	s.setRunning(true)
	s.status.SetText("Preparing…")
	s.progress.SetValue(0)
	background(s.ui, func(context.Context) (workflow.SendResult, error) {
		return s.ui.work.Send(ctx, name, workflow.SendOptions{ // the window keeps trying a server out of reach
			Progress: func(p workflow.SendProgress) { s.ui.do(func() { s.showProgress(p) }) }})
	}, func(res workflow.SendResult, err error) {
		s.stop = nil
		stop(nil)
		s.setRunning(false)
		t := res.Totals
		switch {
		case err != nil:
			s.status.SetText("Stopped: " + errorText(err) + ". Nothing is lost: Send goes on where it stopped.")
		case res.Status == data.CampaignPaused:
			s.status.SetText(fmt.Sprintf("Paused after %d emails. Send again to go on.", res.Sent))
		default:
			text := fmt.Sprintf("Done: %d sent, %d failed, %d skipped.", t[data.StatusSent], t[data.StatusFailed], t[data.StatusSkipped])
			if n := t[data.StatusUncertain]; n > 0 {
				text += fmt.Sprintf(" %d uncertain: they may have arrived (Uncertain emails…).", n)
			}
			s.status.SetText(text)
			s.progress.SetValue(1)
		}
		s.refresh()
		s.reloadCounts(name)
		s.ui.checkInbox() // bounces for dead addresses come back within minutes
	})
}

func (s *campaignsScreen) showProgress(p workflow.SendProgress) {
	if s.stop == nil {
		return // a late report of a run that ended
	}
	s.progress.SetValue(p.Done())
	text := fmt.Sprintf("%d sent, %d failed, %d skipped, %d to go", p.Sent, p.Failed, p.Skipped, p.Remaining)
	if p.Remaining > 0 && p.ETA > 0 {
		text += ", " + mailer.HumanDuration(p.ETA) + " left"
	}
	if p.Waiting > 0 {
		text += " - " + p.Note
	}
	s.status.SetText(text)
}

func (s *campaignsScreen) reloadCounts(name string) {
	background(s.ui, func(ctx context.Context) (workflow.OutboxStatus, error) { return s.ui.work.Outbox(ctx, name) },
		func(ob workflow.OutboxStatus, err error) {
			if err == nil && name == s.selected {
				s.counts.SetText(countsText(ob.Counts))
			}
		})
}

func (s *campaignsScreen) onPause() {
	if s.stop != nil {
		s.stop(context.Canceled) // a pause: the run waits for Send
	}
}

func (s *campaignsScreen) onCancel() {
	if s.selected == "" {
		return
	}
	name := s.selected
	dialog.ShowConfirm("Cancel the run of "+name+"?", "Emails not sent yet will not be sent. Those already sent stay sent.", func(ok bool) {
		if ok {
			s.cancelRun(name)
		}
	}, s.ui.window)
}

// cancelRun cancels a campaign's unfinished run.
func (s *campaignsScreen) cancelRun(name string) {
	background(s.ui, func(ctx context.Context) (workflow.Cancelled, error) { return s.ui.work.Cancel(ctx, name) },
		func(res workflow.Cancelled, err error) {
			if err != nil {
				s.ui.showError(err)
				return
			}
			s.status.SetText(fmt.Sprintf("Cancelled: %d emails will not be sent.", res.Count))
			s.refresh()
			s.reloadCounts(name)
		})
}

func (s *campaignsScreen) onNew() {
	background(s.ui, s.choices, func(c formChoices, err error) {
		if err != nil {
			s.ui.showError(fmt.Errorf("cannot list segments and templates: %w", err))
			return
		}
		showCampaignForm(s.ui, workflow.CampaignSpec{Purpose: data.PurposeCare}, true, c, s.onSaved)
	})
}

func (s *campaignsScreen) onEdit() {
	if s.selected == "" {
		s.status.SetText("Choose a campaign first.")
		return
	}
	name := s.selected
	type editing struct {
		spec    workflow.CampaignSpec
		choices formChoices
	}
	background(s.ui, func(ctx context.Context) (editing, error) {
		spec, err := s.ui.work.CampaignSpec(ctx, name)
		if err != nil {
			return editing{}, err
		}
		c, err := s.choices(ctx)
		return editing{spec, c}, err
	}, func(e editing, err error) {
		if err != nil {
			s.ui.showError(err)
			return
		}
		showCampaignForm(s.ui, e.spec, false, e.choices, s.onSaved)
	})
}

// onSaved shows a campaign the form saved, chosen.
func (s *campaignsScreen) onSaved(name string) {
	s.pending = name
	s.refresh()
}

// choices are the segments and templates a campaign form offers.
func (s *campaignsScreen) choices(ctx context.Context) (formChoices, error) {
	var c formChoices
	segs, err := s.ui.store.Segments(ctx)
	if err != nil {
		return c, err
	}
	tpls, err := s.ui.store.Templates(ctx)
	if err != nil {
		return c, err
	}
	for _, x := range segs {
		c.segments = append(c.segments, x.Name)
	}
	for _, x := range tpls {
		c.templates = append(c.templates, x.Name)
	}
	return c, nil
}

func (s *campaignsScreen) onExportResults() {
	if s.selected == "" {
		s.status.SetText("Choose a campaign first.")
		return
	}
	name := s.selected
	s.ui.chooseSaveFile(name+" results.xlsx", func(path string) { s.exportResults(name, path) })
}

// exportResults writes a campaign's results to path.
func (s *campaignsScreen) exportResults(name, path string) {
	background(s.ui, func(ctx context.Context) (int, error) {
		return s.ui.work.Export(ctx, workflow.ExportRequest{Kind: workflow.ExportCampaign, Name: name, Out: path}, nil)
	}, func(n int, err error) {
		if err != nil {
			s.ui.showError(err)
			return
		}
		s.status.SetText(fmt.Sprintf("Results of %s (%d rows) written to %s", name, n, path))
	})
}

// onUncertain lists the chosen campaign's uncertain emails - they may or
// may not have arrived - for the practice to decide about.
func (s *campaignsScreen) onUncertain() {
	if s.selected == "" {
		s.status.SetText("Choose a campaign first.")
		return
	}
	name := s.selected
	background(s.ui, func(ctx context.Context) ([]data.OutboxEntry, error) { return s.ui.work.Uncertain(ctx, name) },
		func(list []data.OutboxEntry, err error) {
			if err != nil {
				s.ui.showError(err)
				return
			}
			if len(list) == 0 {
				s.status.SetText("No uncertain emails in " + name + ".")
				return
			}
			showUncertain(s, name, list)
		})
}

// uncertainDialog shows uncertain emails with a check each, and records
// the practice's decision about the checked ones.
type uncertainDialog struct {
	s      *campaignsScreen
	name   string
	list   []data.OutboxEntry
	checks []*widget.Check
	dlg    dialog.Dialog
}

func showUncertain(s *campaignsScreen, name string, list []data.OutboxEntry) *uncertainDialog {
	u := &uncertainDialog{s: s, name: name, list: list}
	rows := container.NewVBox()
	for _, e := range list {
		c := widget.NewCheck(fmt.Sprintf("%s <%s>", e.PatientName, e.Email), nil)
		c.SetChecked(true)
		u.checks = append(u.checks, c)
		why := widget.NewLabel(e.Reason)
		why.Wrapping = fyne.TextWrapWord
		rows.Add(container.NewVBox(c, why))
	}
	intro := widget.NewLabel("These emails went out, but the mail server's answer never came: each may or may not have arrived. " +
		"Kindly never sends them again by itself. Check with the patients if you can, then decide for the checked ones:")
	intro.Wrapping = fyne.TextWrapWord
	arrived := widget.NewButton("They arrived", func() { u.onDecide(true) })
	again := widget.NewButton("Send them again…", func() { u.onDecide(false) })
	content := container.NewBorder(intro, container.NewHBox(arrived, again), nil, nil, container.NewVScroll(rows))
	u.dlg = dialog.NewCustom("Uncertain emails of "+name, "Close", content, s.ui.window)
	u.dlg.Resize(dialogSize(s.ui.window, 720, 520))
	u.dlg.Show()
	return u
}

func (u *uncertainDialog) chosen() []int64 {
	var ids []int64
	for i, c := range u.checks {
		if c.Checked {
			ids = append(ids, u.list[i].ID)
		}
	}
	return ids
}

func (u *uncertainDialog) onDecide(arrived bool) {
	ids := u.chosen()
	if len(ids) == 0 {
		return
	}
	if arrived {
		u.decide(ids, true)
		return
	}
	dialog.ShowConfirm("Send them again?", fmt.Sprintf("%d patients may get this email twice. They go out with the next Send.", len(ids)),
		func(ok bool) {
			if ok {
				u.decide(ids, false)
			}
		}, u.s.ui.window)
}

func (u *uncertainDialog) decide(ids []int64, arrived bool) {
	s := u.s
	background(s.ui, func(ctx context.Context) (int, error) { return s.ui.work.ResolveUncertain(ctx, u.name, ids, arrived) },
		func(n int, err error) {
			if err != nil {
				s.ui.showError(err)
				return
			}
			u.dlg.Hide()
			if arrived {
				s.status.SetText(emailsText(n) + " marked as arrived.")
			} else {
				s.status.SetText(emailsText(n) + " go out again with the next Send.")
			}
			s.refresh()
			s.reloadCounts(u.name)
		})
}

// emailsText is "1 email" or "12 emails".
func emailsText(n int) string {
	if n == 1 {
		return "1 email"
	}
	return fmt.Sprintf("%d emails", n)
}
