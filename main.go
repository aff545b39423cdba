// Kindly keeps a practice's patients, segments and reminder campaigns.
// With no command it opens the app; with one it runs headless (see usage).
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	_ "time/tzdata" // practice time zones work on Windows too

	"kindly/app"
	"kindly/data"
	"kindly/data/demo"
)

//go:embed Icon.png
var icon []byte

const usage = `Usage: kindly [--db FILE] [COMMAND] [ARGS]

With no command, Kindly opens its window.

Commands:
  demo [--patients N] [--seed S]   fill the database with sample patients
  segments [--json]                list segments with their size today
  segment NAME [--json]            show a segment: its sentence and size
  segment NAME --rules JSON        create or change a segment from rules
  import patients|visits FILE [--sheet S] [--dry-run] [--rejects FILE.xlsx] [--json]
                                   [--day-first|--month-first] [--header-row N]
                                   import an .xlsx or .csv file; all rows or none
  export patients|segment NAME|campaign NAME|log|calendar|report --out FILE.xlsx
                                   write an Excel workbook
  practice --name N --address A --phone P --email E [--time-zone Z]
                                   the practice profile used in every footer
  account set --preset P [--host H --port N --tls none|starttls|tls] --user U --from ADDR
              [--password-stdin] [--per-minute N --per-day N]
                                   the mail account; the password goes to the OS keychain
                                   (or set KINDLY_SMTP_PASSWORD where there is none)
  account oauth --client-id C [--tenant T]
                                   Microsoft 365 sign-in (device code) instead of a password
  account test                     sign in to the mail server
  templates [--json]; template NAME --subject S --body-file FILE
  campaign create|edit NAME --purpose care|promotion --segment S --template T
              [--once DATE | --season MM-DD [--until MM-DD] | --birthday N | --recall SERVICE --months N]
              [--weekdays mon-fri] [--hours 9-17] [--bypass-cap]
  cap [--count N] [--days M]       the frequency cap (default 2 emails per 30 days)
  calendar [--from DATE] [--to DATE] [--json] [--ics FILE]
                                   occurrences, audiences and whether the mailbox carries them
  campaigns [--json]
  send CAMPAIGN [--dry-run|--test|--cancel]
                                   queue and send (resumes an unfinished run); --test sends
                                   one sample to the practice's address
  outbox CAMPAIGN [--json]         messages by status

Options:
  --db FILE   the database file (default: Kindly/kindly.db in your settings folder)
  --demo      with no command: add sample patients first if the database is empty
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "kindly:", oneLine(err))
		os.Exit(1)
	}
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", " ") }

// run is the whole program minus process exit, so tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	global := flag.NewFlagSet("kindly", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	dbPath := global.String("db", "", "database file")
	withDemo := global.Bool("demo", false, "add sample patients when empty")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return nil
		}
		return fmt.Errorf("%v (see kindly --help)", err)
	}
	if *dbPath == "" {
		p, err := data.DefaultPath()
		if err != nil {
			return err
		}
		*dbPath = p
	}
	rest := global.Args()
	if len(rest) > 0 && rest[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	if len(rest) > 0 {
		if _, ok := commands[rest[0]]; !ok {
			return fmt.Errorf("unknown command %q (see kindly --help)", rest[0])
		}
	}

	store, err := data.Open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()

	if len(rest) == 0 {
		if err := ensureStarters(ctx, store); err != nil {
			return err
		}
		if *withDemo {
			if err := demoIfEmpty(ctx, store, stderr); err != nil {
				return err
			}
		}
		return app.Run(store, icon)
	}
	if err := ensureStarters(ctx, store); err != nil {
		return err
	}
	return commands[rest[0]](ctx, &env{store: store, stdin: os.Stdin, stdout: stdout, stderr: stderr}, rest[1:])
}

type env struct {
	store          *data.Store
	stdin          io.Reader
	stdout, stderr io.Writer
}

var commands = map[string]func(context.Context, *env, []string) error{
	"demo":      cmdDemo,
	"segments":  cmdSegments,
	"segment":   cmdSegment,
	"import":    cmdImport,
	"export":    cmdExport,
	"account":   cmdAccount,
	"practice":  cmdPractice,
	"templates": cmdTemplates,
	"template":  cmdTemplate,
	"campaign":  cmdCampaign,
	"campaigns": cmdCampaigns,
	"calendar":  cmdCalendar,
	"cap":       cmdCap,
	"send":      cmdSend,
	"outbox":    cmdOutbox,
}

// parseArgs parses flags that may come before or after positional arguments.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var positional []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) > 0 {
			positional = append(positional, args[0])
			args = args[1:]
		}
	}
	return positional, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func demoIfEmpty(ctx context.Context, store *data.Store, stderr io.Writer) error {
	n, err := store.CountPatients(ctx, data.PatientQuery{IncludeArchived: true})
	if err != nil || n > 0 {
		return err
	}
	return demo.Fill(ctx, store, demo.Options{Patients: 2000, Seed: 1, Progress: progress(stderr, "Adding sample patients")})
}

// progress prints a percentage on stderr, on one line.
func progress(w io.Writer, what string) func(done, total int) {
	last := -1
	return func(done, total int) {
		pct := 100
		if total > 0 {
			pct = done * 100 / total
		}
		if pct != last {
			last = pct
			fmt.Fprintf(w, "\r%s: %d%%", what, pct)
			if pct == 100 {
				fmt.Fprintln(w)
			}
		}
	}
}

func cmdDemo(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	n := fs.Int("patients", 2000, "number of patients")
	seed := fs.Uint64("seed", 1, "random seed")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if err := demo.Fill(ctx, e.store, demo.Options{Patients: *n, Seed: *seed, Progress: progress(e.stderr, "Adding sample patients")}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Added %d sample patients to %s\n", *n, e.store.Path())
	return nil
}

type segmentInfo struct {
	Name     string          `json:"name"`
	Sentence string          `json:"sentence"`
	Count    int             `json:"count"`
	Rules    json.RawMessage `json:"rules"`
}

func describe(ctx context.Context, store *data.Store, seg data.Segment) (segmentInfo, error) {
	n, err := store.SegmentCount(ctx, seg.Rule)
	if err != nil {
		return segmentInfo{}, fmt.Errorf("segment %q: %w", seg.Name, err)
	}
	return segmentInfo{seg.Name, seg.Rule.Sentence(), n, json.RawMessage(seg.Rule.JSON())}, nil
}

func cmdSegments(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("segments", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	segs, err := e.store.Segments(ctx)
	if err != nil {
		return err
	}
	infos := []segmentInfo{}
	for _, seg := range segs {
		info, err := describe(ctx, e.store, seg)
		if err != nil {
			return err
		}
		infos = append(infos, info)
	}
	if *asJSON {
		return writeJSON(e.stdout, infos)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPATIENTS")
	for _, info := range infos {
		fmt.Fprintf(tw, "%s\t%d\n", info.Name, info.Count)
	}
	return tw.Flush()
}

func cmdSegment(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("segment", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	rules := fs.String("rules", "", "create or change the segment with these rules (JSON)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("segment needs one NAME (quote names with spaces)")
	}
	var seg data.Segment
	if *rules != "" {
		r, err := data.ParseRule(*rules)
		if err != nil {
			return err
		}
		if seg, err = e.store.SaveSegment(ctx, pos[0], r); err != nil {
			return err
		}
	} else if seg, err = e.store.SegmentByName(ctx, pos[0]); err != nil {
		if errors.Is(err, data.ErrNotFound) {
			return fmt.Errorf("there is no segment called %q (kindly segments lists them)", pos[0])
		}
		return err
	}
	info, err := describe(ctx, e.store, seg)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, info)
	}
	fmt.Fprintf(e.stdout, "%s\n%s.\n%d patients\n", info.Name, info.Sentence, info.Count)
	return nil
}
