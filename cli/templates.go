package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"kindly/data"
	"kindly/mailer"
)

func (s *session) templatesCommand() *cobra.Command {
	return listCommand(s, "templates", "List the email templates", "NAME\tSUBJECT",
		func(c call) ([]data.Template, error) { return c.work.Templates(c.ctx) },
		func(t data.Template) string { return t.Name + "\t" + t.Subject })
}

func (s *session) templateCommand() *cobra.Command {
	var subject, bodyFile string
	c := &cobra.Command{
		Use:   "template NAME --subject S --body-file FILE",
		Short: "Create or change an email template (merge fields checked, subject warned)",
		Long: `Creates or changes a template. Merge fields are written {{first_name}} or with a
fallback {{name | "there"}}; fields: ` + fmt.Sprint(mailer.FieldNames()) + `.
An unknown field is refused; a subject that shows health details is warned about.`,
		Args: names("one NAME"),
		RunE: s.runs(func(c call) error {
			if subject == "" || bodyFile == "" {
				return fmt.Errorf("a template needs --subject and --body-file (see kindly template --help)")
			}
			var body []byte
			var err error
			if bodyFile == "-" {
				body, err = io.ReadAll(c.cmd.InOrStdin())
			} else {
				body, err = os.ReadFile(bodyFile)
			}
			if err != nil {
				return err
			}
			warnings, err := c.work.SaveTemplate(c.ctx, mailer.Template{Name: c.args[0], Subject: subject, Body: string(body)})
			if err != nil {
				return err
			}
			for _, warn := range warnings {
				fmt.Fprintln(c.out, "Warning:", warn)
			}
			fmt.Fprintf(c.out, "Template %q saved.\n", c.args[0])
			return nil
		}),
	}
	c.Flags().StringVar(&subject, "subject", "", "subject line")
	c.Flags().StringVar(&bodyFile, "body-file", "", "file with the message text (- for standard input)")
	return c
}
