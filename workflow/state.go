package workflow

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"kindly/data"
)

// The states of a campaign as its page shows them, with what Send does.
const (
	StateReady     = "ready"     // an occurrence is due (or it is sent by hand): Send sends ToSend emails
	StateBlocked   = "blocked"   // due, but something must be fixed first (Blockers)
	StateNobody    = "nobody"    // due, but nobody would get it
	StateScheduled = "scheduled" // nothing due today: NextDue is when
	StatePaused    = "paused"    // a run was paused or stopped with emails left: Send goes on
	StateSending   = "sending"   // a run is being sent (or was, when Kindly stopped: Send goes on)
	StateDone      = "done"      // this occurrence went out; nothing left to send
)

// occurrenceState fills the review's state: the occurrence a Send would
// work on, what it did so far, and what the next Send does. The plan is
// the queue's own selection, so the numbers are what Send will do.
// keep, when not nil, receives the recipients table of the same pass (see
// Recipients), so the window walks the plan once.
func (w *Workflow) occurrenceState(ctx context.Context, cp Campaign, dates Dates, rv *Review, keep *[]data.Recipient) error {
	today := dates.Today
	occ, resumed, err := w.nextOccurrence(ctx, cp, today)
	if !resumed && errors.Is(err, ErrNothingDue) {
		return w.notDueState(ctx, cp, dates, rv, keep)
	}
	if !resumed && err != nil {
		return err
	}
	rv.Occurrence = occ
	if rv.ThisTime, err = w.store.OutboxCounts(ctx, cp.ID, occ); err != nil {
		return err
	}
	if err = w.countPlan(ctx, cp, today, occ, rv, keep); err != nil {
		return err
	}
	rv.State, rv.StateText = runState(cp, dates, rv, resumed)
	if len(rv.Blockers) > 0 && (rv.State == StateReady || rv.State == StatePaused || rv.State == StateSending) {
		rv.State = StateBlocked
		rv.StateText = "Cannot send yet: " + strings.Join(rv.Blockers, " ")
	}
	return nil
}

// notDueState is the state of a campaign with nothing due today: done
// with its one day, or scheduled for the next.
func (w *Workflow) notDueState(ctx context.Context, cp Campaign, dates Dates, rv *Review, keep *[]data.Recipient) error {
	if keep != nil { // who got the last occurrence's email
		occ, err := w.store.LastOccurrence(ctx, cp.ID)
		if err != nil {
			return err
		}
		if occ != "" {
			if *keep, err = w.store.HandledRecipients(ctx, cp.Campaign, occ); err != nil {
				return err
			}
		}
	}
	if cp.Status == data.CampaignDone { // sent on its one day; nothing more is planned
		var err error
		rv.State = StateDone
		if rv.ThisTime, err = w.store.OutboxCounts(ctx, cp.ID, ""); err != nil {
			return err
		}
		rv.StateText = "Done: " + CountsText(rv.ThisTime) + ". Nothing more is planned."
		return nil
	}
	rv.State = StateScheduled
	rv.StateText = "Scheduled: nothing is due today."
	if next, ok := nextStart(cp.Schedule, dates.Today); ok {
		rv.NextDue = next.String()
		rv.StateText = fmt.Sprintf("Scheduled: the next send is on %s. Nothing is due today.", dates.Day(next))
	}
	return nil
}

// countPlan counts who a Send would email and skip: what is left of a run,
// as the claim will judge it now (an opt-out since queueing is skipped
// then, so it is counted as skipped now), and those not queued yet. keep,
// when not nil, receives them all, after those the occurrence's emails
// already went to (or skipped).
func (w *Workflow) countPlan(ctx context.Context, cp Campaign, today data.Date, occ string, rv *Review, keep *[]data.Recipient) error {
	var planned []data.Recipient
	addresses := map[string]bool{}
	count := func(r data.Recipient) {
		switch {
		case r.Gets:
			rv.ToSend++
			addresses[strings.ToLower(r.Email)] = true
			if !r.Due.IsZero() && r.Due.Before(today) {
				rv.late(r.Due)
			}
		default:
			rv.Skipping++
			if strings.HasPrefix(r.Reason, noCareConsent) {
				rv.NoConsent++
			}
		}
	}
	err := w.walkPlan(ctx, cp, today, occ, func(r data.Recipient) error {
		count(r)
		if keep != nil {
			planned = append(planned, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	left, err := w.store.LeftToSend(ctx, cp.Campaign, occ)
	if err != nil {
		return err
	}
	for _, r := range left {
		count(r)
	}
	rv.Emails = rv.ToSend
	if cp.Schedule.Family {
		rv.Emails = len(addresses)
	}
	if keep != nil {
		handled, err := w.store.HandledRecipients(ctx, cp.Campaign, occ)
		if err != nil {
			return err
		}
		*keep = append(append(handled, left...), planned...)
	}
	return nil
}

// late counts a caught-up email due on an earlier day.
func (rv *Review) late(day data.Date) {
	for i := range rv.Late {
		if rv.Late[i].Day == day {
			rv.Late[i].Count++
			return
		}
	}
	rv.Late = append(rv.Late, data.LateDay{Day: day, Count: 1})
	sort.Slice(rv.Late, func(i, j int) bool { return rv.Late[i].Day.Before(rv.Late[j].Day) })
}

// noCareConsent begins the reason a patient is left out where the practice
// asks for consent to care reminders first.
const noCareConsent = "no consent to care reminders"

// runState is the state of a campaign with an occurrence to work on, in
// one line.
func runState(cp Campaign, dates Dates, rv *Review, resumed bool) (string, string) {
	done, handled := Handled(rv.ThisTime)
	sofar := "nothing sent yet"
	if handled > 0 {
		sofar = CountsText(done) + " so far"
	}
	switch {
	case resumed && cp.Status == data.CampaignSending:
		return StateSending, fmt.Sprintf("Sending was interrupted: %s; %s left. Send goes on where it stopped.", sofar, Emails(rv.ToSend))
	case resumed:
		return StatePaused, fmt.Sprintf("Paused: %s; %s left. Send goes on where it stopped.", sofar, Emails(rv.ToSend))
	case rv.ToSend == 0 && handled > 0:
		text := "Done for this time: " + CountsText(rv.ThisTime) + "."
		switch cp.Schedule.Kind {
		case data.ScheduleBirthday, data.ScheduleRecall:
			text += " Kindly sends to the next patients as they become due (the calendar shows when)."
		case data.ScheduleSeason:
			if next, ok := nextStart(cp.Schedule, dates.Today); ok {
				rv.NextDue = next.String()
				text += " The next send is on " + dates.Day(next) + "."
			}
		}
		return StateDone, text
	case rv.ToSend == 0:
		return StateNobody, "Nobody would get this email today."
	}
	text := fmt.Sprintf("Ready: %s to send now", Emails(rv.ToSend))
	if rv.Skipping > 0 {
		text += fmt.Sprintf(", %s skipped (see who and why)", Patients(rv.Skipping))
	}
	if handled > 0 {
		text += fmt.Sprintf("; already this time: %s", CountsText(rv.ThisTime))
	}
	return StateReady, text + "."
}

// nextOccurrence is the occurrence the next Send works on: an unfinished
// run's (resumed), or today's (ErrNothingDue when none is due).
func (w *Workflow) nextOccurrence(ctx context.Context, cp Campaign, today data.Date) (occ string, resumed bool, err error) {
	if occ, err = w.store.UnfinishedOccurrence(ctx, cp.ID); err != nil || occ != "" {
		return occ, occ != "", err
	}
	occ, err = w.occurrenceToday(ctx, cp, today)
	return occ, false, err
}

// Recipients lists, for the occurrence a Send works on (or, with nothing
// due, the last one): who the email already went to, when, and with what
// result; then who the next Send emails and who it skips, with the reason:
// what is left of an unfinished run, then the members not queued yet,
// exactly as the queue will take them.
func (w *Workflow) Recipients(ctx context.Context, name string) ([]data.Recipient, error) {
	cp, err := w.Campaign(ctx, name)
	if err != nil {
		return nil, err
	}
	today, err := w.store.Today(ctx)
	if err != nil {
		return nil, err
	}
	occ, _, err := w.nextOccurrence(ctx, cp, today)
	due := err == nil
	if errors.Is(err, ErrNothingDue) {
		occ, err = w.store.LastOccurrence(ctx, cp.ID)
	}
	if err != nil || occ == "" {
		return nil, err
	}
	out, err := w.store.HandledRecipients(ctx, cp.Campaign, occ)
	if err != nil {
		return nil, err
	}
	left, err := w.store.LeftToSend(ctx, cp.Campaign, occ)
	if err != nil {
		return nil, err
	}
	out = append(out, left...)
	if due {
		err = w.walkPlan(ctx, cp, today, occ, func(r data.Recipient) error { out = append(out, r); return nil })
	}
	return out, err
}

// walkPlan walks the members of occ's audience not queued yet, as the
// queue will take them: who gets the email, and who is skipped and why.
func (w *Workflow) walkPlan(ctx context.Context, cp Campaign, today data.Date, occ string, each func(data.Recipient) error) error {
	run, err := w.dayRun(ctx, cp, today)
	if err != nil {
		return err
	}
	var leadEmail, leadName string // the family whose email is being planned
	return w.store.PlanRecipients(ctx, cp.Campaign, occ, run.Audience, run.Options,
		func(p data.Planned) error {
			r := data.Recipient{PatientID: p.Patient.ID, Name: p.Patient.LastName + ", " + p.Patient.FirstName,
				Email: p.Patient.Email, Gets: p.WhyNot == "", Reason: p.WhyNot, Due: p.Step.Due}
			if r.Gets && run.Options.Family {
				if strings.EqualFold(r.Email, leadEmail) {
					r.Reason = "in one email with " + leadName
				} else {
					leadEmail, leadName = r.Email, p.Patient.CallName()
				}
			}
			return each(r)
		})
}

// nextStart is the first day after today an occurrence of a schedule starts.
func nextStart(s data.Schedule, today data.Date) (data.Date, bool) {
	for _, o := range s.Occurrences(today.AddDays(1), today.AddDays(3*366)) {
		if o.Start.After(today) {
			return o.Start, true
		}
	}
	return data.Date{}, false
}

// CanSend says whether Send does something in the review's state.
func (rv Review) CanSend() bool {
	return rv.State == StateReady || rv.State == StatePaused || rv.State == StateSending
}

// CountsText is an outbox's counts in words: "236 sent, 2 failed, 52 skipped".
func CountsText(c map[string]int) string {
	var parts []string
	for _, st := range OutboxStatuses {
		if c[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[st], st))
		}
	}
	if len(parts) == 0 {
		return "nothing sent yet"
	}
	return strings.Join(parts, ", ")
}

// waiting says whether an email of the outbox still waits for a Send.
func waiting(status string) bool { return status == data.StatusQueued || status == data.StatusSending }

// Handled is an occurrence's emails no longer waiting, by status, and how
// many they are.
func Handled(counts map[string]int) (map[string]int, int) {
	done, n := map[string]int{}, 0
	for st, k := range counts {
		if !waiting(st) {
			done[st] = k
			n += k
		}
	}
	return done, n
}
