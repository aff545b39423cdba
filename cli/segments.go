package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"kindly/data"
	"kindly/workflow"
)

func (s *session) demoCommand() *cobra.Command {
	var n int
	var seed uint64
	var add bool
	c := &cobra.Command{
		Use:   "demo",
		Short: "Fill the database with realistic sample patients, visits and example segments",
		Long: `Adds sample patients with visits and tags, and example segments; the same seed gives the same practice.
Sample addresses use domains reserved for examples. Only into an empty database, unless --add.`,
		Args: noArgs,
		RunE: s.runs(func(c call) error {
			if err := c.work.Demo(c.ctx, n, seed, add, progress(s.env.Stderr, "Adding sample patients")); err != nil {
				return err
			}
			sum, err := c.work.DemoSummary(c.ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Added %d sample patients to %s\n%s\n", n, c.work.Path(), sum)
			return nil
		}),
	}
	c.Flags().IntVar(&n, "patients", 2000, "number of patients")
	c.Flags().Uint64Var(&seed, "seed", 1, "random seed")
	c.Flags().BoolVar(&add, "add", false, "add sample patients to a database that already has patients")
	return c
}

func (s *session) segmentsCommand() *cobra.Command {
	return listCommand(s, "segments", "List the segments with their size today", "NAME\tPATIENTS",
		func(c call) ([]workflow.SegmentInfo, error) {
			infos, err := c.work.Segments(c.ctx)
			for _, info := range infos {
				if info.Err != nil { // the others are listed; this one says why not
					fmt.Fprintf(s.env.Stderr, "kindly: %s\n", OneLine(info.Err))
				}
			}
			return infos, err
		},
		func(info workflow.SegmentInfo) string {
			if info.Err != nil {
				return fmt.Sprintf("%s\t(cannot be counted)", info.Name)
			}
			return fmt.Sprintf("%s\t%d", info.Name, info.Count)
		})
}

func (s *session) segmentCommand() *cobra.Command {
	var asJSON, del, dup bool
	var rules string
	c := &cobra.Command{
		Use:   "segment NAME",
		Short: "Show a segment (its sentence and size), create or change it with --rules, or --delete or --duplicate it",
		Long: `Shows a segment: its sentence and size today. With --rules it creates or
changes the segment; rules are JSON, e.g.
  {"kind":"all","rules":[{"kind":"age","min":65},{"kind":"visit","service":"flu shot","op":"not_since","month":9}]}`,
		Args: names("one NAME"),
		RunE: s.runs(func(c call) error {
			var info workflow.SegmentInfo
			var err error
			switch {
			case del:
				if err := c.work.DeleteSegment(c.ctx, c.args[0]); err != nil {
					return err
				}
				fmt.Fprintf(c.out, "Deleted the segment %q (a backup was taken first).\n", c.args[0])
				return nil
			case dup:
				info, err = c.work.DuplicateSegment(c.ctx, c.args[0])
			case rules != "":
				r, perr := data.ParseRule(rules)
				if perr != nil {
					return perr
				}
				info, err = c.work.SaveSegment(c.ctx, c.args[0], r)
			default:
				info, err = c.work.Segment(c.ctx, c.args[0])
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.out, info)
			}
			fmt.Fprintf(c.out, "%s\n%s.\n%d patients\n", info.Name, info.Sentence, info.Count)
			return nil
		}),
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().StringVar(&rules, "rules", "", "create or change the segment with these rules (JSON)")
	c.Flags().BoolVar(&del, "delete", false, "delete the segment (refused while a campaign or another segment uses it)")
	c.Flags().BoolVar(&dup, "duplicate", false, `save a copy of the segment as "NAME (copy)"`)
	c.MarkFlagsMutuallyExclusive("delete", "duplicate", "rules")
	return c
}
