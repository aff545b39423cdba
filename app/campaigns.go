package app

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/workflow"
)

// campaignsScreen lists campaigns; the chosen one shows where it stands in
// one status line, the actions that state allows, and three tabs: the
// review, who gets it (and who is skipped and why), and the email as the
// patient sees it. It sends with a progress bar, pause and cancel.
type campaignsScreen struct {
	ui       *UI
	list     *widget.List
	rows     []workflow.CampaignRow
	selected string // the chosen campaign's name

	title      *widget.Label
	state      *widget.Label // the one status line: where the campaign stands, or the run's progress
	status     *widget.Label // what the last action did (paused, cancelled, exported, ...)
	review     *widget.Label // the review's facts and warnings
	progress   *widget.ProgressBar
	send       *widget.Button
	pause      *widget.Button
	cancel     *widget.Button
	edit       *widget.Button
	uncertain  *widget.Button
	export     *widget.Button
	tabs       *container.AppTabs
	recipients *recipientsView
	email      *fyne.Container // the sample emails, rendered
	samples    *widget.Select
	detail     *fyne.Container // hidden until a campaign is chosen
	hint       fyne.CanvasObject
	actions    *fyne.Container
	top        *fyne.Container // title, status line, bar, actions
	box        fyne.CanvasObject

	loading    task                    // the list
	reviewing  task                    // the chosen campaign's review
	lastReview workflow.Review         // what the page shows
	stop       context.CancelCauseFunc // pauses the running send; nil when none runs
	pending    string                  // a campaign to choose once the list is loaded
	runName    string                  // the campaign being sent, while stop is set
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
		func() fyne.CanvasObject {
			l := widget.NewLabel("Campaign name")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			c := s.rows[id]
			o.(*widget.Label).SetText(fmt.Sprintf("%s  (%s, %s)", c.Name, c.Purpose, c.Status))
		})
	s.list.OnSelected = s.onSelected
	s.detail = container.NewBorder(s.pageTop(), nil, nil, nil, s.pageTabs())
	s.detail.Hide()
	s.hint = container.NewCenter(widget.NewLabel("Choose a campaign on the left, or make a new one."))
	newB := widget.NewButton("New campaign", s.onNew)
	newB.Importance = widget.HighImportance
	split := container.NewHSplit(container.NewBorder(heading("Campaigns"), newB, nil, nil, s.list), container.NewStack(s.hint, s.detail))
	split.SetOffset(0.28)
	s.box = split
	s.applyState()
	return s
}

// pageTop is the campaign page's head: the name with Edit, Uncertain and
// Export, the status line, the progress bar, Send, Pause and Cancel, and
// the last outcome.
func (s *campaignsScreen) pageTop() fyne.CanvasObject {
	s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.title.SizeName = theme.SizeNameSubHeadingText
	s.title.Truncation = fyne.TextTruncateEllipsis
	s.state = widget.NewLabel("")
	s.state.Wrapping = fyne.TextWrapWord
	s.state.Importance = widget.HighImportance
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.status.TextStyle.Italic = true
	s.progress = widget.NewProgressBar()
	s.progress.Hide()
	s.send = widget.NewButton("Send", s.onSend)
	s.send.Importance = widget.HighImportance
	s.pause = widget.NewButton("Pause", s.onPause)
	s.cancel = widget.NewButton("Cancel the run…", s.onCancel)
	s.edit = widget.NewButton("Edit…", s.onEdit)
	s.uncertain = widget.NewButton("Uncertain…", s.onUncertain)
	s.export = widget.NewButton("Export results…", s.onExportResults)
	s.actions = container.NewHBox(s.send, s.pause, s.cancel)
	head := container.NewBorder(nil, nil, nil, container.NewHBox(s.edit, s.uncertain, s.export), s.title)
	s.top = container.NewVBox(head, s.state, s.progress, s.actions, s.status)
	return s.top
}

// pageTabs are the review, the recipients and the email as sent.
func (s *campaignsScreen) pageTabs() fyne.CanvasObject {
	s.review = widget.NewLabel("")
	s.review.Wrapping = fyne.TextWrapWord
	s.recipients = newRecipientsView(s)
	s.samples = widget.NewSelect(nil, func(string) { s.showSample() })
	s.email = container.NewVBox()
	sample := container.NewBorder(nil, nil, widget.NewLabel("Sample:"), nil, s.samples)
	s.tabs = container.NewAppTabs(
		container.NewTabItem("Review", container.NewVScroll(s.review)),
		container.NewTabItem("Recipients", s.recipients.box),
		container.NewTabItem("Email", container.NewBorder(sample, nil, nil, nil, container.NewVScroll(container.NewPadded(s.email)))))
	return s.tabs
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

// applyState enables what the campaign's state allows: Send says how many
// it sends, Pause only while sending, Cancel only with a run unfinished.
func (s *campaignsScreen) applyState() {
	rv, chosen, running := s.lastReview, s.selected != "" && s.lastReview.Campaign == s.selected, s.stop != nil
	left := rv.ThisTime[data.StatusQueued] + rv.ThisTime[data.StatusSending]
	runningHere := running && s.runName == s.selected
	switch {
	case runningHere:
		s.send.SetText("Sending…")
	case chosen && rv.State == workflow.StateReady:
		s.send.SetText(fmt.Sprintf("Send %s now", workflow.Emails(rv.ToSend)))
	case chosen && (rv.State == workflow.StatePaused || rv.State == workflow.StateSending):
		s.send.SetText(fmt.Sprintf("Go on (%s left)", workflow.Emails(rv.ToSend)))
	default:
		s.send.SetText("Send")
	}
	enable(s.send, chosen && !running && rv.CanSend())
	enable(s.pause, runningHere)
	enable(s.cancel, chosen && !running && left > 0)
	enable(s.edit, chosen && !running)
	enable(s.uncertain, chosen)
	if chosen && rv.Uncertain > 0 { // only when there is something to decide
		s.uncertain.Show()
	} else {
		s.uncertain.Hide()
	}
	enable(s.export, chosen)
	if runningHere || chosen && !running && left > 0 {
		s.progress.Show()
	} else {
		s.progress.Hide()
	}
	s.top.Refresh() // Send's label may have changed its width, the bar come or gone
}

func enable(w fyne.Disableable, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

func (s *campaignsScreen) onSelected(id widget.ListItemID) {
	if id < 0 || id >= len(s.rows) {
		return
	}
	name := s.rows[id].Name
	s.selected = name
	s.title.SetText(name)
	s.hint.Hide()
	s.detail.Show()
	if s.stop == nil || s.runName != name { // a campaign never shows another one's run
		s.state.SetText("Preparing the review…")
		s.status.SetText("")
		s.progress.SetValue(0)
	}
	s.applyState()
	s.reload()
}

// reviewed is what the page shows of a campaign.
type reviewed struct {
	rv         workflow.Review
	recipients []data.Recipient
}

// reload reviews the chosen campaign again: its state, who gets it, the
// email.
func (s *campaignsScreen) reload() {
	name := s.selected
	if name == "" {
		return
	}
	restart(s.ui, &s.reviewing, func(ctx context.Context) (reviewed, error) {
		rv, rows, err := s.ui.work.ReviewAndRecipients(ctx, name)
		return reviewed{rv, rows}, err
	}, func(r reviewed, err error) {
		if name != s.selected {
			return
		}
		if err != nil {
			s.state.SetText("Cannot review this campaign: " + errorText(err))
			s.lastReview = workflow.Review{}
			s.applyState()
			return
		}
		s.lastReview = r.rv
		if s.stop == nil || s.runName != name {
			s.state.Importance = widget.HighImportance
			if r.rv.State == workflow.StateBlocked {
				s.state.Importance = widget.DangerImportance
			}
			s.state.SetText(r.rv.StateText)
			if _, handled := workflow.Handled(r.rv.ThisTime); r.rv.ToSend+handled > 0 {
				s.progress.SetValue(float64(handled) / float64(r.rv.ToSend+handled))
			}
		}
		s.review.SetText(reviewText(r.rv))
		s.recipients.set(r.recipients)
		s.tabs.Items[1].Text = fmt.Sprintf("Recipients (%d)", len(r.recipients))
		s.tabs.Refresh()
		var opts []string
		for i, m := range r.rv.Samples {
			opts = append(opts, fmt.Sprintf("%d: %s", i+1, m.To))
		}
		s.samples.Options = opts
		if len(opts) > 0 {
			s.samples.SetSelectedIndex(0)
		} else {
			s.samples.ClearSelected()
		}
		s.showSample()
		s.applyState()
	})
}

// showSample shows the chosen sample email, rendered as the patient sees it.
func (s *campaignsScreen) showSample() {
	s.email.RemoveAll()
	i := s.samples.SelectedIndex()
	if i < 0 || i >= len(s.lastReview.Samples) {
		s.email.Add(widget.NewLabel("No sample: nobody would get this email today."))
		return
	}
	m := s.lastReview.Samples[i]
	head := widget.NewLabel("To: " + m.To + "\nSubject: " + m.Subject)
	head.TextStyle.Bold = true
	head.Wrapping = fyne.TextWrapWord
	s.email.Add(head)
	s.email.Add(widget.NewSeparator())
	s.email.Add(emailView(m.HTML))
}

// reviewText is the pre-send review in words: the facts the command line
// prints too, and the warnings. The samples are on the Email tab.
func reviewText(rv workflow.Review) string {
	var b strings.Builder
	for _, f := range rv.Facts() {
		if f.Label == "Status" {
			continue // the status line above says it
		}
		b.WriteString(f.Label + ": " + f.Text + "\n")
	}
	for _, x := range rv.Blockers {
		b.WriteString("\nCannot send: " + x + "\n")
	}
	for _, w := range rv.Warnings {
		b.WriteString("\nCheck: " + w + "\n")
	}
	return b.String()
}

func (s *campaignsScreen) onSend() {
	rv := s.lastReview
	if s.selected == "" || rv.Campaign != s.selected || !rv.CanSend() {
		return
	}
	name := s.selected
	title := fmt.Sprintf("Send %s now?", workflow.Emails(rv.ToSend))
	text := fmt.Sprintf("%s: one email to each of the %s on the Recipients tab, within the mailbox's limits\n(%s). You can pause at any time.",
		name, workflow.Patients(rv.ToSend), rv.Takes())
	if rv.State != workflow.StateReady {
		title = fmt.Sprintf("Go on sending %s?", name)
		text = fmt.Sprintf("%s are left of this run. You can pause at any time.", workflow.Emails(rv.ToSend))
	}
	d := dialog.NewConfirm(title, text, func(ok bool) {
		if ok {
			s.start(name)
		}
	}, s.ui.window)
	d.SetConfirmText("Send")
	d.SetDismissText("Not now")
	d.Show()
}

// resume goes on sending a run that was being sent when Kindly closed.
func (s *campaignsScreen) resume(name string) {
	s.ui.openCampaign(name) // the page shows the run going on
	s.selected = name
	s.start(name)
	s.status.SetText("Resuming " + name + ", which was being sent when Kindly closed…")
}

// start queues today's occurrence (or resumes the unfinished run) and
// sends it in the background.
func (s *campaignsScreen) start(name string) {
	ctx, stop := context.WithCancelCause(s.ui.ctx)
	s.stop, s.runName = stop, name
	s.applyState()
	s.state.SetText("Preparing…")
	s.status.SetText("")
	background(s.ui, func(context.Context) (workflow.SendResult, error) {
		return s.ui.work.Send(ctx, name, workflow.SendOptions{ // the window keeps trying a server out of reach
			Progress: newLatest(s.ui, s.showProgress).put})
	}, func(res workflow.SendResult, err error) {
		s.stop = nil
		stop(nil)
		var lines []string
		for _, line := range res.Outcome(err) {
			lines = append(lines, sentenceText(line))
		}
		s.status.SetText(strings.Join(lines, " "))
		s.ui.tray.sayNow(name + ": " + lines[len(lines)-1])
		s.refresh()
		s.reload()        // the status line follows the campaign's state: done, paused, ...
		s.ui.checkInbox() // bounces for dead addresses come back within minutes
	})
}

// sending is the campaign being sent now ("" when none is).
func (s *campaignsScreen) sending() string {
	if s.stop == nil {
		return ""
	}
	return s.runName
}

func (s *campaignsScreen) showProgress(p workflow.SendProgress) {
	if s.stop == nil {
		return // a late report of a run that ended
	}
	s.ui.tray.say(s.runName + ": " + p.Line())
	s.progress.SetValue(p.Done())
	if s.selected == s.runName {
		s.state.SetText(p.Line())
	}
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
			s.refresh()
			s.reload()
			s.status.SetText(res.Line(name))
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
	got, err := s.ui.work.CampaignChoices(ctx)
	c := formChoices{templates: got.Templates, counts: map[string]int{}}
	for _, x := range got.Segments {
		c.segments = append(c.segments, x.Name)
		if x.Err == nil {
			c.counts[x.Name] = x.Count
		}
	}
	return c, err
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
	s.ui.exportTo(workflow.ExportRequest{Kind: workflow.ExportCampaign, Name: name, Out: path}, func(n int) {
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
				s.status.SetText(workflow.NoneUncertain(name))
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
			s.status.SetText(sentenceText(workflow.Resolved(u.name, n, arrived)))
			s.refresh()
			s.reload()
		})
}
