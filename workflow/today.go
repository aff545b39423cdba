package workflow

import (
	"context"
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
	entries, err := w.store.Calendar(ctx, today, today)
	if err != nil {
		return o, err
	}
	for _, e := range entries {
		if e.Audience > 0 {
			o.Due = append(o.Due, e)
		}
	}
	cs, err := w.store.Campaigns(ctx)
	if err != nil {
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
	o.Inbox, err = w.store.InboxTotals(ctx)
	return o, err
}
