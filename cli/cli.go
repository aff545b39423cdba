// Package cli is Kindly's command line: the same jobs as the window, for
// automation, support and tests, each a call into the workflow layer.
// `kindly [--db FILE|ADDRESS] COMMAND`; with no command it opens the window.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"kindly/about"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"kindly/workflow"
)

// Env is what the command line runs with: its streams, and what opens the
// window when no command is given.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Window opens the app on the database and returns when it is closed.
	Window func(ctx context.Context, w *workflow.Workflow) error
	// WindowError shows why the window cannot open (the database is open
	// elsewhere, say) to someone who started Kindly without a terminal.
	WindowError func(err error)
	// Now, when set, is the clock (tests pin it).
	Now func() time.Time
	// About is this build's name and version (kindly --version).
	About about.Info
}

// Main runs the command line with the process's streams and signals, and
// returns the exit status: errors end with one line on stderr and 1.
// Ctrl-C cancels the running job (a send pauses; an import changes nothing).
func Main(args []string, env Env) int {
	// Ctrl-C, and a log-off or shutdown (SIGTERM), end the job cleanly: a
	// send finishes the email in hand and pauses.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if env.Stdin == nil {
		env.Stdin = os.Stdin
	}
	if env.Stdout == nil {
		env.Stdout = os.Stdout
	}
	if env.Stderr == nil {
		env.Stderr = os.Stderr
	}
	if err := Run(ctx, args, env); err != nil {
		fmt.Fprintln(env.Stderr, "kindly:", OneLine(err))
		return 1
	}
	return 0
}

// Run runs one command line; it is the whole program but for the exit.
func Run(ctx context.Context, args []string, env Env) error {
	s := &session{env: env}
	defer s.close()
	root := s.root()
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	return root.ExecuteContext(ctx)
}

// session is one run of the command line: the database opens on first use.
type session struct {
	env    Env
	dbPath string
	demo   bool
	work   *workflow.Workflow
}

// workflow opens the database (with the starter templates on a new one).
func (s *session) workflow(ctx context.Context) (*workflow.Workflow, error) {
	if s.work != nil {
		return s.work, nil
	}
	if workflow.HasPassword(s.dbPath) {
		return nil, workflow.ErrPasswordInAddress
	}
	work, err := workflow.Open(ctx, s.dbPath, workflow.Options{Now: s.env.Now})
	if err != nil {
		return nil, err
	}
	if r := work.LastRestore(); r != nil { // asked for by the window, applied at this start
		fmt.Fprintln(s.env.Stderr, r.Summary())
	}
	s.work = work
	return s.work, nil
}

func (s *session) close() {
	if s.work != nil {
		s.work.Close()
	}
}

func (s *session) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "kindly",
		Short: "Reminders to the right patients at the right time, from the practice's own mailbox",
		Long: `Kindly keeps a practice's patients, segments and reminder campaigns.
With no command, it opens its window.`,
		Args:          noArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE:          s.runWindow,
	}
	if s.env.About.Version != "" {
		root.Version = s.env.About.String()
		root.SetVersionTemplate("{{.Version}}\n")
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SuggestionsMinimumDistance = 2
	root.PersistentFlags().StringVar(&s.dbPath, "db", "", "the database file, or the practice server's address (postgres://kindly@SERVER/kindly); "+
		"default: "+workflow.DatabaseEnv+", else the server this computer was connected to, else Kindly/kindly.db in your settings folder")
	root.Flags().BoolVar(&s.demo, "demo", false, "with no command: add sample patients first if the database is empty")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%v (see %s --help)", err, c.CommandPath())
	})
	root.AddCommand(s.demoCommand(), s.segmentsCommand(), s.segmentCommand(),
		s.importCommand(), s.exportCommand(),
		s.practiceCommand(), s.accountCommand(), s.capCommand(),
		s.templatesCommand(), s.templateCommand(),
		s.campaignCommand(), s.campaignsCommand(), s.calendarCommand(),
		s.sendCommand(), s.outboxCommand(), s.uncertainCommand(), s.inboxCommand(),
		s.backupCommand(), s.backupsCommand(), s.restoreCommand(), s.updateCommand(),
		s.appointmentsCommand(), s.recallCommand(), s.closedCommand(), s.serverCommand())
	return root
}

func (s *session) runWindow(cmd *cobra.Command, args []string) error {
	if _, err := s.workflow(cmd.Context()); err != nil {
		if s.env.WindowError != nil {
			s.env.WindowError(err)
		}
		return err
	}
	return s.runs(func(c call) error {
		if s.demo {
			if _, err := c.work.DemoIfEmpty(c.ctx, progress(s.env.Stderr, "Adding sample patients")); err != nil {
				return err
			}
		}
		if s.env.Window == nil {
			return errors.New("this build of Kindly has no window; give a command (see kindly --help)")
		}
		return s.env.Window(c.ctx, c.work)
	})(cmd, args)
}

// call is one run of a command, with the database open.
type call struct {
	ctx  context.Context
	work *workflow.Workflow
	cmd  *cobra.Command
	args []string
	out  io.Writer
}

// runs is a command's RunE: it opens the database, then does fn.
func (s *session) runs(fn func(c call) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		w, err := s.workflow(cmd.Context())
		if err != nil {
			return err
		}
		return fn(call{ctx: cmd.Context(), work: w, cmd: cmd, args: args, out: cmd.OutOrStdout()})
	}
}

// listCommand lists rows: as a table under header (columns separated by
// tabs, as line writes them), or as JSON with --json.
func listCommand[T any](s *session, use, short, header string, rows func(c call) ([]T, error), line func(T) string) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{Use: use, Short: short, Args: noArgs,
		RunE: s.runs(func(c call) error {
			list, err := rows(c)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.out, list)
			}
			tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, header)
			for _, r := range list {
				fmt.Fprintln(tw, line(r))
			}
			return tw.Flush()
		})}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// noArgs refuses arguments where a command takes none.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if cmd.HasSubCommands() {
			maybe := ""
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				maybe = "did you mean " + strings.Join(s, " or ") + "? "
			}
			return fmt.Errorf("unknown command %q (%ssee %s --help)", args[0], maybe, cmd.CommandPath())
		}
		return fmt.Errorf("%s takes no %q (see %s --help)", cmd.CommandPath(), args[0], cmd.CommandPath())
	}
	return nil
}

// names checks a command's positional arguments: want names them, as in
// its usage ("NAME", "FILE").
func names(want ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != len(want) {
			return fmt.Errorf("%s needs %s (quote names with spaces; see %s --help)", cmd.CommandPath(), strings.Join(want, " and "), cmd.CommandPath())
		}
		return nil
	}
}

// group is a command made of subcommands.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{Use: use, Short: short, Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var choices []string
			for _, sub := range cmd.Commands() {
				choices = append(choices, sub.Name())
			}
			if len(args) > 0 {
				return fmt.Errorf("%s has no %q: choose %s (see %s --help)", cmd.CommandPath(), args[0], strings.Join(choices, ", "), cmd.CommandPath())
			}
			return fmt.Errorf("%s needs one of: %s (see %s --help)", cmd.CommandPath(), strings.Join(choices, ", "), cmd.CommandPath())
		}}
	c.AddCommand(subs...)
	return c
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// progress prints a percentage on one line of w.
func progress(w io.Writer, what string) func(done, total int) {
	last := -1
	return func(done, total int) {
		if done == workflow.ImportStartsOver {
			fmt.Fprintf(w, "\n%s\n", workflow.CheckingAgain)
			last = -1
			return
		}
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
