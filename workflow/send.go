package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"kindly/data"
	"kindly/mailer"
)

// Queued is what queueing an occurrence did: new rows, or the run that was
// already there and is resumed.
type Queued struct {
	Occurrence string
	Resumed    bool // an unfinished run was found; nothing new was queued
	data.QueueResult
}

// Queue writes one outbox row per recipient of today's occurrence, in one
// transaction - unless an earlier run is unfinished: then that one is
// resumed and nothing is queued.
func (w *Workflow) Queue(ctx context.Context, name string) (Queued, error) {
	cp, st, err := w.campaignWithSettings(ctx, name)
	if err != nil {
		return Queued{}, err
	}
	return w.queue(ctx, cp, st.Practice)
}

// campaignWithSettings loads a campaign and the practice's settings.
func (w *Workflow) campaignWithSettings(ctx context.Context, name string) (Campaign, data.Settings, error) {
	cp, err := w.Campaign(ctx, name)
	if err != nil {
		return cp, data.Settings{}, err
	}
	st, err := w.store.Settings(ctx)
	return cp, st, err
}

func (w *Workflow) queue(ctx context.Context, cp Campaign, pr data.Practice) (Queued, error) {
	for _, t := range cp.templates() {
		if err := mailer.CheckPractice(t, pr); err != nil { // never "Call us on  to book"
			return Queued{}, err
		}
	}
	today, err := w.store.Today(ctx)
	if err != nil {
		return Queued{}, err
	}
	occ, err := w.store.UnfinishedOccurrence(ctx, cp.ID)
	if err != nil || occ != "" {
		if err == nil {
			err = w.mendFamilies(ctx, cp, occ, pr, today)
		}
		return Queued{Occurrence: occ, Resumed: occ != ""}, err
	}
	if occ, err = w.occurrenceToday(ctx, cp, today); err != nil {
		return Queued{}, err
	}
	run, err := w.dayRun(ctx, cp, today)
	if err != nil {
		return Queued{}, err
	}
	res, err := w.store.QueueCampaign(ctx, cp.Campaign, occ, run.Audience, run.Options,
		func(p data.Patient) (data.Rendered, error) {
			m, err := cp.message(run, p, pr, today)
			return data.Rendered{Subject: m.Subject, Text: m.Text, HTML: m.HTML}, err
		})
	return Queued{Occurrence: occ, QueueResult: res}, err
}

// mendFamilies writes again the waiting family emails of a run that name
// someone who may no longer get them (opted out, archived, their address
// bounced since they were queued): the others get one email without them,
// and they a skipped row with the reason. Sent as it was, the claim would
// refuse the email whole, and the family would miss it.
func (w *Workflow) mendFamilies(ctx context.Context, cp Campaign, occ string, pr data.Practice, today data.Date) error {
	families, err := w.store.BrokenFamilies(ctx, cp.ID, occ, cp.Purpose)
	if err != nil {
		return err
	}
	for _, fam := range families {
		run := data.DayRun{Steps: map[int64]data.Step{}, Appointments: map[int64]data.Appointment{}}
		var ids, rows []int64
		for _, m := range fam {
			rows = append(rows, m.OutboxID)
			if m.PatientID == 0 {
				continue // deleted since: their row goes
			}
			ids = append(ids, m.PatientID)
			run.Steps[m.PatientID] = m.Step
			if m.Step.AppointmentID != 0 {
				if run.Appointments[m.PatientID], err = w.store.AppointmentByID(ctx, m.Step.AppointmentID); err != nil {
					return err
				}
			}
		}
		opt := data.QueueOptions{BypassCap: cp.Schedule.BypassCap, Family: true, Replace: rows,
			Step: func(p data.Patient) (data.Step, bool) { st, ok := run.Steps[p.ID]; return st, ok }}
		if _, err := w.store.QueueCampaign(ctx, cp.Campaign, occ, data.PatientsAmong(data.Rule{Kind: data.KindAll}, ids), opt,
			func(p data.Patient) (data.Rendered, error) {
				m, err := cp.message(run, p, pr, today)
				return data.Rendered{Subject: m.Subject, Text: m.Text, HTML: m.HTML}, err
			}); err != nil {
			return err
		}
	}
	return nil
}

// SendProgress is a running send, for progress bars.
type SendProgress struct {
	mailer.Progress
	Queued Queued
	Total  int // messages of the occurrence, whatever their status
}

// Done is the share of the occurrence that is through, 0 to 1.
func (p SendProgress) Done() float64 {
	if p.Total == 0 {
		return 0
	}
	return float64(p.Total-p.Remaining) / float64(p.Total)
}

// SendOptions steer a send.
type SendOptions struct {
	// Progress, when set, is told how the run stands now and then.
	Progress func(SendProgress)
	// GiveUpAfter ends the run when the mail server stays out of reach this
	// long; 0 keeps trying until it is back (the window).
	GiveUpAfter time.Duration
}

// SendResult is how a send ended.
type SendResult struct {
	Campaign string
	Queued   Queued
	// Progress is this run's; Totals counts the whole occurrence by status,
	// every run of it.
	mailer.Progress
	Totals map[string]int
	// Status is the campaign's status afterwards: done or scheduled when the
	// run went through, paused when the practice paused it (or it stopped),
	// still sending when Kindly was closing (it goes on at the next start).
	Status data.CampaignStatus
}

// Send queues today's occurrence of a campaign (or resumes the unfinished
// run) and sends it within the mailbox's limits and the send window.
// Ending ctx pauses the run - unless its cause is ErrInterrupted, which
// leaves it to go on by itself when Kindly starts again. A run that went
// through is written to the audit log.
func (w *Workflow) Send(ctx context.Context, name string, opts SendOptions) (SendResult, error) {
	res := SendResult{Campaign: name}
	cp, st, err := w.campaignWithSettings(ctx, name)
	if err != nil {
		return res, err
	}
	res.Campaign = cp.Name
	unlock, err := w.store.LockSending() // another sender: say so before anything changes; held to the end
	if err != nil {
		return res, err
	}
	defer unlock()
	sender, err := w.senderFor(ctx, cp, st)
	if err != nil {
		return res, err
	}
	if res.Queued, err = w.queue(ctx, cp, st.Practice); err != nil {
		return res, err
	}
	occ := res.Queued.Occurrence
	counts, _ := w.store.OutboxCounts(ctx, cp.ID, occ)
	total := 0
	for _, n := range counts {
		total += n
	}
	if err := w.store.SetCampaignStatus(ctx, cp.ID, data.CampaignSending); err != nil {
		return res, err
	}
	sender.Progress = func(p mailer.Progress) {
		if opts.Progress != nil {
			opts.Progress(SendProgress{Progress: p, Queued: res.Queued, Total: total})
		}
	}
	sender.Progress(mailer.Progress{Remaining: counts[data.StatusQueued]}) // what is about to go out, before the first email
	sender.GiveUpAfter = opts.GiveUpAfter
	res.Progress, err = sender.RunLocked(ctx, cp.Campaign, occ)
	return res, w.afterRun(ctx, cp, &res, err)
}

// senderFor is the sender of a campaign: the account signed in, the
// practice, the mailbox's limits and the campaign's send window.
func (w *Workflow) senderFor(ctx context.Context, cp Campaign, st data.Settings) (*mailer.Sender, error) {
	acct, err := mailer.Credentials(ctx, st.Mail)
	if err != nil {
		return nil, err
	}
	loc, err := w.store.Location(ctx)
	if err != nil {
		return nil, err
	}
	return &mailer.Sender{Store: w.store, Account: acct, Practice: st.Practice, Limits: mailer.LimitsOf(st.Mail),
		Window: cp.Schedule.Window, Location: loc}, nil
}

// afterRun records how a run ended - even when it was paused - and a run
// that went through in the audit log; it returns the run's error, if any
// is the practice's to see.
func (w *Workflow) afterRun(ctx context.Context, cp Campaign, res *SendResult, err error) error {
	bg := context.WithoutCancel(ctx)
	occ := res.Queued.Occurrence
	res.Totals, _ = w.store.OutboxCounts(bg, cp.ID, occ)
	switch {
	case err != nil && errors.Is(context.Cause(ctx), ErrInterrupted):
		res.Status = data.CampaignSending // goes on at the next start
		return nil
	case err != nil && ctx.Err() != nil:
		res.Status = data.CampaignPaused
		return w.store.SetCampaignStatus(bg, cp.ID, res.Status)
	case errors.Is(err, data.ErrSenderBusy):
		// Another computer took the sending lock while this one's line to
		// the server was down: the run is that computer's now, and so is
		// the campaign's status.
		res.Status = data.CampaignSending
		return err
	case err != nil:
		res.Status = data.CampaignPaused
		w.store.SetCampaignStatus(bg, cp.ID, res.Status)
		return err
	}
	res.Status = cp.afterRun()
	if err := w.store.SetCampaignStatus(bg, cp.ID, res.Status); err != nil {
		return err
	}
	return w.store.Audit(bg, "send", fmt.Sprintf("campaign %q, occurrence %s: %d sent, %d failed, %d skipped, %d uncertain",
		cp.Name, occ, res.Sent, res.Failed, res.Skipped, res.Uncertain))
}

// Cancelled is what cancelling a run did.
type Cancelled struct {
	Occurrence string
	Count      int // queued emails that will not be sent
	Status     data.CampaignStatus
}

// Cancel cancels a campaign's unfinished run: emails not sent yet are not
// sent; those sent stay sent. It is written to the audit log.
func (w *Workflow) Cancel(ctx context.Context, name string) (Cancelled, error) {
	cp, err := w.Campaign(ctx, name)
	if err != nil {
		return Cancelled{}, err
	}
	occ, err := w.store.UnfinishedOccurrence(ctx, cp.ID)
	if err != nil {
		return Cancelled{}, err
	}
	if occ == "" {
		return Cancelled{}, data.Problemf(data.KindNotFound, data.HintNone, cp.Name, fmt.Sprintf("%q has no unfinished run to cancel", cp.Name), data.ErrNotFound)
	}
	n, err := w.store.CancelQueued(ctx, cp.ID, occ)
	if err != nil {
		return Cancelled{}, err
	}
	res := Cancelled{Occurrence: occ, Count: n, Status: cp.afterRun()}
	if err := w.store.SetCampaignStatus(ctx, cp.ID, res.Status); err != nil {
		return res, err
	}
	return res, w.store.Audit(ctx, "send", fmt.Sprintf("campaign %q, occurrence %s: cancelled, %d not sent", cp.Name, occ, n))
}

// Interrupted lists the campaigns whose run was being sent when Kindly
// stopped (or was closed) with emails still queued: they go on by
// themselves. A run the practice paused is not among them.
func (w *Workflow) Interrupted(ctx context.Context) ([]string, error) {
	cs, err := w.store.Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, c := range cs {
		if c.Status != data.CampaignSending {
			continue
		}
		if occ, err := w.store.UnfinishedOccurrence(ctx, c.ID); err != nil {
			return nil, err
		} else if occ != "" {
			names = append(names, c.Name)
		}
	}
	return names, nil
}

// OutboxStatus is a campaign's messages by status.
type OutboxStatus struct {
	Campaign string
	Status   data.CampaignStatus
	Counts   map[string]int // by outbox status; every status is present
}

// OutboxStatuses are the outbox statuses in the order people read them.
var OutboxStatuses = []string{data.StatusQueued, data.StatusSending, data.StatusSent, data.StatusBounced, data.StatusFailed, data.StatusSkipped,
	data.StatusUncertain, data.StatusCancelled}

// Outbox counts a campaign's messages by status, over all its runs.
func (w *Workflow) Outbox(ctx context.Context, name string) (OutboxStatus, error) {
	c, err := w.campaignNamed(ctx, name)
	if err != nil {
		return OutboxStatus{}, err
	}
	counts, err := w.store.OutboxCounts(ctx, c.ID, "")
	if err != nil {
		return OutboxStatus{}, err
	}
	for _, s := range OutboxStatuses {
		counts[s] += 0
	}
	return OutboxStatus{Campaign: c.Name, Status: c.Status, Counts: counts}, nil
}

// SendTest sends one sample of a campaign - the first recipient's email -
// to the practice's own address, marked [Test], and returns that address.
func (w *Workflow) SendTest(ctx context.Context, name string) (string, error) {
	cp, err := w.Campaign(ctx, name)
	if err != nil {
		return "", err
	}
	today, err := w.store.Today(ctx)
	if err != nil {
		return "", err
	}
	sample := data.Patient{FirstName: "Test", LastName: "Patient"}
	if run, err := w.dayRun(ctx, cp, today); err == nil {
		if ps, _ := w.store.SampleRecipients(ctx, cp.Purpose, run.Audience, 1); len(ps) == 1 {
			sample = ps[0]
		}
	}
	return w.SendTemplateTest(ctx, cp.Template, sample)
}

// SendTemplateTest renders a template for a patient and sends it to the
// practice's own address, marked [Test]; it returns that address.
func (w *Workflow) SendTemplateTest(ctx context.Context, tpl mailer.Template, sample data.Patient) (string, error) {
	st, err := w.store.Settings(ctx)
	if err != nil {
		return "", err
	}
	if st.Practice.Email == "" {
		return "", data.Problemf(data.KindNotSetUp, data.HintPracticeDetails, "", "set the practice's email first", nil)
	}
	acct, err := mailer.Credentials(ctx, st.Mail)
	if err != nil {
		return "", err
	}
	today, err := w.store.Today(ctx)
	if err != nil {
		return "", err
	}
	m, err := tpl.Render(sample, st.Practice, today)
	if err != nil {
		return "", err
	}
	m.To, m.Subject = st.Practice.Email, "[Test] "+m.Subject // the sample's text, to the practice's own address
	conn, err := mailer.Dial(ctx, acct, st.Practice)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	return m.To, conn.Send(m)
}

// Uncertain lists a campaign's emails that may or may not have arrived
// (Kindly or the connection stopped while they were being sent); they wait
// for the practice's decision and are never sent again without it.
func (w *Workflow) Uncertain(ctx context.Context, name string) ([]data.OutboxEntry, error) {
	c, err := w.campaignNamed(ctx, name)
	if err != nil {
		return nil, err
	}
	return w.store.Uncertain(ctx, c.ID)
}

// ResolveUncertain records the practice's decision about uncertain emails
// of a campaign (ids; nil: all of them): they arrived, or they are sent
// again with the next send. It is written to the audit log.
func (w *Workflow) ResolveUncertain(ctx context.Context, name string, ids []int64, arrived bool) (int, error) {
	c, err := w.campaignNamed(ctx, name)
	if err != nil {
		return 0, err
	}
	if ids == nil {
		all, err := w.store.Uncertain(ctx, c.ID)
		if err != nil {
			return 0, err
		}
		for _, e := range all {
			ids = append(ids, e.ID)
		}
	}
	n, err := w.store.ResolveUncertain(ctx, c, ids, arrived)
	if err == nil && n == 0 && len(ids) > 0 {
		return 0, data.Problemf(data.KindNotFound, data.HintUncertain, c.Name, fmt.Sprintf("none of those emails of %q is uncertain", c.Name), data.ErrNotFound)
	}
	if err == nil && !arrived && n > 0 && c.Status != data.CampaignSending {
		// Sent again with the next send of this campaign.
		err = w.store.SetCampaignStatus(ctx, c.ID, data.CampaignPaused)
	}
	return n, err
}
