package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"kindly/data"
	"kindly/workflow"
)

func (s *session) campaignCommand() *cobra.Command {
	return group("campaign", "Create or change a campaign: who (segment), what (template), when (schedule)",
		s.campaignSaveCommand(true), s.campaignSaveCommand(false))
}

// scheduleFlags are the options that set a campaign's schedule.
type scheduleFlags struct {
	text     workflow.ScheduleText
	birthday int
}

func (sf *scheduleFlags) register(f *pflag.FlagSet) {
	f.StringVar(&sf.text.Date, "once", "", "send once on DATE (YYYY-MM-DD)")
	f.StringVar(&sf.text.From, "season", "", "send every year from MM-DD")
	f.StringVar(&sf.text.Until, "until", "", "with --season: the season's last day, MM-DD")
	f.IntVar(&sf.birthday, "birthday", 0, "send N days before each patient's birthday")
	f.StringVar(&sf.text.Service, "recall", "", "send a recall for SERVICE --months N after the last visit")
	f.StringVar(&sf.text.Months, "months", "", "with --recall: months after the last visit")
	f.StringVar(&sf.text.Weekdays, "weekdays", "", "send window days, e.g. mon-fri or mon,wed,fri")
	f.StringVar(&sf.text.Hours, "hours", "", "send window hours, e.g. 9-17")
	f.BoolVar(&sf.text.BypassCap, "bypass-cap", false, "care reminders only: not held back by the frequency cap")
	f.StringVar(&sf.text.BeforeAppointment, "before-appointment", "", "remind N days before each booked appointment")
	f.StringVar(&sf.text.Followups, "followups", "", "with --recall: remind again up to N times while the patient has not come in or booked")
	f.StringVar(&sf.text.Every, "every", "", "with --followups: days between reminders")
	f.StringVar(&sf.text.FollowupTemplates, "followup-templates", "", `with --followups: each follow-up's template, comma separated ("" keeps the campaign's)`)
	f.BoolVar(&sf.text.Family, "family", false, "one email to an address several recipients share, naming each of them")
}

// apply lays the options given over a campaign's schedule: a new schedule
// replaces the old one; the send window and the cap rule change alone.
func (sf *scheduleFlags) apply(f *pflag.FlagSet, cur *workflow.ScheduleText) error {
	next := sf.text
	if f.Changed("birthday") {
		next.DaysBefore = strconv.Itoa(sf.birthday)
	}
	if err := next.InferKind(); err != nil {
		return err
	}
	if next.Kind != "" {
		window, hours, bypass, family := cur.Weekdays, cur.Hours, cur.BypassCap, cur.Family
		*cur = next
		cur.Weekdays, cur.Hours, cur.BypassCap, cur.Family = window, hours, bypass, family
	}
	for flag, dst := range map[string]*string{"followups": &cur.Followups, "every": &cur.Every, "followup-templates": &cur.FollowupTemplates} {
		if f.Changed(flag) {
			*dst, _ = f.GetString(flag)
		}
	}
	if f.Changed("family") {
		cur.Family = sf.text.Family
	}
	if f.Changed("weekdays") {
		cur.Weekdays = sf.text.Weekdays
	}
	if f.Changed("hours") {
		cur.Hours = sf.text.Hours
	}
	if f.Changed("bypass-cap") {
		cur.BypassCap = sf.text.BypassCap
	}
	return nil
}

// campaignSpec is the campaign as the options say: a new one, or the
// saved one with the options given over it.
func campaignSpec(c call, create bool, purpose, segment, template string, sf *scheduleFlags) (workflow.CampaignSpec, error) {
	spec := workflow.CampaignSpec{Name: c.args[0], Purpose: data.PurposeCare}
	if !create {
		var err error
		if spec, err = c.work.CampaignSpec(c.ctx, c.args[0]); err != nil {
			return spec, err
		}
	}
	f := c.cmd.Flags()
	if f.Changed("purpose") {
		spec.Purpose = purpose
	}
	if f.Changed("segment") {
		spec.Segment = segment
	}
	if f.Changed("template") {
		spec.Template = template
	}
	if err := sf.apply(f, &spec.Schedule); err != nil {
		return spec, err
	}
	if spec.Purpose != data.PurposeCare && spec.Purpose != data.PurposePromotion {
		return spec, fmt.Errorf("--purpose is care or promotion, not %q", spec.Purpose)
	}
	return spec, nil
}

func (s *session) campaignSaveCommand(create bool) *cobra.Command {
	var purpose, segment, template string
	var sf scheduleFlags
	use, short := "edit NAME", "Change a campaign: the options given replace what it had"
	if create {
		use, short = "create NAME --segment S --template T", "Create a campaign (a care reminder unless --purpose promotion)"
	}
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Long: short + `.
Without a schedule it is sent when the practice sends it. Schedules: --once DATE,
--season MM-DD [--until MM-DD] (every year), --birthday N (N days before each birthday),
--recall SERVICE --months N (N months after the last visit of SERVICE) [--followups N --every DAYS
[--followup-templates "Second reminder, Last reminder"]], --before-appointment N (N days before each
booked appointment). --family sends one email to an address several recipients share.
Promotions go only to patients who opted in; care reminders to everyone who did not opt out.`,
		Args: names("one NAME"),
		RunE: s.runs(func(c call) error {
			spec, err := campaignSpec(c, create, purpose, segment, template, &sf)
			if err != nil {
				return err
			}
			saved, err := c.work.SaveCampaign(c.ctx, spec, create)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Campaign %q saved (%s, %s).\n", saved.Name, saved.Purpose, saved.Status)
			return nil
		}),
	}
	f := c.Flags()
	f.StringVar(&purpose, "purpose", data.PurposeCare, "care or promotion")
	f.StringVar(&segment, "segment", "", "who gets it: a segment's name")
	f.StringVar(&template, "template", "", "what they get: a template's name")
	sf.register(f)
	return c
}

func (s *session) campaignsCommand() *cobra.Command {
	return listCommand(s, "campaigns", "List the campaigns with their purpose and status", "NAME\tPURPOSE\tSTATUS",
		func(c call) ([]workflow.CampaignRow, error) { return c.work.Campaigns(c.ctx) },
		func(r workflow.CampaignRow) string { return fmt.Sprintf("%s\t%s\t%s", r.Name, r.Purpose, r.Status) })
}

// calendarSpan is --from to --to: the next 30 days unless they say otherwise.
func calendarSpan(c call, fromS, toS string) (from, to data.Date, err error) {
	dates, err := c.work.Dates(c.ctx)
	if err != nil {
		return from, to, err
	}
	from, to = dates.Today, dates.Today.AddDays(30)
	if fromS != "" {
		if from, err = data.ParseDate(fromS); err != nil {
			return from, to, err
		}
	}
	if toS != "" {
		to, err = data.ParseDate(toS)
	}
	return from, to, err
}

// printCalendar lists the occurrences day by day (as JSON: the busy days).
func printCalendar(out io.Writer, plan workflow.CalendarPlan, asJSON bool) error {
	if asJSON {
		busy := []data.DayPlan{}
		for _, d := range plan.Days {
			if d.Planned+d.Carried > 0 {
				busy = append(busy, d)
			}
		}
		return writeJSON(out, busy)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DAY\tCAMPAIGN\tOCCURRENCE\tAUDIENCE\tCAPACITY")
	for _, d := range plan.Days {
		for _, en := range d.Entries {
			if en.Audience == 0 && (strings.HasPrefix(en.Occurrence, "birthday") || strings.HasPrefix(en.Occurrence, "recall") ||
				strings.HasPrefix(en.Occurrence, "appointment")) {
				continue // nobody due that day
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Day, en.Campaign, en.Occurrence, workflow.EntryText(en), d.Verdict)
		}
	}
	return tw.Flush()
}

func (s *session) calendarCommand() *cobra.Command {
	var fromS, toS, icsOut string
	var asJSON bool
	c := &cobra.Command{
		Use:   "calendar",
		Short: "The campaigns' occurrences ahead, their audience today and whether the mailbox carries them",
		Long: `Lists the campaigns' occurrences from --from to --to (default: the next 30 days),
each with its audience today and whether the mailbox's daily limit can carry the day,
e.g. "Flu recall 1400 + Birthdays 12 exceed 1000/day on 1 Oct; finishes 2 Oct 08:15".
--ics also writes them to a calendar file for Outlook or Google Calendar.`,
		Args: noArgs,
		RunE: s.runs(func(c call) error {
			from, to, err := calendarSpan(c, fromS, toS)
			if err != nil {
				return err
			}
			plan, err := c.work.Calendar(c.ctx, from, to)
			if err != nil {
				return err
			}
			if icsOut != "" {
				if _, err := c.work.WriteICS(c.ctx, plan.Entries, icsOut); err != nil {
					return err
				}
			}
			return printCalendar(c.out, plan, asJSON)
		}),
	}
	f := c.Flags()
	f.StringVar(&fromS, "from", "", "first day, YYYY-MM-DD (default: today)")
	f.StringVar(&toS, "to", "", "last day, YYYY-MM-DD (default: 30 days on)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.StringVar(&icsOut, "ics", "", "also write the occurrences to this .ics file")
	return c
}
