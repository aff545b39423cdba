package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/mailer"
)

// campaignsScreen lists campaigns; the selected one shows its pre-send
// review, and sends with a progress bar, pause and cancel.
type campaignsScreen struct {
	ui       *UI
	list     *widget.List
	rows     []data.Campaign
	selected int

	title    *widget.Label
	review   *widget.Label
	counts   *widget.Label
	progress *widget.ProgressBar
	status   *widget.Label
	send     *widget.Button
	pause    *widget.Button
	cancel   *widget.Button
	box      fyne.CanvasObject

	mu   sync.Mutex
	stop context.CancelFunc // pauses the running send

	pending string // a campaign to select once the list is loaded
}

// openCampaign shows the Campaigns screen with one campaign selected.
func (u *UI) openCampaign(name string) {
	u.Show("Campaigns")
	if s, ok := u.screens[5].(*campaignsScreen); ok {
		s.pending = name
		s.refresh()
	}
}

func newCampaignsScreen(u *UI) *campaignsScreen {
	s := &campaignsScreen{ui: u, selected: -1}
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
	s.setRunning(false)
	s.send.Disable()
	detail := container.NewBorder(
		container.NewVBox(s.title, container.NewHBox(s.send, s.pause, s.cancel, edit), s.progress, s.status, s.counts),
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
	go func() {
		cs, err := s.ui.store.Campaigns(context.Background())
		s.ui.do(func() {
			if err != nil {
				s.ui.showError(err)
				return
			}
			s.rows = cs
			s.list.Refresh()
			for i, c := range cs {
				if s.pending != "" && c.Name == s.pending {
					s.pending = ""
					s.list.Select(i)
				}
			}
		})
	}()
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
	s.selected = id
	c := s.rows[id]
	s.title.SetText(c.Name)
	s.review.SetText("Preparing the review…")
	go func() {
		ctx := context.Background()
		text, err := s.reviewText(ctx, c)
		counts, _ := s.ui.store.OutboxCounts(ctx, c.ID, "")
		s.ui.do(func() {
			if err != nil {
				s.review.SetText("Cannot review this campaign: " + errorText(err))
				s.send.Disable()
				return
			}
			s.review.SetText(text)
			s.counts.SetText(countsText(counts))
			s.send.Enable()
		})
	}()
}

func countsText(c map[string]int) string {
	var parts []string
	for _, st := range []string{data.StatusQueued, data.StatusSent, data.StatusFailed, data.StatusSkipped, data.StatusUncertain, data.StatusCancelled} {
		if c[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[st], st))
		}
	}
	if len(parts) == 0 {
		return "Nothing sent yet."
	}
	return "So far: " + strings.Join(parts, ", ")
}

// reviewText is the pre-send review in words.
func (s *campaignsScreen) reviewText(ctx context.Context, c data.Campaign) (string, error) {
	cp, err := mailer.LoadCampaign(ctx, s.ui.store, c)
	if err != nil {
		return "", err
	}
	today, err := s.ui.store.Today()
	if err != nil {
		return "", err
	}
	var lim mailer.Limits
	if st, err := mailer.LoadSettings(s.ui.store); err == nil {
		lim = st.Limits
	}
	rv, err := mailer.PrepareReview(ctx, s.ui.store, c, cp.Audience(today), cp.Segment.Rule.Sentence(), cp.Template, mailer.LoadPractice(s.ui.store), lim, nil)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Who: %s (%s in the segment today).\n", rv.Sentence, patientsText(rv.Members))
	if c.Purpose == data.PurposePromotion {
		b.WriteString("Purpose: promotion - only patients who opted in to promotions.\n")
	} else {
		b.WriteString("Purpose: care reminder - everyone with an address who did not opt out.\n")
	}
	fmt.Fprintf(&b, "Sends to: %s", patientsText(rv.Recipients))
	if rv.Previous >= 0 {
		fmt.Fprintf(&b, " (last review: %d)", rv.Previous)
	}
	fmt.Fprintf(&b, ".\nTakes %s of sending", mailer.HumanDuration(rv.Duration))
	if rv.Days > 1 {
		fmt.Fprintf(&b, ", spread over %d days by the mailbox's daily limit", rv.Days)
	}
	b.WriteString(".\n")
	for _, w := range rv.Warnings {
		b.WriteString("\n⚠ " + w + "\n")
	}
	for _, m := range rv.Samples {
		fmt.Fprintf(&b, "\n──────── To: %s\nSubject: %s\n\n%s", m.To, m.Subject, m.Text)
	}
	return b.String(), nil
}

func (s *campaignsScreen) onSend() {
	if s.selected < 0 {
		return
	}
	c := s.rows[s.selected]
	dialog.ShowConfirm("Send "+c.Name+"?", "Kindly sends one email to each patient in the review above,\nwithin the mailbox's limits. You can pause at any time.", func(ok bool) {
		if ok {
			s.start(c)
		}
	}, s.ui.window)
}

// start queues today's occurrence (or resumes the unfinished one) and sends in a goroutine.
func (s *campaignsScreen) start(c data.Campaign) {
	ctx, stop := context.WithCancel(context.Background())
	s.mu.Lock()
	s.stop = stop
	s.mu.Unlock()
	s.setRunning(true)
	s.status.SetText("Preparing…")
	go func() {
		res, err := s.run(ctx, c)
		s.ui.do(func() {
			s.setRunning(false)
			switch {
			case errors.Is(err, context.Canceled):
				s.status.SetText(fmt.Sprintf("Paused after %d emails. Send again to resume.", res.Sent))
			case err != nil:
				s.status.SetText("Stopped: " + errorText(err))
			default:
				s.status.SetText(fmt.Sprintf("Done: %d sent, %d failed, %d skipped.", res.Sent, res.Failed, res.Skipped))
				s.progress.SetValue(1)
			}
			s.refresh()
			s.reloadCounts(c)
		})
	}()
}

func (s *campaignsScreen) reloadCounts(c data.Campaign) {
	go func() {
		counts, err := s.ui.store.OutboxCounts(context.Background(), c.ID, "")
		s.ui.do(func() {
			if err == nil {
				s.counts.SetText(countsText(counts))
			}
		})
	}()
}

func (s *campaignsScreen) run(ctx context.Context, c data.Campaign) (mailer.Progress, error) {
	st, pr, err := mailer.Ready(s.ui.store)
	if err != nil {
		return mailer.Progress{}, err
	}
	cp, err := mailer.LoadCampaign(ctx, s.ui.store, c)
	if err != nil {
		return mailer.Progress{}, err
	}
	today, err := s.ui.store.Today()
	if err != nil {
		return mailer.Progress{}, err
	}
	loc, _ := s.ui.store.Location()
	occ, err := s.ui.store.UnfinishedOccurrence(ctx, c.ID)
	if err != nil {
		return mailer.Progress{}, err
	}
	if occ == "" {
		if occ, _, err = cp.QueueToday(ctx, s.ui.store, pr, today); err != nil {
			return mailer.Progress{}, err
		}
	}
	return s.sendOccurrence(ctx, cp, occ, st, pr, loc)
}

func (s *campaignsScreen) sendOccurrence(ctx context.Context, cp mailer.Campaign, occ string, st mailer.Settings, pr mailer.Practice, loc *time.Location) (mailer.Progress, error) {
	c := cp.Campaign
	total := 0
	if counts, err := s.ui.store.OutboxCounts(ctx, c.ID, occ); err == nil {
		for _, n := range counts {
			total += n
		}
	}
	s.ui.store.SetCampaignStatus(ctx, c.ID, "sending")
	sender := &mailer.Sender{Store: s.ui.store, Account: st.Account, Practice: pr, Limits: st.Limits, Window: cp.Schedule.Window, Location: loc,
		Progress: func(p mailer.Progress) {
			s.ui.do(func() {
				if total > 0 {
					s.progress.SetValue(float64(total-p.Remaining) / float64(total))
				}
				text := fmt.Sprintf("%d sent, %d failed, %d skipped, %d to go", p.Sent, p.Failed, p.Skipped, p.Remaining)
				if p.Waiting > 0 {
					text += " - " + p.Note + ", " + p.Waiting.Round(time.Second).String()
				}
				s.status.SetText(text)
			})
		}}
	res, err := sender.Run(ctx, c, occ)
	bg := context.WithoutCancel(ctx)
	switch {
	case err != nil:
		s.ui.store.SetCampaignStatus(bg, c.ID, "paused")
	default:
		s.ui.store.SetCampaignStatus(bg, c.ID, cp.StatusAfterRun())
		s.ui.store.Audit(bg, "send", fmt.Sprintf("campaign %q, occurrence %s: %d sent, %d failed, %d skipped", c.Name, occ, res.Sent, res.Failed, res.Skipped))
	}
	return res, err
}

func (s *campaignsScreen) onPause() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
	}
}

func (s *campaignsScreen) onCancel() {
	if s.selected < 0 {
		return
	}
	c := s.rows[s.selected]
	dialog.ShowConfirm("Cancel the run of "+c.Name+"?", "Emails not sent yet will not be sent. Those already sent stay sent.", func(ok bool) {
		if !ok {
			return
		}
		go func() {
			ctx := context.Background()
			occ, err := s.ui.store.UnfinishedOccurrence(ctx, c.ID)
			n := 0
			if err == nil && occ != "" {
				n, err = s.ui.store.CancelQueued(ctx, c.ID, occ)
			}
			s.ui.do(func() {
				if err != nil {
					s.ui.showError(err)
					return
				}
				s.status.SetText(fmt.Sprintf("Cancelled: %d emails will not be sent.", n))
				s.refresh()
			})
		}()
	}, s.ui.window)
}

func (s *campaignsScreen) onNew() {
	go func() {
		ctx := context.Background()
		segs, err := s.ui.store.Segments(ctx)
		tpls, err2 := s.ui.store.Templates(ctx)
		s.ui.do(func() {
			if err != nil || err2 != nil {
				s.ui.showError(fmt.Errorf("cannot list segments and templates: %v %v", err, err2))
				return
			}
			var sn, tn []string
			for _, x := range segs {
				sn = append(sn, x.Name)
			}
			for _, x := range tpls {
				tn = append(tn, x.Name)
			}
			showCampaignForm(s.ui, sn, tn, s.refresh)
		})
	}()
}

func (s *campaignsScreen) onExportResults() {
	if s.selected < 0 {
		s.status.SetText("Choose a campaign first.")
		return
	}
	c := s.rows[s.selected]
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		path := wc.URI().Path()
		wc.Close()
		s.exportResults(c, path)
	}, s.ui.window)
	d.SetFileName(c.Name + " results.xlsx")
	d.Resize(dialogSize(s.ui.window, 900, 600))
	d.Show()
}

func (s *campaignsScreen) onEdit() {
	if s.selected < 0 {
		s.status.SetText("Choose a campaign first.")
		return
	}
	c := s.rows[s.selected]
	go func() {
		ctx := context.Background()
		segs, err := s.ui.store.Segments(ctx)
		tpls, err2 := s.ui.store.Templates(ctx)
		var segName, tplName string
		var sn, tn []string
		for _, x := range segs {
			sn = append(sn, x.Name)
			if x.ID == c.SegmentID {
				segName = x.Name
			}
		}
		for _, x := range tpls {
			tn = append(tn, x.Name)
			if x.ID == c.TemplateID {
				tplName = x.Name
			}
		}
		s.ui.do(func() {
			if err != nil || err2 != nil {
				s.ui.showError(fmt.Errorf("cannot list segments and templates: %v %v", err, err2))
				return
			}
			showCampaignFormFor(s.ui, &c, segName, tplName, sn, tn, s.refresh)
		})
	}()
}
