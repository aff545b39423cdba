package cli

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"kindly/data"
	"kindly/workflow"
)

func (s *session) sendCommand() *cobra.Command {
	var dryRun, test, cancel, asJSON bool
	c := &cobra.Command{
		Use:   "send CAMPAIGN",
		Short: "Queue today's occurrence of a campaign and send it (resumes an unfinished run)",
		Long: `Queues today's occurrence of a campaign - one email per recipient - and sends it
within the mailbox's limits and the send window, with progress on stderr. Ctrl-C
pauses; running it again resumes. Emails in flight when Kindly stopped are marked
"uncertain" and never sent again.
  --dry-run  the review before a send: who and how many, the purpose and consent
             rule, warnings, three rendered samples and the sending time
  --test     sends one sample to the practice's own address
  --cancel   cancels the unfinished run: queued emails are not sent`,
		Args: names("the CAMPAIGN"),
		RunE: s.runs(func(c call) error {
			ctx, w, args, out := c.ctx, c.work, c.args, c.out
			switch {
			case btoi(dryRun)+btoi(test)+btoi(cancel) > 1:
				return errors.New("choose one of --dry-run, --test and --cancel")
			case cancel:
				res, err := w.Cancel(ctx, args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "Cancelled: %d queued emails of %q (%s) will not be sent.\n", res.Count, args[0], res.Occurrence)
				return nil
			case test:
				to, err := w.SendTest(ctx, args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "Test email sent to %s.\n", to)
				return nil
			case dryRun:
				rv, err := w.Review(ctx, args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(out, rv)
				}
				printReview(out, rv)
				return nil
			}
			return s.send(c)
		}),
	}
	f := c.Flags()
	f.BoolVar(&dryRun, "dry-run", false, "show the review: what would be sent; send nothing")
	f.BoolVar(&test, "test", false, "send one sample to the practice's own address")
	f.BoolVar(&cancel, "cancel", false, "cancel the unfinished run: queued emails are not sent")
	f.BoolVar(&asJSON, "json", false, "with --dry-run: print the review as JSON")
	return c
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func printReview(out io.Writer, rv workflow.Review) {
	fmt.Fprintf(out, "Dry run, nothing sent. Review of %q\n", rv.Campaign)
	for _, f := range rv.Facts() {
		fmt.Fprintf(out, "%-9s %s\n", f.Label+":", f.Text)
	}
	for _, warn := range rv.Warnings {
		fmt.Fprintln(out, "Warning:", warn)
	}
	for _, m := range rv.Samples {
		fmt.Fprintf(out, "\n--- To: %s\nSubject: %s\n\n%s", m.To, m.Subject, m.Text)
	}
}

// send sends with a progress line on stderr.
func (s *session) send(c call) error {
	errOut, name := s.env.Stderr, c.args[0]
	started := false
	res, err := c.work.Send(c.ctx, name, func(p workflow.SendProgress) {
		if !started {
			started = true
			q := p.Queued
			if q.Resumed {
				fmt.Fprintf(errOut, "Resuming %q (%s).\n", name, q.Occurrence)
			} else {
				fmt.Fprintf(errOut, "Queued %d emails for %q (%s); %d patients skipped (kindly export campaign %q shows why).\n",
					q.Queued, name, q.Occurrence, q.Skipped, name)
			}
			return
		}
		line := fmt.Sprintf("\rSending: %d sent, %d failed, %d skipped, %d to go", p.Sent, p.Failed, p.Skipped, p.Remaining)
		if p.Waiting > 0 {
			line += fmt.Sprintf(" - %s, %s", p.Note, p.Waiting.Round(time.Second))
		}
		fmt.Fprint(errOut, line+"   ")
	})
	if started {
		fmt.Fprintln(errOut)
	}
	if err != nil {
		return err
	}
	if res.Status == data.CampaignPaused {
		return fmt.Errorf("paused: %d sent in this run; kindly send %q resumes", res.Sent, res.Campaign)
	}
	out := c.out
	if res.Note != "" {
		fmt.Fprintln(out, "Note:", res.Note)
	}
	fmt.Fprintf(out, "%q (%s): %d sent, %d failed, %d skipped.\n", res.Campaign, res.Queued.Occurrence, res.Sent, res.Failed, res.Skipped)
	return nil
}

func (s *session) outboxCommand() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "outbox CAMPAIGN",
		Short: "A campaign's emails by status: queued, sending, sent, failed, skipped, uncertain, cancelled",
		Args:  names("the CAMPAIGN"),
		RunE: s.runs(func(c call) error {
			ob, err := c.work.Outbox(c.ctx, c.args[0])
			if err != nil {
				return err
			}
			if asJSON {
				out := map[string]any{"campaign": ob.Campaign, "status": ob.Status}
				for st, n := range ob.Counts {
					out[st] = n
				}
				return writeJSON(c.out, out)
			}
			fmt.Fprintf(c.out, "%s (%s)\n", ob.Campaign, ob.Status)
			for _, st := range workflow.OutboxStatuses {
				fmt.Fprintf(c.out, "  %-10s %d\n", st, ob.Counts[st])
			}
			return nil
		}),
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}
