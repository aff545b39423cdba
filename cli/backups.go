package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"kindly/workflow"
)

func (s *session) backupCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "backup",
		Short: "Take a backup of the database now (into the backups folder beside it)",
		Args:  noArgs,
		RunE: s.runs(func(c call) error {
			path, err := c.work.Backup(c.ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Backup written: %s\n", path)
			return nil
		}),
	}
}

func (s *session) backupsCommand() *cobra.Command {
	return listCommand(s, "backups", "List the backups, newest first", "TAKEN\tFILE",
		func(c call) ([]workflow.BackupInfo, error) { return c.work.Backups(c.ctx) },
		func(b workflow.BackupInfo) string { return b.Label + "\t" + b.Path })
}

func (s *session) restoreCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "restore FILE",
		Short: "Restore a backup: checked first; what was sent since and every opt-out are kept, campaigns paused",
		Long: `Restores a backup (see kindly backups). It is checked first (a whole Kindly database,
how many patients). Today's database is kept as a backup; emails sent since the backup are
never sent again, opt-outs recorded since are kept, and every campaign is paused until you
look at it. Only while no window or other command has the database open.`,
		Args: names("the backup FILE"),
		RunE: s.runs(func(c call) error {
			info, r, err := c.work.RestoreNow(c.ctx, c.args[0])
			if r != nil || err == nil {
				fmt.Fprintf(c.out, "The backup holds %d patients; restoring it...\n", info.Patients)
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(c.out, r.Summary())
			return nil
		}),
	}
}
