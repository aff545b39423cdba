package cli

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"kindly/data"
	"kindly/workflow"
)

func (s *session) appointmentsCommand() *cobra.Command {
	imp := s.appointmentsImportCommand("import")
	imp.Flags().Lookup("sheet").Usage = "the sheet to read (default: the one that looks most like a list of appointments)"
	return group("appointments", "Appointments from the practice system: booked patients get no recall reminder, and appointment reminders go before them", imp)
}

// recallFlags are what `kindly recall` may change.
type recallFlags struct {
	campaign, due, until, reason string
	off, clear                   bool
}

// hold is the patient's own recall as the flags say, and whether they
// say to change it.
func (rf recallFlags) hold(c call) (data.RecallHold, bool, error) {
	f := c.cmd.Flags()
	var h data.RecallHold
	var err error
	if !f.Changed("due") && !f.Changed("pause-until") && !rf.off && !rf.clear {
		return h, false, nil
	}
	if f.Changed("due") {
		if h.Due, err = data.ParseDate(rf.due); err != nil {
			return h, true, err
		}
	}
	if f.Changed("pause-until") {
		if h.OffUntil, err = data.ParseDate(rf.until); err != nil {
			return h, true, err
		}
	}
	if rf.off {
		h.OffUntil = data.Forever
	}
	h.Reason = rf.reason
	return h, true, nil
}

func (s *session) recallCommand() *cobra.Command {
	var rf recallFlags
	c := &cobra.Command{
		Use:   "recall PATIENT [--campaign C --due DATE | --pause-until DATE --reason R | --off --reason R | --clear]",
		Short: "Show a patient's recalls (due, reminders sent, the next one), or set the patient's own due date or pause",
		Long: `Shows where a patient stands in each recall campaign. PATIENT is a name, an email or a practice id.
With --campaign: --due sets the recall's due date by hand, --pause-until pauses it until a day and
--off for good (both with --reason), --clear puts it back on its usual course. Nothing is deleted.`,
		Args: names("the PATIENT"),
		RunE: s.runs(func(c call) error {
			p, err := c.work.PatientNamed(c.ctx, c.args[0])
			if err != nil {
				return err
			}
			if h, change, err := rf.hold(c); err != nil {
				return err
			} else if change {
				if err := c.work.SetRecall(c.ctx, rf.campaign, p.ID, h); err != nil {
					return err
				}
			}
			lines, err := c.work.PatientRecalls(c.ctx, p.ID)
			if err != nil {
				return err
			}
			printRecalls(c.out, p, lines)
			return nil
		}),
	}
	f := c.Flags()
	f.StringVar(&rf.campaign, "campaign", "", "the recall campaign to change")
	f.StringVar(&rf.due, "due", "", "the recall's due date, YYYY-MM-DD")
	f.StringVar(&rf.until, "pause-until", "", "pause the recall until this day, YYYY-MM-DD")
	f.BoolVar(&rf.off, "off", false, "stop the recall for good (e.g. moved away)")
	f.StringVar(&rf.reason, "reason", "", "why it is paused or off")
	f.BoolVar(&rf.clear, "clear", false, "back to its usual course: due from the last visit, not paused")
	return c
}

// printRecalls lists a patient's recalls, a few lines each.
func printRecalls(out io.Writer, p data.Patient, lines []workflow.RecallLine) {
	fmt.Fprintf(out, "%s\n", p.DisplayName())
	if len(lines) == 0 {
		fmt.Fprintln(out, "No recall campaign yet.")
	}
	for _, l := range lines {
		fmt.Fprintf(out, "%s: %s\n", l.Campaign, l.Due)
		for _, more := range []string{l.Sent, l.Next} {
			if more != "" {
				fmt.Fprintf(out, "  %s\n", more)
			}
		}
	}
}

func (s *session) closedCommand() *cobra.Command {
	return group("closed", "The practice's closed days: no email goes out on them",
		s.closedListCommand(), s.closedAddCommand(), s.closedRemoveCommand(), s.closedHolidaysCommand())
}

func (s *session) closedListCommand() *cobra.Command {
	var year int
	c := &cobra.Command{Use: "list [--year Y]", Short: "List the closed days of a year", Args: noArgs,
		RunE: s.runs(func(c call) error {
			dates, err := c.work.Dates(c.ctx)
			if err != nil {
				return err
			}
			y := dates.Today.Year
			if year != 0 {
				y = year
			}
			days, err := c.work.ClosedDays(c.ctx, data.Date{Year: y, Month: 1, Day: 1}, data.Date{Year: y, Month: 12, Day: 31})
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DAY\tNAME\tFROM")
			for _, d := range days {
				from := "the practice"
				if d.Public {
					from = "public holidays"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", dates.Day(d.Day), d.Name, from)
			}
			return tw.Flush()
		})}
	c.Flags().IntVar(&year, "year", 0, "the year (default: this year)")
	return c
}

func (s *session) closedAddCommand() *cobra.Command {
	var name string
	c := &cobra.Command{Use: "add DAY [--name N]", Short: "Close the practice on a day: no email goes out, yearly and birthday emails move to the next open day",
		Args: names("the DAY (YYYY-MM-DD)"),
		RunE: s.runs(func(c call) error {
			d, err := data.ParseDate(c.args[0])
			if err != nil {
				return err
			}
			if err := c.work.CloseDay(c.ctx, d, name); err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Closed on %s.\n", d)
			return nil
		})}
	c.Flags().StringVar(&name, "name", "", `what the day is, e.g. "Staff training"`)
	return c
}

func (s *session) closedRemoveCommand() *cobra.Command {
	return &cobra.Command{Use: "remove DAY", Short: "Open a closed day again", Args: names("the DAY (YYYY-MM-DD)"),
		RunE: s.runs(func(c call) error {
			d, err := data.ParseDate(c.args[0])
			if err != nil {
				return err
			}
			if err := c.work.OpenDay(c.ctx, d); err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Open again on %s.\n", d)
			return nil
		})}
}

func (s *session) closedHolidaysCommand() *cobra.Command {
	return &cobra.Command{Use: "holidays YEAR", Short: "Add the public holidays of the practice's country for a year as closed days",
		Args: names("the YEAR"),
		RunE: s.runs(func(c call) error {
			y, err := strconv.Atoi(c.args[0])
			if err != nil || y < 2000 || y > 2100 {
				return fmt.Errorf("%q is not a year", c.args[0])
			}
			n, err := c.work.AddPublicHolidays(c.ctx, y)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "%s of %d added.\n", data.Count(n, "public holiday", "public holidays"), y)
			return nil
		})}
}
