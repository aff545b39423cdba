package workflow

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"kindly/data"
	"kindly/mailer"
)

// InboxReport is what one check of the practice's inbox found.
type InboxReport struct {
	Read          int `json:"read"`           // new messages read
	BounceReports int `json:"bounce_reports"` // bounce messages (hard and soft)
	Bounced       int `json:"bounced"`        // addresses they were about
	Unusable      int `json:"unusable"`       // of those, addresses that became unusable
	Delayed       int `json:"delayed"`        // notices that delivery is still being tried: nothing changed
	OptOuts       int `json:"opt_outs"`       // patients who asked to stop (replies and complaints)
	Review        int `json:"review"`         // messages listed for the practice to decide
	AutoReplies   int `json:"auto_replies"`   // out-of-office and the like: nothing changed
	Replies       int `json:"replies"`        // ordinary replies to Kindly's emails: nothing changed
	Other         int `json:"other"`          // mail that is not about Kindly's emails
	Moved         int `json:"moved"`          // handled messages moved to the account's folder for them
	// Lines say what changed, one per message that changed something.
	Lines []string `json:"lines"`
}

// ErrNoInbox says the mail account has no inbox server set.
var ErrNoInbox error = data.Problemf(data.KindNotSetUp, data.HintInboxServer, "", "the inbox server (IMAP) is not set up", nil)

// CheckInbox reads the new messages of the practice's inbox and records
// what came back: bounces make addresses unusable, opt-out replies and spam
// complaints opt patients out, what Kindly cannot read for sure is listed
// for the practice. Each message counts once (the mailbox's read position
// is kept). The mailbox is left as it is, unless the practice chose in
// Settings to move the bounces Kindly handled into a folder of their own.
func (w *Workflow) CheckInbox(ctx context.Context, progress func(read int)) (InboxReport, error) {
	c := &inboxCheck{w: w, ctx: ctx, progress: progress, bounced: map[string]bool{}, unusable: map[string]bool{}}
	in, err := c.open()
	if err != nil {
		return c.rep, err
	}
	_, err = mailer.FetchNew(ctx, in, c.readFrom, c.onMessage, func(uidValidity, lastUID uint32) error {
		return w.store.SaveInboxState(ctx, data.InboxState{Mailbox: c.mailbox, UIDValidity: uidValidity, LastUID: lastUID})
	})
	c.rep.Bounced, c.rep.Unusable = len(c.bounced), len(c.unusable)
	if c.rep.Read > 0 {
		if aerr := w.store.Audit(context.WithoutCancel(ctx), "inbox", c.rep.Summary()); err == nil {
			err = aerr
		}
	}
	return c.rep, err
}

// inboxCheck is one CheckInbox: what it reads with, and what it found.
type inboxCheck struct {
	w        *Workflow
	ctx      context.Context
	progress func(read int)
	st       data.Settings
	tag, own string // this database's Message-ID part; the practice's own address
	mailbox  string // the read position's key: user@server/INBOX
	validity uint32
	rep      InboxReport
	// Addresses, each counted once however many reports name it.
	bounced, unusable map[string]bool
}

// open reads the settings and prepares the inbox: signed in, and told
// which messages to download whole (those about Kindly's emails).
func (c *inboxCheck) open() (mailer.Inbox, error) {
	var err error
	if c.st, err = c.w.store.Settings(c.ctx); err != nil {
		return mailer.Inbox{}, err
	}
	if !c.st.Mail.Configured() {
		return mailer.Inbox{}, fmt.Errorf("%w: set it up first", mailer.ErrNoAccount)
	}
	if c.st.Mail.IMAPHost == "" {
		return mailer.Inbox{}, ErrNoInbox
	}
	acct, err := mailer.Credentials(c.ctx, c.st.Mail)
	if err != nil {
		return mailer.Inbox{}, err
	}
	if c.tag, err = c.w.store.MessageTag(c.ctx); err != nil {
		return mailer.Inbox{}, err
	}
	c.own = c.st.Practice.Email
	if a, err := mail.ParseAddress(c.st.Mail.From); err == nil && c.own == "" {
		c.own = a.Address
	}
	known, err := c.w.store.PatientEmails(c.ctx)
	if err != nil {
		return mailer.Inbox{}, err
	}
	in := mailer.InboxOf(c.st.Mail, acct)
	in.TLSConfig = c.w.inboxTLS
	in.Wants = func(start []byte) bool {
		return mailer.NeedsMore(start, c.tag, func(addr string) bool { return known[addr] })
	}
	c.mailbox = strings.ToLower(c.st.Mail.User + "@" + c.st.Mail.IMAPHost + "/INBOX")
	return in, nil
}

// readFrom is where the last check stopped in this mailbox.
func (c *inboxCheck) readFrom(uidValidity uint32) (uint32, error) {
	c.validity = uidValidity
	s, err := c.w.store.InboxState(c.ctx, c.mailbox, uidValidity)
	return s.LastUID, err
}

// onMessage reads one new message and records what it says, with the read
// position: never twice, even after a crash. It says whether to move the
// message out of the inbox (handled, when the practice asked for that).
func (c *inboxCheck) onMessage(uid uint32, raw []byte) (bool, error) {
	c.rep.Read++
	if c.progress != nil {
		c.progress(c.rep.Read)
	}
	r := mailer.ReadMessage(raw, c.tag, c.own)
	switch r.What {
	case mailer.ReadAutoReply:
		c.rep.AutoReplies++
	case mailer.ReadReply:
		c.rep.Replies++
	case mailer.ReadDelayed:
		c.rep.Delayed++
	case mailer.ReadOther:
		c.rep.Other++
	}
	if r.Finding == nil {
		return false, nil
	}
	out, err := c.w.store.ApplyFindingAt(c.ctx, *r.Finding, &data.InboxState{Mailbox: c.mailbox, UIDValidity: c.validity, LastUID: uid})
	if err != nil {
		return false, err
	}
	switch {
	case out.Review:
		c.rep.Review++
	case r.Finding.Kind == data.FindingBounce:
		c.rep.BounceReports++
		c.bounced[r.Finding.Address] = true
		if out.Unusable {
			c.unusable[r.Finding.Address] = true
		}
	case out.OptedOut:
		c.rep.OptOuts++
	}
	c.rep.Lines = append(c.rep.Lines, out.Summary)
	if !out.Review && r.What != mailer.ReadDelayed && c.st.Mail.InboxMoveTo != "" {
		c.rep.Moved++
		return true, nil
	}
	return false, nil
}

// Summary says in a sentence what the check found.
func (r InboxReport) Summary() string {
	if r.Read == 0 {
		return "No new mail in the inbox."
	}
	s := fmt.Sprintf("Read %s: %s about %s (%s now unusable), %s, %s to review",
		data.Count(r.Read, "new message", "new messages"), data.Count(r.BounceReports, "bounce report", "bounce reports"),
		data.Count(r.Bounced, "address", "addresses"), data.Count(r.Unusable, "address", "addresses"),
		data.Count(r.OptOuts, "opt-out", "opt-outs"), data.Count(r.Review, "message", "messages"))
	if r.Moved > 0 {
		s += fmt.Sprintf(" (%s moved to their folder)", data.Count(r.Moved, "handled message", "handled messages"))
	}
	return s + fmt.Sprintf("; %s, %s, %s and %s changed nothing.", data.Count(r.Delayed, "delay notice", "delay notices"),
		data.Count(r.AutoReplies, "auto-reply", "auto-replies"), data.Count(r.Replies, "reply", "replies"), data.Count(r.Other, "other message", "other messages"))
}

// BounceNote says, for the patient's page, why and since when the
// patient's address is not used ("" when it is usable); since is the date
// as the front end writes it. Changing the address clears it.
func BounceNote(p data.Patient, since string) string {
	if p.EmailBouncedAt.IsZero() {
		return ""
	}
	return fmt.Sprintf("This address bounced (since %s): %s. Kindly does not email it until the address is changed.", since, p.EmailBounceReason)
}

// InboxReview lists the messages the practice decides about.
func (w *Workflow) InboxReview(ctx context.Context) ([]data.ReviewItem, error) {
	return w.store.InboxReview(ctx)
}

// InboxTotals is what the inbox has done so far: bounced addresses,
// opt-outs by mail and messages to review.
func (w *Workflow) InboxTotals(ctx context.Context) (data.InboxTotals, error) {
	return w.store.InboxTotals(ctx)
}

// DecideReview records the practice's decision about a message on the
// review list (data.DecideOptOut, DecideOptOutAll or DecideNothing).
func (w *Workflow) DecideReview(ctx context.Context, id int64, decision string) (string, error) {
	return w.store.DecideReview(ctx, id, decision)
}
