package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
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
			switch {
			case btoi(dryRun)+btoi(test)+btoi(cancel) > 1:
				return errors.New("choose one of --dry-run, --test and --cancel")
			case cancel:
				return cancelRun(c)
			case test:
				return sendTest(c)
			case dryRun:
				return dryRunReview(c, asJSON)
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

// cancelRun cancels the campaign's unfinished run.
func cancelRun(c call) error {
	res, err := c.work.Cancel(c.ctx, c.args[0])
	if err != nil {
		return err
	}
	fmt.Fprintln(c.out, res.Line(c.args[0]))
	return nil
}

// sendTest sends one sample to the practice's own address.
func sendTest(c call) error {
	to, err := c.work.SendTest(c.ctx, c.args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Test email sent to %s.\n", to)
	return nil
}

// dryRunReview prints the review before a send.
func dryRunReview(c call, asJSON bool) error {
	rv, err := c.work.Review(c.ctx, c.args[0])
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(c.out, rv)
	}
	printReview(c.out, rv)
	return nil
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
	for _, b := range rv.Blockers {
		fmt.Fprintln(out, "Cannot send:", b)
	}
	for _, warn := range rv.Warnings {
		fmt.Fprintln(out, "Warning:", warn)
	}
	for _, m := range rv.Samples {
		fmt.Fprintf(out, "\n--- To: %s\nSubject: %s\n\n%s", m.To, m.Subject, m.Text)
	}
}

// patience is how long the command line keeps trying a mail server that is
// out of reach before it stops (running send again goes on).
const patience = 5 * time.Minute

// send sends with a progress line on stderr.
func (s *session) send(c call) error {
	errOut, name := s.env.Stderr, c.args[0]
	started := false
	res, err := c.work.Send(c.ctx, name, workflow.SendOptions{GiveUpAfter: patience, Progress: func(p workflow.SendProgress) {
		if !started {
			started = true
			fmt.Fprintln(errOut, say(p.Queued.Start(name)))
			return
		}
		fmt.Fprint(errOut, "\r"+p.Line()+"   ")
	}})
	if started {
		fmt.Fprintln(errOut)
	}
	outcome := res.Outcome(err)
	if res.Stopped(err) { // the last sentence is the error the command ends with
		for _, line := range outcome[:len(outcome)-1] {
			fmt.Fprintln(c.out, say(line))
		}
		return &sentenceError{outcome[len(outcome)-1], err}
	}
	for _, line := range outcome {
		fmt.Fprintln(c.out, say(line))
	}
	return nil
}

func (s *session) uncertainCommand() *cobra.Command {
	var asJSON bool
	var arrived, again string
	c := &cobra.Command{
		Use:   "uncertain CAMPAIGN [--arrived ID,...|all] [--send-again ID,...|all]",
		Short: "List a campaign's uncertain emails, and record whether they arrived or go out again",
		Long: `An email is uncertain when it went out but the mail server's answer never came
(the connection died, or Kindly stopped mid-send): it may have arrived. Kindly never
sends it again by itself. With no option this lists them; --arrived marks them as
arrived, --send-again puts them back in the queue for the next send. The decision is
written to the audit log.`,
		Args: names("the CAMPAIGN"),
		RunE: s.runs(func(c call) error {
			switch {
			case arrived != "" && again != "":
				return errors.New("choose --arrived or --send-again, not both")
			case arrived != "":
				return resolveUncertain(c, arrived, true)
			case again != "":
				return resolveUncertain(c, again, false)
			}
			return listUncertain(c, asJSON)
		}),
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().StringVar(&arrived, "arrived", "", `mark these as arrived: ids separated by commas, or "all"`)
	c.Flags().StringVar(&again, "send-again", "", `send these again with the next send: ids separated by commas, or "all"`)
	return c
}

// resolveUncertain records the practice's decision on the uncertain
// emails listed ("12,15" or "all").
func resolveUncertain(c call, list string, arrived bool) error {
	ids, err := idList(list)
	if err != nil {
		return err
	}
	n, err := c.work.ResolveUncertain(c.ctx, c.args[0], ids, arrived)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.out, say(workflow.Resolved(c.args[0], n, arrived)))
	return nil
}

// listUncertain lists a campaign's uncertain emails.
func listUncertain(c call, asJSON bool) error {
	list, err := c.work.Uncertain(c.ctx, c.args[0])
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(c.out, append([]data.OutboxEntry{}, list...))
	}
	if len(list) == 0 {
		fmt.Fprintln(c.out, workflow.NoneUncertain(c.args[0]))
		return nil
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPATIENT\tADDRESS\tWHY")
	for _, e := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", e.ID, e.PatientName, e.Email, e.Reason)
	}
	return tw.Flush()
}

// idList reads "12,15" or "all" (nil).
func idList(s string) ([]int64, error) {
	if strings.EqualFold(strings.TrimSpace(s), "all") {
		return nil, nil
	}
	var ids []int64
	for _, part := range strings.Split(s, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an email's id (kindly uncertain CAMPAIGN lists them)", part)
		}
		ids = append(ids, id)
	}
	return ids, nil
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
