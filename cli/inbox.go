package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (s *session) inboxCommand() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "inbox",
		Short: "Read the new mail of the practice's inbox: bounces, opt-out replies and spam complaints",
		Long: `Reads the messages that arrived in the mail account's inbox (IMAP) since the last check.
A bounce for an address that does not exist makes the address unusable (kept on the patient,
flagged, never mailed until it is changed); three temporary failures in 30 days do the same.
A reply asking to stop, or a spam complaint, opts the patient out of promotions (and of care
reminders when they ask for no email at all). What Kindly cannot read for sure is listed for
the practice; auto-replies and ordinary replies change nothing. The mailbox is only read:
nothing is marked, moved or deleted. Each message counts once.`,
		Args: noArgs,
		RunE: s.runs(func(c call) error {
			rep, err := c.work.CheckInbox(c.ctx, nil)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.out, rep)
			}
			fmt.Fprintln(c.out, rep.Summary())
			for _, l := range rep.Lines {
				fmt.Fprintln(c.out, "  "+l)
			}
			items, err := c.work.InboxReview(c.ctx)
			if err != nil {
				return err
			}
			if len(items) > 0 {
				fmt.Fprintf(c.out, "For you to decide (%d):\n", len(items))
				for _, it := range items {
					fmt.Fprintf(c.out, "  %s  %s  %q: %s\n", it.Received.Format("2 Jan 2006"), it.From, it.Subject, it.Why)
				}
			}
			return nil
		}),
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return c
}
