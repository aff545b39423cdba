package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"kindly/about"
	"kindly/data"
	"kindly/mailer"
	"kindly/workflow"
)

// changeSettings reads the settings, lets edit change them and saves them
// as one: all of them, or none when one is wrong.
func changeSettings(c call, password string, edit func(*data.Settings)) (data.Settings, error) {
	st, err := c.work.Settings(c.ctx)
	if err != nil {
		return st, err
	}
	edit(&st)
	if err := c.work.SaveSettings(c.ctx, st, password); err != nil {
		return st, err
	}
	return c.work.Settings(c.ctx)
}

func (s *session) practiceCommand() *cobra.Command {
	var name, address, phone, email, zone, signature, words string
	var checkUpdates, optOutAll bool
	var country, careOptIn string
	var catchUp int
	c := &cobra.Command{
		Use:   "practice",
		Short: "Set the practice profile used in every footer, the time zone and the words subjects must not show",
		Long: `Sets the practice profile (name, address, phone, email for replies and opt-outs,
signature), the practice's time zone, and its own sensitive words that a subject line
should not show (besides Kindly's list). Options not given keep their value.`,
		Args: noArgs,
		RunE: s.runs(func(c call) error {
			f := c.cmd.Flags()
			st, err := changeSettings(c, "", func(st *data.Settings) {
				for flag, dst := range map[string]*string{"name": &st.Practice.Name, "address": &st.Practice.Address,
					"phone": &st.Practice.Phone, "email": &st.Practice.Email, "signature": &st.Practice.Signature, "time-zone": &st.TimeZone} {
					if f.Changed(flag) {
						*dst, _ = f.GetString(flag)
					}
				}
				if f.Changed("subject-words") {
					st.SubjectWords = strings.Split(words, ",")
				}
				if f.Changed("check-updates") {
					st.CheckUpdates = checkUpdates
				}
				recallFlagsOver(f, &st.Recalls, country, careOptIn, catchUp, optOutAll)
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Practice profile saved: %s\n", st.Practice.Name)
			return nil
		}),
	}
	f := c.Flags()
	f.StringVar(&name, "name", "", "practice name")
	f.StringVar(&address, "address", "", "postal address")
	f.StringVar(&phone, "phone", "", "phone number")
	f.StringVar(&email, "email", "", "reply and unsubscribe address")
	f.StringVar(&signature, "signature", "", `signature above the footer, e.g. "Dr. Jane Doe and the team"`)
	f.StringVar(&zone, "time-zone", "", "IANA time zone, e.g. America/New_York")
	f.StringVar(&words, "subject-words", "", `the practice's own words subjects must not show, comma separated, e.g. "fertility,botox"`)
	registerRecallFlags(f, &country, &careOptIn, &catchUp, &optOutAll)
	f.BoolVar(&checkUpdates, "check-updates", true, "once a day, ask whether a newer Kindly exists (sends only the version; --check-updates=false turns it off)")
	return c
}

func (s *session) updateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "update",
		Short: "Say whether a newer Kindly exists (nothing is downloaded or installed)",
		Long: `Asks Kindly's releases feed for the newest version and says whether it is newer than
this one, with where to get it. Only this Kindly's version is sent. The window asks once a
day by itself unless kindly practice --check-updates=false turned that off.`,
		Args: noArgs,
		RunE: s.runs(func(c call) error {
			u, err := c.work.CheckForUpdate(c.ctx, about.Feed(), s.env.About.Version, true)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.out, u.Line())
			if u.Available && u.URL != "" {
				fmt.Fprintln(c.out, u.URL)
			}
			return nil
		}),
	}
}

func (s *session) accountCommand() *cobra.Command {
	return group("account", "The mail account Kindly sends from: set it up, test it, or sign in to Microsoft 365 or Google",
		s.accountSetCommand(), s.accountTestCommand(), s.accountOAuthCommand())
}

func (s *session) accountSetCommand() *cobra.Command {
	var a accountFlags
	c := &cobra.Command{
		Use:   "set --preset P --user U --from ADDR",
		Short: "Set up the mail account; the password goes to the OS keychain",
		Long: `Sets up the mail account from a provider's preset (server, security and sending
limits), which the options change. The password is read from standard input with
--password-stdin and kept in the OS keychain, never in the database; where there is
no keychain (headless Linux), set ` + mailer.PasswordEnv + ` instead.`,
		Args: noArgs,
		RunE: s.runs(func(c call) error {
			p, err := mailer.PresetByID(a.preset)
			if err != nil {
				return err
			}
			password, err := a.password(c)
			if err != nil {
				return err
			}
			st, err := changeSettings(c, password, func(st *data.Settings) { st.Mail = a.account(c.cmd.Flags(), p, st.Mail) })
			if err != nil {
				return err
			}
			printAccount(c.out, st.Mail, p)
			return nil
		}),
	}
	a.register(c.Flags())
	return c
}

// accountFlags are the options of kindly account set.
type accountFlags struct {
	preset, host, tls, user, from, imapHost, imapTLS, moveTo string
	port, imapPort, perMinute, perDay                        int
	pwStdin                                                  bool
}

func (a *accountFlags) register(f *pflag.FlagSet) {
	var ids []string
	for _, p := range mailer.Presets {
		ids = append(ids, p.ID)
	}
	f.StringVar(&a.preset, "preset", "other", "provider: "+strings.Join(ids, ", "))
	f.StringVar(&a.host, "host", "", "SMTP server (default: the provider's)")
	f.IntVar(&a.port, "port", 0, "SMTP port (default: the provider's)")
	f.StringVar(&a.tls, "tls", "", "none, starttls or tls (default: the provider's)")
	f.StringVar(&a.user, "user", "", "user name (usually the email address)")
	f.StringVar(&a.from, "from", "", `sender, e.g. "Sunny Clinic <front@sunny.example>" (default: the user name)`)
	f.IntVar(&a.perMinute, "per-minute", 0, "emails per minute, 0 for no limit (default: the provider's limit)")
	f.IntVar(&a.perDay, "per-day", 0, "emails per 24 hours, 0 for no limit (default: the provider's limit)")
	f.StringVar(&a.imapHost, "imap-host", "", "the inbox's IMAP server, where bounces and opt-out replies arrive (default: the provider's)")
	f.IntVar(&a.imapPort, "imap-port", 0, fmt.Sprintf("IMAP port (default %d)", data.DefaultIMAPPort))
	f.StringVar(&a.imapTLS, "imap-tls", "", "none, starttls or tls (default tls)")
	f.StringVar(&a.moveTo, "inbox-move-to", "", `move the bounces and opt-outs Kindly handled to this folder, e.g. "Kindly" ("" leaves the inbox as it is, the default)`)
	f.BoolVar(&a.pwStdin, "password-stdin", false, "read the password from standard input and keep it in the OS keychain")
}

// password is the password given on standard input ("" without
// --password-stdin).
func (a *accountFlags) password(c call) (string, error) { return readPassword(c.cmd, a.pwStdin) }

// account is the provider's account with the options given over it; the
// same mailbox keeps its sign-in and where handled mail goes.
func (a *accountFlags) account(f *pflag.FlagSet, p mailer.Preset, was data.MailAccount) data.MailAccount {
	m := data.MailAccount{User: a.user, From: a.from}
	workflow.ApplyPreset(&m, p)
	for flag, set := range map[string]func(){
		"host": func() { m.Host = a.host }, "port": func() { m.Port = a.port }, "tls": func() { m.TLS = a.tls },
		"per-minute": func() { m.PerMinute = a.perMinute }, "per-day": func() { m.PerDay = a.perDay },
	} {
		if f.Changed(flag) {
			set()
		}
	}
	if f.Changed("imap-host") {
		workflow.SetInbox(&m, a.imapHost, was)
	}
	if f.Changed("imap-port") {
		m.IMAPPort = a.imapPort
	}
	if f.Changed("imap-tls") {
		m.IMAPTLS = a.imapTLS
	}
	if workflow.KeepSignIn(&m, was) {
		m.InboxMoveTo = was.InboxMoveTo
	}
	if f.Changed("inbox-move-to") {
		m.InboxMoveTo = a.moveTo
	}
	return m
}

// printAccount says what was saved.
func printAccount(out io.Writer, m data.MailAccount, p mailer.Preset) {
	fmt.Fprintf(out, "Mail account saved: %s:%d (%s), %s.\n", m.Host, m.Port, m.TLS, limitsText(m))
	if m.IMAPHost != "" {
		fmt.Fprintf(out, "Inbox (bounces and opt-out replies): %s:%d (%s).\n", m.IMAPHost, m.IMAPPort, m.IMAPTLS)
		if m.InboxMoveTo != "" {
			fmt.Fprintf(out, "Mail Kindly handled is moved to the folder %q.\n", m.InboxMoveTo)
		}
	}
	if p.Note != "" {
		fmt.Fprintln(out, "Note:", p.Note)
	}
}

func (s *session) accountTestCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "test",
		Short: "Sign in to the mail server and say in plain words what failed",
		Args:  noArgs,
		RunE: s.runs(func(c call) error {
			m, err := c.work.TestAccount(c.ctx)
			if err != nil {
				return err
			}
			who := "without a user name"
			if m.User != "" {
				who = "as " + m.User
			}
			fmt.Fprintf(c.out, "Signed in to %s:%d %s. Sending works.\n", m.Host, m.Port, who)
			return nil
		}),
	}
}

func (s *session) accountOAuthCommand() *cobra.Command {
	var o mailer.OAuth
	c := &cobra.Command{
		Use:   "oauth --client-id C [--provider google --client-secret S]",
		Short: "Sign in to Microsoft 365 or Google (XOAUTH2) instead of a password",
		Long: `Signs the mail account in with its provider instead of a password, for sending and
for reading the inbox. Microsoft (the default for Microsoft 365 and Outlook.com): open the
address shown and enter the code. Google (the default for Gmail and Google Workspace): open
the address shown in a browser on this computer; Google sends you back to Kindly. The
sign-in is kept in the OS keychain; kindly account set --password-stdin goes back to a
password.`,
		Args: noArgs,
		RunE: s.runs(func(c call) error {
			if !c.cmd.Flags().Changed("provider") {
				if st, err := c.work.Settings(c.ctx); err == nil {
					if p, err := mailer.PresetByID(st.Mail.Preset); err == nil && p.OAuth != "" {
						o.Provider = p.OAuth
					}
				}
			}
			if o.Provider == data.OAuthGoogle && !c.cmd.Flags().Changed("tenant") {
				o.Tenant = ""
			}
			m, err := c.work.SignIn(c.ctx, o, mailer.SignInSteps{ShowCode: func(url, code string) {
				if code == "" {
					fmt.Fprintf(s.env.Stderr, "To sign in, open this address in a browser on this computer:\n%s\nWaiting...\n", url)
					return
				}
				fmt.Fprintf(s.env.Stderr, "To sign in, open %s and enter the code %s. Waiting...\n", url, code)
			}})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Signed in to %s as %s; Kindly sends and reads the inbox with this sign-in from now on.\n", o.ProviderName(), m.User)
			return nil
		}),
	}
	c.Flags().StringVar(&o.Provider, "provider", data.OAuthMicrosoft, "microsoft or google (default: the account's provider)")
	c.Flags().StringVar(&o.Tenant, "tenant", "organizations", "Microsoft Entra tenant id or domain (Microsoft only)")
	c.Flags().StringVar(&o.ClientID, "client-id", "", "the client id of the practice's app registration")
	c.Flags().StringVar(&o.ClientSecret, "client-secret", "", "the client secret of a Google desktop-app client (Google only)")
	return c
}

func (s *session) capCommand() *cobra.Command {
	var count, days int
	c := &cobra.Command{
		Use:   "cap",
		Short: "Set the frequency cap: at most N emails per patient in M days, across all campaigns",
		Long: `Sets the frequency cap (default 2 emails per patient per 30 days, across all
campaigns); care reminders marked --bypass-cap pass it. --count 0 turns it off.`,
		Args: noArgs,
		RunE: s.runs(func(c call) error {
			f := c.cmd.Flags()
			st, err := changeSettings(c, "", func(st *data.Settings) {
				if f.Changed("count") {
					st.Cap.Count = count
				}
				if f.Changed("days") {
					st.Cap.Days = days
				}
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Frequency cap: %s.\n", st.Cap)
			return nil
		}),
	}
	c.Flags().IntVar(&count, "count", data.DefaultCap.Count, "at most this many emails per patient (0: no cap)...")
	c.Flags().IntVar(&days, "days", data.DefaultCap.Days, "...in this many days (1 to 366)")
	return c
}

// limitsText says a mailbox's limits in words.
func limitsText(m data.MailAccount) string {
	var parts []string
	if m.PerMinute > 0 {
		parts = append(parts, fmt.Sprintf("%d a minute", m.PerMinute))
	}
	if m.PerDay > 0 {
		parts = append(parts, fmt.Sprintf("%d a day", m.PerDay))
	}
	if len(parts) == 0 {
		return "no sending limits"
	}
	return "at most " + strings.Join(parts, " and ")
}

// recallFlagsOver lays the reminder options given over the settings.
func recallFlagsOver(f *pflag.FlagSet, r *data.Recalls, country, careOptIn string, catchUp int, optOutAll bool) {
	if f.Changed("country") {
		r.Country = country
	}
	if f.Changed("care-opt-in") {
		r.CareOptIn = careOptIn
		if careOptIn == "law" {
			r.CareOptIn = data.CareOptInByCountry
		}
	}
	if f.Changed("catch-up") {
		r.CatchUpDays = catchUp
	}
	if f.Changed("opt-out-whole-address") {
		r.OptOutWholeAddress = optOutAll
	}
}

func registerRecallFlags(f *pflag.FlagSet, country, careOptIn *string, catchUp *int, optOutAll *bool) {
	f.StringVar(country, "country", "", `the practice's country, two letters (DE, US, ...): its public holidays and its law on care reminders ("": the time zone's)`)
	f.StringVar(careOptIn, "care-opt-in", "law", "care reminders (recalls too) only with the patient's explicit consent: yes, no, or law (as the country's law asks: yes in Germany and Austria)")
	f.IntVar(catchUp, "catch-up", data.DefaultCatchUpDays, "days a missed birthday or recall email may still go out late (0-31)")
	f.BoolVar(optOutAll, "opt-out-whole-address", false, "an opt-out reply from an address several patients share opts out all of them")
}
