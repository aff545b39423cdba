package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"kindly/data"
)

// Overview is the start of the practice's day: what is due, what waits in
// the send queue, and how much the mailbox may still send.
type Overview struct {
	Patients int              // all patients, archived too
	Due      []data.PlanEntry // today's occurrences with someone to send to
	Queue    []QueueLine      // campaigns with emails waiting or uncertain
	Mail     data.MailAccount
	SentDay  int // emails sent in the last 24 hours, across campaigns
	LeftDay  int // of the daily limit, when there is one
	// Inbox is what came back by mail; InboxSet says whether the account
	// has an inbox Kindly reads.
	Inbox    data.InboxTotals
	InboxSet bool
	// Setup is the first day's checklist, each step ticked when done.
	Setup []SetupStep
}

// SetupStep is a step of setting Kindly up for the practice.
type SetupStep struct {
	Step string // SetupPractice, SetupMailbox, SetupPatients or SetupCampaign
	Text string
	Done bool
}

// The first day's steps.
const (
	SetupPractice = "practice"
	SetupMailbox  = "mailbox"
	SetupPatients = "patients"
	SetupCampaign = "campaign"
)

// SetUp says whether every step of the first day is done.
func (o Overview) SetUp() bool {
	for _, s := range o.Setup {
		if !s.Done {
			return false
		}
	}
	return true
}

// DueLine is a due occurrence in words: "Flu shots (the 2026 season): 236
// patients".
func (o Overview) DueLine(e data.PlanEntry, dates Dates) string {
	s := fmt.Sprintf("%s (%s): %s", e.Campaign, OccurrenceText(e.Occurrence, dates), Patients(e.Audience))
	if len(e.Late) > 0 {
		s += ", " + LateText(e.Late, e.Occurrence)
	}
	return s
}

// Line is a campaign's queue in words.
func (q QueueLine) Line() string {
	s := fmt.Sprintf("%s: %d waiting, %d sent", q.Campaign, q.Waiting, q.Sent)
	if q.Uncertain > 0 {
		s += fmt.Sprintf(", %d uncertain (Kindly stopped while sending; not sent again)", q.Uncertain)
	}
	return s
}

// MailboxLine is the mailbox's room today in words.
func (o Overview) MailboxLine() Sentence {
	if !o.Mail.Configured() {
		return Sentence{Text: "No mail account yet.", Hint: data.HintMailAccount}
	}
	s := fmt.Sprintf("%s: %d sent in the last 24 hours", o.Mail.Host, o.SentDay)
	if d := o.Mail.DayLimit(); d > 0 {
		s += fmt.Sprintf(", %d left of %d a day", o.LeftDay, d)
	}
	if o.Mail.ServerPerDay > 0 && o.Mail.ServerPerDay == o.Mail.DayLimit() {
		s += " (the quota your mail server enforced)"
	}
	return Sentence{Text: s + "."}
}

// QueueLine is a campaign's queue.
type QueueLine struct {
	Campaign                 string
	Waiting, Sent, Uncertain int
}

// Today is the overview of the day.
func (w *Workflow) Today(ctx context.Context) (Overview, error) {
	var o Overview
	var err error
	if o.Patients, err = w.store.CountPatients(ctx, data.PatientQuery{IncludeArchived: true}); err != nil {
		return o, err
	}
	today, err := w.store.Today(ctx)
	if err != nil {
		return o, err
	}
	cs, err := w.store.Campaigns(ctx)
	if err != nil {
		return o, err
	}
	if o.Due, err = w.due(ctx, cs, today); err != nil {
		return o, err
	}
	for _, c := range cs {
		counts, err := w.store.OutboxCounts(ctx, c.ID, "")
		if err != nil {
			return o, err
		}
		if counts[data.StatusQueued] > 0 || counts[data.StatusUncertain] > 0 {
			o.Queue = append(o.Queue, QueueLine{c.Name, counts[data.StatusQueued], counts[data.StatusSent], counts[data.StatusUncertain]})
		}
	}
	st, err := w.store.Settings(ctx)
	if err != nil {
		return o, err
	}
	o.Mail = st.Mail
	if o.SentDay, err = w.store.SentSince(ctx, w.store.Now().Add(-24*time.Hour)); err != nil {
		return o, err
	}
	o.LeftDay = max(st.Mail.DayLimit()-o.SentDay, 0)
	o.InboxSet = st.Mail.ReadsInbox()
	pr := st.Practice
	o.Setup = []SetupStep{
		{SetupPractice, "The practice's details: name, address, phone and email (every email shows them)",
			pr.Name != "" && pr.Address != "" && pr.Phone != "" && pr.Email != ""},
		{SetupMailbox, "The mailbox Kindly sends from", st.Mail.Configured()},
		{SetupPatients, "The patients: import the practice's list (or try sample patients)", o.Patients > 0},
		{SetupCampaign, "A first campaign: who gets which email, and when", len(cs) > 0},
	}
	o.Inbox, err = w.store.InboxTotals(ctx)
	return o, err
}

// due are the scheduled campaigns a Send would email someone with today:
// an occurrence that starts today, one still running (a season begun on
// the 1st), or an unfinished run - with how many it would email, as the
// campaign's page counts them.
func (w *Workflow) due(ctx context.Context, cs []data.Campaign, today data.Date) ([]data.PlanEntry, error) {
	var out []data.PlanEntry
	for _, c := range cs {
		sched, err := data.ParseSchedule(c.Schedule)
		if err != nil || sched.Kind == "" || c.SegmentID == 0 || c.TemplateID == 0 || c.Status == data.CampaignDraft {
			continue // sent by hand, or not finished: never "due"
		}
		cp, err := w.Campaign(ctx, c.Name)
		if err != nil {
			continue // its page says what is wrong
		}
		occ, _, err := w.nextOccurrence(ctx, cp, today)
		if errors.Is(err, ErrNothingDue) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var rv Review
		if err := w.countPlan(ctx, cp, today, occ, &rv, nil); err != nil {
			return nil, err
		}
		if rv.ToSend > 0 {
			out = append(out, data.PlanEntry{Day: today, End: today, Campaign: c.Name, Purpose: c.Purpose, Occurrence: occ, Audience: rv.ToSend,
				Late: rv.Late})
		}
	}
	return out, nil
}
