package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"kindly/data"
	"kindly/workflow"
)

func (s *session) serverCommand() *cobra.Command {
	return group("server", "Several computers, one practice: the shared database on the practice's PostgreSQL server",
		s.serverInitCommand(), s.serverConnectCommand(), s.serverTestCommand(), s.serverMoveCommand(),
		s.serverDisconnectCommand(), s.serverStatusCommand())
}

// readPassword reads a password from standard input with --password-stdin
// ("" without it): never from an argument.
func readPassword(cmd *cobra.Command, fromStdin bool) (string, error) {
	if !fromStdin {
		return "", nil
	}
	pw, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 4096))
	if err != nil {
		return "", err
	}
	password := strings.TrimRight(string(pw), "\r\n")
	if password == "" {
		return "", errors.New("no password on standard input")
	}
	return password, nil
}

func (s *session) serverInitCommand() *cobra.Command {
	var database, role, admin string
	var pwStdin bool
	c := &cobra.Command{
		Use:   "init",
		Short: "Print (or, with --admin, run) the SQL that makes the practice's database and Kindly's role on the server",
		Long: `Prints the SQL an administrator runs on the practice's PostgreSQL server (psql -f) to
make Kindly's database and the role Kindly signs in as: the role owns that database and may do
nothing else (no superuser, no other databases, no roles).

With --admin postgres://postgres@SERVER/postgres it runs it instead, as that administrator
(whose password PostgreSQL's PGPASSWORD or .pgpass gives); the new role's password is read from
standard input (--password-stdin) and sent to the server only as a SCRAM verifier.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if admin == "" {
				sql, err := workflow.ServerInit(database, role)
				if err == nil {
					fmt.Fprint(cmd.OutOrStdout(), sql)
				}
				return err
			}
			if !pwStdin {
				return errors.New("the new role's password is read from standard input: add --password-stdin")
			}
			password, err := readPassword(cmd, pwStdin)
			if err != nil {
				return err
			}
			address, err := workflow.RunServerInit(cmd.Context(), admin, "", database, role, password)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Made the database %s and the role %s.\nConnect each computer: kindly server connect %s --password-stdin\n",
				database, role, address)
			return nil
		},
	}
	c.Flags().StringVar(&database, "database", "kindly", "the database's name")
	c.Flags().StringVar(&role, "role", "kindly", "the role Kindly signs in as")
	c.Flags().StringVar(&admin, "admin", "", "run it as this administrator (postgres://postgres@SERVER/postgres)")
	c.Flags().BoolVar(&pwStdin, "password-stdin", false, "read the new role's password from standard input")
	return c
}

func (s *session) serverConnectCommand() *cobra.Command {
	var pwStdin bool
	c := &cobra.Command{
		Use:   "connect ADDRESS",
		Short: "Use the practice server from now on (postgres://kindly@SERVER/kindly); the password goes to the keychain",
		Long: `Tests the practice server at ADDRESS and makes this computer use it from its next start.
The password is read from standard input (--password-stdin) and kept in the OS keychain, never
in the address, a file or the database. The server's database must be ready (kindly server init);
to bring this computer's practice along, use kindly server move-to instead.`,
		Args: names("the server's ADDRESS"),
		RunE: func(cmd *cobra.Command, args []string) error {
			password, err := readPassword(cmd, pwStdin)
			if err != nil {
				return err
			}
			note, err := workflow.ConnectServer(cmd.Context(), args[0], password)
			if err != nil {
				return err
			}
			if note != "" {
				fmt.Fprintln(s.env.Stderr, note)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "This computer uses the practice server %s from now on.\n", data.RedactURL(args[0]))
			return nil
		},
	}
	c.Flags().BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input and keep it in the OS keychain")
	return c
}

func (s *session) serverTestCommand() *cobra.Command {
	var pwStdin bool
	c := &cobra.Command{
		Use:   "test [ADDRESS]",
		Short: "Test the connection to the practice server (the one this computer uses, without ADDRESS)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			address := workflow.Where(s.dbPath)
			if len(args) == 1 {
				address = args[0]
			}
			if !data.IsServerURL(address) {
				return errors.New("this computer uses its own database file, not a practice server: give the server's address")
			}
			password, err := readPassword(cmd, pwStdin)
			if err != nil {
				return err
			}
			if err := workflow.TestServer(cmd.Context(), address, password); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "The practice server %s answers, and Kindly's database there is ready.\n", data.RedactURL(address))
			return nil
		},
	}
	c.Flags().BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input")
	return c
}

func (s *session) serverMoveCommand() *cobra.Command {
	var pwStdin bool
	c := &cobra.Command{
		Use:   "move-to ADDRESS",
		Short: "Copy this computer's practice onto the server (an empty database there), check it, then use the server",
		Long: `Copies everything of this computer's database - patients, consent with its history,
visits, tags, segments, templates, campaigns, every email with its state, bounces, the inbox's
position, the audit log and the settings - into the empty database on the practice server,
checks every table's rows and checksum, and only then makes this computer use the server. The
database file stays as it was. The password is read from standard input (--password-stdin).`,
		Args: names("the server's ADDRESS"),
		RunE: s.runs(func(c call) error {
			password, err := readPassword(c.cmd, pwStdin)
			if err != nil {
				return err
			}
			r, err := c.work.MoveToServer(c.ctx, c.args[0], password, func(p data.CopyProgress) {
				if p.Verifying {
					fmt.Fprintf(s.env.Stderr, "\rChecking the copy: %d of %d tables   ", p.Done, p.Of)
					return
				}
				fmt.Fprintf(s.env.Stderr, "\rCopying %s: %d rows (%d of %d tables)   ", p.Table, p.Rows, p.Done, p.Of)
			})
			fmt.Fprintln(s.env.Stderr)
			if err != nil {
				return err
			}
			if r.Note != "" {
				fmt.Fprintln(s.env.Stderr, r.Note)
			}
			fmt.Fprintf(c.out, "Moved %s onto %s and checked every table; this computer uses the server from its next start.\n",
				data.Count(int(r.Patients()), "patient", "patients"), r.Address)
			fmt.Fprintf(c.out, "The file %s is kept as it was. Connect the other computers: kindly server connect %s --password-stdin\n",
				c.work.Path(), r.Address)
			return nil
		}),
	}
	c.Flags().BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input and keep it in the OS keychain")
	return c
}

func (s *session) serverDisconnectCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "disconnect",
		Short: "Use this computer's own database file again (the server's data stays on the server)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := workflow.DisconnectServer(); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "This computer uses its own database file from now on.")
			return nil
		},
	}
}

func (s *session) serverStatusCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Say which database this computer uses",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			where := workflow.Where(s.dbPath)
			switch {
			case data.IsServerURL(where):
				fmt.Fprintf(cmd.OutOrStdout(), "The practice server %s\n", data.RedactURL(where))
			case where != "":
				fmt.Fprintf(cmd.OutOrStdout(), "The database file %s\n", where)
			default:
				path, err := data.DefaultPath()
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "This computer's own database file %s\n", path)
			}
			return nil
		},
	}
}
