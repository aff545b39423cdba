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
	var rep InboxReport
	bounced, unusable := map[string]bool{}, map[string]bool{}
	st, err := w.store.Settings(ctx)
	if err != nil {
		return rep, err
	}
	if !st.Mail.Configured() {
		return rep, fmt.Errorf("%w: set it up first", mailer.ErrNoAccount)
	}
	if st.Mail.IMAPHost == "" {
		return rep, ErrNoInbox
	}
	acct, err := mailer.Credentials(ctx, st.Mail)
	if err != nil {
		return rep, err
	}
	tag, err := w.store.MessageTag(ctx)
	if err != nil {
		return rep, err
	}
	own := st.Practice.Email
	if a, err := mail.ParseAddress(st.Mail.From); err == nil && own == "" {
		own = a.Address
	}
	known, err := w.store.PatientEmails(ctx)
	if err != nil {
		return rep, err
	}
	in := mailer.InboxOf(st.Mail, acct)
	in.TLSConfig = w.inboxTLS
	in.Wants = func(start []byte) bool {
		return mailer.NeedsMore(start, tag, func(addr string) bool { return known[addr] })
	}
	mailbox := strings.ToLower(st.Mail.User + "@" + st.Mail.IMAPHost + "/INBOX")
	var validity uint32
	_, err = mailer.FetchNew(ctx, in,
		func(uidValidity uint32) (uint32, error) {
			validity = uidValidity
			s, err := w.store.InboxState(ctx, mailbox, uidValidity)
			return s.LastUID, err
		},
		func(uid uint32, raw []byte) (bool, error) {
			rep.Read++
			if progress != nil {
				progress(rep.Read)
			}
			r := mailer.ReadMessage(raw, tag, own)
			switch r.What {
			case mailer.ReadAutoReply:
				rep.AutoReplies++
			case mailer.ReadReply:
				rep.Replies++
			case mailer.ReadDelayed:
				rep.Delayed++
			case mailer.ReadOther:
				rep.Other++
			}
			if r.Finding == nil {
				return false, nil
			}
			// Applied with the read position: never twice, even after a crash.
			out, err := w.store.ApplyFindingAt(ctx, *r.Finding, &data.InboxState{Mailbox: mailbox, UIDValidity: validity, LastUID: uid})
			if err != nil {
				return false, err
			}
			switch {
			case out.Review:
				rep.Review++
			case r.Finding.Kind == data.FindingBounce:
				rep.BounceReports++
				bounced[r.Finding.Address] = true
				if out.Unusable {
					unusable[r.Finding.Address] = true
				}
			case out.OptedOut:
				rep.OptOuts++
			}
			rep.Lines = append(rep.Lines, out.Summary)
			if !out.Review && r.What != mailer.ReadDelayed && st.Mail.InboxMoveTo != "" {
				rep.Moved++ // handled: out of the practice's way, when it asked for that
				return true, nil
			}
			return false, nil
		},
		func(uidValidity, lastUID uint32) error {
			return w.store.SaveInboxState(ctx, data.InboxState{Mailbox: mailbox, UIDValidity: uidValidity, LastUID: lastUID})
		})
	rep.Bounced, rep.Unusable = len(bounced), len(unusable)
	if rep.Read > 0 {
		if aerr := w.store.Audit(context.WithoutCancel(ctx), "inbox", rep.Summary()); err == nil {
			err = aerr
		}
	}
	return rep, err
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
