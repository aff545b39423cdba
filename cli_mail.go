package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"kindly/data"
	"kindly/mailer"
)

func cmdAccount(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "set" && args[0] != "test" && args[0] != "oauth") {
		return fmt.Errorf("usage: account set --preset P [--host H --port N --tls none|starttls|tls] --user U --from ADDR [--password-stdin] | account test | account oauth --client-id C [--tenant T]")
	}
	if args[0] == "oauth" {
		fs := flag.NewFlagSet("account oauth", flag.ContinueOnError)
		tenant := fs.String("tenant", "organizations", "Microsoft Entra tenant id or domain")
		client := fs.String("client-id", "", "the client id of the practice's app registration")
		if _, err := parseArgs(fs, args[1:]); err != nil {
			return err
		}
		st, err := mailer.LoadSettings(e.store)
		if err != nil {
			return err
		}
		o := mailer.OAuth{Tenant: *tenant, ClientID: *client}
		err = o.SignIn(ctx, st, func(url, code string) {
			fmt.Fprintf(e.stderr, "To sign in, open %s and enter the code %s. Waiting...\n", url, code)
		})
		if err != nil {
			return err
		}
		if err := mailer.SaveOAuth(e.store, o); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Signed in to Microsoft as %s; Kindly sends with this sign-in from now on.\n", st.User)
		return nil
	}
	if args[0] == "test" {
		st, pr, err := mailer.Ready(e.store)
		if err != nil {
			return err
		}
		if err := mailer.Test(ctx, st, pr); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Signed in to %s:%d as %s. Sending works.\n", st.Host, st.Port, st.User)
		return nil
	}
	fs := flag.NewFlagSet("account set", flag.ContinueOnError)
	preset := fs.String("preset", "other", "provider: gmail, workspace, m365, outlook, icloud, yahoo, fastmail, zoho, other")
	host := fs.String("host", "", "SMTP server")
	port := fs.Int("port", 0, "SMTP port")
	tls := fs.String("tls", "", "none, starttls or tls")
	user := fs.String("user", "", "user name (usually the email address)")
	from := fs.String("from", "", "sender, e.g. \"Sunny Clinic <front@sunny.example>\"")
	perMinute := fs.Int("per-minute", -1, "emails per minute (default: the provider's limit)")
	perDay := fs.Int("per-day", -1, "emails per 24 hours (default: the provider's limit)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input and keep it in the OS keychain")
	if _, err := parseArgs(fs, args[1:]); err != nil {
		return err
	}
	p, err := mailer.PresetByID(*preset)
	if err != nil {
		return err
	}
	st := mailer.Settings{Preset: p.ID, Account: mailer.Account{Host: p.Host, Port: p.Port, TLS: p.TLS, User: *user, From: *from},
		Limits: mailer.Limits{PerMinute: p.PerMinute, PerDay: p.PerDay}}
	if *host != "" {
		st.Host = *host
	}
	if *port != 0 {
		st.Port = *port
	}
	if *tls != "" {
		st.TLS = *tls
	}
	if *perMinute >= 0 {
		st.PerMinute = *perMinute
	}
	if *perDay >= 0 {
		st.PerDay = *perDay
	}
	if st.From == "" {
		st.From = st.User
	}
	if err := mailer.SaveSettings(e.store, st); err != nil {
		return err
	}
	if *pwStdin {
		pw, err := io.ReadAll(io.LimitReader(e.stdin, 4096))
		if err != nil {
			return err
		}
		if err := mailer.StorePassword(st, strings.TrimRight(string(pw), "\r\n")); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "Mail account saved: %s:%d (%s), limits %d a minute and %d a day.\n", st.Host, st.Port, st.TLS, st.PerMinute, st.PerDay)
	if p.Note != "" {
		fmt.Fprintln(e.stdout, "Note:", p.Note)
	}
	return nil
}

func cmdPractice(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("practice", flag.ContinueOnError)
	cur := mailer.LoadPractice(e.store)
	name := fs.String("name", cur.Name, "practice name")
	address := fs.String("address", cur.Address, "postal address")
	phone := fs.String("phone", cur.Phone, "phone number")
	email := fs.String("email", cur.Email, "reply and unsubscribe address")
	zone := fs.String("time-zone", "", "IANA time zone, e.g. America/New_York")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *zone != "" {
		if err := e.store.SetLocation(*zone); err != nil {
			return err
		}
	}
	if err := mailer.SavePractice(e.store, mailer.Practice{Name: *name, Address: *address, Phone: *phone, Email: *email, Signature: cur.Signature}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Practice profile saved: %s\n", *name)
	return nil
}

// ensureStarters gives a new database the starter templates.
func ensureStarters(ctx context.Context, store *data.Store) error {
	ts, err := store.Templates(ctx)
	if err != nil || len(ts) > 0 {
		return err
	}
	for _, s := range mailer.Starters {
		t := data.Template{Name: s.Name, Subject: s.Subject, Body: s.Body}
		if err := store.SaveTemplate(ctx, &t); err != nil {
			return err
		}
	}
	return nil
}

func cmdTemplates(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("templates", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	ts, err := e.store.Templates(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, ts)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSUBJECT")
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\t%s\n", t.Name, t.Subject)
	}
	return tw.Flush()
}

func cmdTemplate(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("template", flag.ContinueOnError)
	subject := fs.String("subject", "", "subject line")
	bodyFile := fs.String("body-file", "", "file with the message text (- for standard input)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *subject == "" || *bodyFile == "" {
		return fmt.Errorf("usage: template NAME --subject S --body-file FILE")
	}
	var body []byte
	if *bodyFile == "-" {
		body, err = io.ReadAll(e.stdin)
	} else {
		body, err = os.ReadFile(*bodyFile)
	}
	if err != nil {
		return err
	}
	t := mailer.Template{Name: pos[0], Subject: *subject, Body: string(body)}
	if err := t.Validate(); err != nil {
		return err
	}
	for _, w := range mailer.SubjectWarnings(t.Subject, extraWords(e.store)...) {
		fmt.Fprintln(e.stdout, "Warning:", w)
	}
	dt := data.Template{Name: t.Name, Subject: t.Subject, Body: t.Body}
	if err := e.store.SaveTemplate(ctx, &dt); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Template %q saved.\n", t.Name)
	return nil
}

func cmdCampaign(ctx context.Context, e *env, args []string) error {
	const use = "usage: campaign create|edit NAME --purpose care|promotion --segment S --template T [--once DATE | --season MM-DD [--until MM-DD] | --birthday N | --recall SERVICE --months N] [--weekdays mon-fri] [--hours 9-17] [--bypass-cap]"
	if len(args) == 0 || (args[0] != "create" && args[0] != "edit") {
		return fmt.Errorf(use)
	}
	fs := flag.NewFlagSet("campaign "+args[0], flag.ContinueOnError)
	purpose := fs.String("purpose", "", "care or promotion")
	segment := fs.String("segment", "", "segment name")
	template := fs.String("template", "", "template name")
	var sf scheduleFlags
	sf.register(fs)
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf(use)
	}
	c := data.Campaign{Name: pos[0], Purpose: data.PurposeCare}
	if args[0] == "edit" {
		if c, err = e.store.CampaignByName(ctx, pos[0]); err != nil {
			return fmt.Errorf("there is no campaign called %q", pos[0])
		}
	}
	if *purpose != "" {
		c.Purpose = *purpose
	}
	if *segment != "" {
		seg, err := e.store.SegmentByName(ctx, *segment)
		if err != nil {
			return fmt.Errorf("there is no segment called %q", *segment)
		}
		c.SegmentID = seg.ID
	}
	if *template != "" {
		tpl, err := e.store.TemplateByName(ctx, *template)
		if err != nil {
			return fmt.Errorf("there is no template called %q", *template)
		}
		c.TemplateID = tpl.ID
	}
	sched, err := sf.schedule()
	if err != nil {
		return err
	}
	if sched.Kind != "" || args[0] == "create" {
		c.Schedule = sched.JSON()
	}
	if sched.BypassCap && c.Purpose != data.PurposeCare {
		return fmt.Errorf("only care reminders can bypass the frequency cap")
	}
	if c.SegmentID == 0 || c.TemplateID == 0 {
		return fmt.Errorf("a campaign needs --segment and --template")
	}
	if args[0] == "create" {
		err = e.store.CreateCampaign(ctx, &c)
	} else {
		err = e.store.UpdateCampaign(ctx, &c)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Campaign %q saved (%s).\n", c.Name, c.Purpose)
	return nil
}

func cmdCampaigns(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("campaigns", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	cs, err := e.store.Campaigns(ctx)
	if err != nil {
		return err
	}
	type row struct {
		Name    string `json:"name"`
		Purpose string `json:"purpose"`
		Status  string `json:"status"`
	}
	rows := []row{}
	for _, c := range cs {
		rows = append(rows, row{c.Name, c.Purpose, c.Status})
	}
	if *asJSON {
		return writeJSON(e.stdout, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPURPOSE\tSTATUS")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Name, r.Purpose, r.Status)
	}
	return tw.Flush()
}

// campaignParts loads what a send needs: the campaign, its segment and template.
func campaignParts(ctx context.Context, store *data.Store, name string) (data.Campaign, data.Segment, mailer.Template, error) {
	c, err := store.CampaignByName(ctx, name)
	if err != nil {
		return c, data.Segment{}, mailer.Template{}, fmt.Errorf("there is no campaign called %q (kindly campaigns lists them)", name)
	}
	if c.SegmentID == 0 || c.TemplateID == 0 {
		return c, data.Segment{}, mailer.Template{}, fmt.Errorf("the campaign %q needs a segment and a template first", name)
	}
	seg, err := store.SegmentByID(ctx, c.SegmentID)
	if err != nil {
		return c, seg, mailer.Template{}, err
	}
	t, err := store.TemplateByID(ctx, c.TemplateID)
	if err != nil {
		return c, seg, mailer.Template{}, err
	}
	tpl := mailer.Template{Name: t.Name, Subject: t.Subject, Body: t.Body}
	return c, seg, tpl, tpl.Validate()
}

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
	c, seg, tpl, err := campaignParts(ctx, e.store, pos[0])
	if err != nil {
		return err
	}
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
		sched, err := data.ParseSchedule(c.Schedule)
		if err != nil {
			return err
		}
		audience := seg.Rule
		if sched.Kind != "" {
			audience = sched.Audience(seg.Rule, today)
		}
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
	sched, err := data.ParseSchedule(c.Schedule)
	if err != nil {
		return err
	}
	loc, err := e.store.Location()
	if err != nil {
		return err
	}
	if occ == "" {
		// Today's occurrence: the date for an unscheduled campaign, else the
		// schedule's occurrence due today.
		occ = today.String()
		audience := seg.Rule
		if sched.Kind != "" {
			due, ok := sched.Due(today)
			if !ok {
				return fmt.Errorf("nothing of %q is due today (kindly calendar shows when it is)", c.Name)
			}
			occ, audience = due.Key, sched.Audience(seg.Rule, today)
		}
		res, err := e.store.QueueCampaign(ctx, c, occ, audience, data.QueueOptions{BypassCap: sched.BypassCap}, func(p data.Patient) (data.Rendered, error) {
			m, err := tpl.Render(p, pr, today)
			return data.Rendered{Subject: m.Subject, Text: m.Text, HTML: m.HTML}, err
		})
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
	s := &mailer.Sender{Store: e.store, Account: st.Account, Practice: pr, Limits: st.Limits, Window: sched.Window, Location: loc,
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
	status := "done"
	if sched.Kind != "" && sched.Kind != data.ScheduleOnce {
		status = "scheduled"
	}
	e.store.SetCampaignStatus(bg, c.ID, status)
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

func cmdCap(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("cap", flag.ContinueOnError)
	cur := e.store.FrequencyCap()
	count := fs.Int("count", cur.Count, "at most this many emails per patient...")
	days := fs.Int("days", cur.Days, "...in this many days, across all campaigns (0 emails: no cap)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *count < 0 || *days < 1 || *days > 366 {
		return fmt.Errorf("the cap is a number of emails (0 for none) per 1 to 366 days")
	}
	if err := e.store.SetSetting(data.SettingCapCount, fmt.Sprint(*count)); err != nil {
		return err
	}
	if err := e.store.SetSetting(data.SettingCapDays, fmt.Sprint(*days)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Frequency cap: at most %d emails per patient in %d days.\n", *count, *days)
	return nil
}
