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

// campaignByName loads a campaign with its segment, template and schedule.
func campaignByName(ctx context.Context, store *data.Store, name string) (mailer.Campaign, error) {
	c, err := store.CampaignByName(ctx, name)
	if err != nil {
		return mailer.Campaign{}, fmt.Errorf("there is no campaign called %q (kindly campaigns lists them)", name)
	}
	cp, err := mailer.LoadCampaign(ctx, store, c)
	if errors.Is(err, mailer.ErrIncomplete) {
		return cp, fmt.Errorf("the campaign %q needs a segment and a template first", name)
	}
	return cp, err
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
