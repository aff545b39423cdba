package cli

import (
	"fmt"
	"kindly/data"
	"strconv"
	"strings"

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
				dates, err := c.work.Dates(c.ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.out, "For you to decide (%d):\n", len(items))
				for _, it := range items {
					fmt.Fprintf(c.out, "  #%d  %s  %s  %q: %s\n", it.ID, dates.Day(data.DateOf(it.Received.In(dates.Location))), it.From, it.Subject, it.Why)
				}
				fmt.Fprintln(c.out, "Decide with: kindly inbox decide ID opt-out|opt-out-all|nothing")
			}
			return nil
		}),
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	c.AddCommand(s.inboxDecideCommand())
	return c
}

func (s *session) inboxDecideCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "decide ID opt-out|opt-out-all|nothing",
		Short: "Decide about a message on the inbox's review list",
		Long: `Decides about a message Kindly could not read for sure (kindly inbox lists them with their
numbers): opt-out opts the sender out of promotions, opt-out-all out of care reminders too
(no email at all), nothing leaves everything as it is. An opt-out applies to the patient the
message answers or, when Kindly did not know which, to every patient with the sender's address.`,
		Args: cobra.ExactArgs(2),
		RunE: s.runs(func(c call) error {
			id, err := strconv.ParseInt(strings.TrimPrefix(c.args[0], "#"), 10, 64)
			if err != nil {
				return fmt.Errorf("%q is not a number from the review list", c.args[0])
			}
			line, err := c.work.DecideReview(c.ctx, id, c.args[1])
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Decided: %s.\n", line)
			return nil
		}),
	}
}
