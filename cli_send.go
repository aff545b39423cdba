package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"kindly/data"
	"kindly/mailer"
)

func cmdSend(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	dryRun := fs.Bool("dry-run", false, "show what would be sent, send nothing")
	test := fs.Bool("test", false, "send one sample to the practice's own address")
	cancel := fs.Bool("cancel", false, "cancel the unfinished run: queued emails are not sent")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("usage: send CAMPAIGN [--dry-run|--test|--cancel]")
	}
	cp, err := campaignByName(ctx, e.store, pos[0])
	if err != nil {
		return err
	}
	c, seg, tpl := cp.Campaign, cp.Segment, cp.Template
	pr := mailer.LoadPractice(e.store)
	today, err := e.store.Today()
	if err != nil {
		return err
	}
	occ, err := e.store.UnfinishedOccurrence(ctx, c.ID)
	if err != nil {
		return err
	}
	if *cancel {
		if occ == "" {
			return fmt.Errorf("%q has no unfinished run to cancel", c.Name)
		}
		n, err := e.store.CancelQueued(ctx, c.ID, occ)
		if err != nil {
			return err
		}
		e.store.SetCampaignStatus(ctx, c.ID, "done")
		fmt.Fprintf(e.stdout, "Cancelled: %d queued emails of %q (%s) will not be sent.\n", n, c.Name, occ)
		return e.store.Audit(ctx, "send", fmt.Sprintf("campaign %q, occurrence %s: cancelled, %d not sent", c.Name, occ, n))
	}
	if *test {
		st, pr, err := mailer.Ready(e.store)
		if err != nil {
			return err
		}
		if pr.Email == "" {
			return fmt.Errorf("set the practice's email first (kindly practice --email ...)")
		}
		sample := data.Patient{FirstName: "Test", LastName: "Patient", Email: pr.Email}
		if ps, _ := e.store.SampleRecipients(ctx, c.Purpose, seg.Rule, 1); len(ps) == 1 {
			sample = ps[0]
			sample.Email = pr.Email // the sample patient's text, to the practice's own address
		}
		m, err := tpl.Render(sample, pr, today)
		if err != nil {
			return err
		}
		m.Subject = "[Test] " + m.Subject
		conn, err := mailer.Dial(ctx, st.Account, pr)
		if err != nil {
			return err
		}
		defer conn.Close()
		if err := conn.Send(m); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Test email sent to %s.\n", pr.Email)
		return nil
	}
	if *dryRun {
		audience := cp.Audience(today)
		var lim mailer.Limits
		if st, err := mailer.LoadSettings(e.store); err == nil {
			lim = st.Limits
		}
		rv, err := mailer.PrepareReview(ctx, e.store, c, audience, seg.Rule.Sentence(), tpl, pr, lim, extraWords(e.store))
		if err != nil {
			return err
		}
		purpose := "care reminder: everyone with an address who did not opt out"
		if c.Purpose == data.PurposePromotion {
			purpose = "promotion: only patients who opted in to promotions"
		}
		fmt.Fprintf(e.stdout, "Dry run, nothing sent. Review of %q\n", c.Name)
		fmt.Fprintf(e.stdout, "Who:      %s (%d patients in the segment today)\n", rv.Sentence, rv.Members)
		fmt.Fprintf(e.stdout, "Purpose:  %s\n", purpose)
		fmt.Fprintf(e.stdout, "Sends to: %d patients", rv.Recipients)
		if rv.Previous >= 0 {
			fmt.Fprintf(e.stdout, " (last review: %d)", rv.Previous)
		}
		fmt.Fprintln(e.stdout)
		fmt.Fprintf(e.stdout, "Takes:    %s of sending", mailer.HumanDuration(rv.Duration))
		if rv.Days > 1 {
			fmt.Fprintf(e.stdout, ", spread over %d days by the daily limit", rv.Days)
		}
		fmt.Fprintln(e.stdout)
		for _, w := range rv.Warnings {
			fmt.Fprintln(e.stdout, "Warning:", w)
		}
		for _, m := range rv.Samples {
			fmt.Fprintf(e.stdout, "\n--- To: %s\nSubject: %s\n\n%s", m.To, m.Subject, m.Text)
		}
		return nil
	}
	st, pr, err := mailer.Ready(e.store)
	if err != nil {
		return err
	}
	loc, err := e.store.Location()
	if err != nil {
		return err
	}
	if occ == "" {
		var res data.QueueResult
		occ, res, err = cp.QueueToday(ctx, e.store, pr, today)
		if errors.Is(err, mailer.ErrNothingDue) {
			return fmt.Errorf("nothing of %q is due today (kindly calendar shows when it is)", c.Name)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "Queued %d emails for %q (%s); %d patients skipped (kindly export campaign %q shows why).\n",
			res.Queued, c.Name, occ, res.Skipped, c.Name)
	} else {
		fmt.Fprintf(e.stderr, "Resuming %q (%s).\n", c.Name, occ)
	}
	if err := e.store.SetCampaignStatus(ctx, c.ID, "sending"); err != nil {
		return err
	}
	s := &mailer.Sender{Store: e.store, Account: st.Account, Practice: pr, Limits: st.Limits, Window: cp.Schedule.Window, Location: loc,
		Progress: func(p mailer.Progress) {
			line := fmt.Sprintf("\rSending: %d sent, %d failed, %d skipped, %d to go", p.Sent, p.Failed, p.Skipped, p.Remaining)
			if p.Waiting > 0 {
				line += fmt.Sprintf(" - %s, %s", p.Note, p.Waiting.Round(time.Second))
			}
			fmt.Fprint(e.stderr, line+"   ")
		}}
	res, err := s.Run(ctx, c, occ)
	fmt.Fprintln(e.stderr)
	bg := context.WithoutCancel(ctx)
	if err != nil {
		e.store.SetCampaignStatus(bg, c.ID, "paused")
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("paused: %d sent in this run; kindly send %q resumes", res.Sent, c.Name)
		}
		return err
	}
	e.store.SetCampaignStatus(bg, c.ID, cp.StatusAfterRun())
	if res.Note != "" {
		fmt.Fprintln(e.stdout, "Note:", res.Note)
	}
	fmt.Fprintf(e.stdout, "%q (%s): %d sent, %d failed, %d skipped.\n", c.Name, occ, res.Sent, res.Failed, res.Skipped)
	return e.store.Audit(bg, "send", fmt.Sprintf("campaign %q, occurrence %s: %d sent, %d failed, %d skipped", c.Name, occ, res.Sent, res.Failed, res.Skipped))
}

func cmdOutbox(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("outbox", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("usage: outbox CAMPAIGN [--json]")
	}
	c, err := e.store.CampaignByName(ctx, pos[0])
	if err != nil {
		return fmt.Errorf("there is no campaign called %q", pos[0])
	}
	counts, err := e.store.OutboxCounts(ctx, c.ID, "")
	if err != nil {
		return err
	}
	statuses := []string{data.StatusQueued, data.StatusSending, data.StatusSent, data.StatusFailed, data.StatusSkipped, data.StatusUncertain, data.StatusCancelled}
	if *asJSON {
		out := map[string]any{"campaign": c.Name, "status": c.Status}
		for _, s := range statuses {
			out[s] = counts[s]
		}
		return writeJSON(e.stdout, out)
	}
	fmt.Fprintf(e.stdout, "%s (%s)\n", c.Name, c.Status)
	for _, s := range statuses {
		fmt.Fprintf(e.stdout, "  %-10s %d\n", s, counts[s])
	}
	return nil
}

// extraWords are the practice's own sensitive words for subject checks
// (setting "subject.extra_words", comma separated).
func extraWords(store *data.Store) []string {
	v, _ := store.Setting("subject.extra_words", "")
	return strings.Split(v, ",")
}
