package cli

import (
	"fmt"
	"strings"

	"kindly/data"
	"kindly/mailer"
	"kindly/workflow"
)

// hintWords is a next step as the command line says it: the command to run.
func hintWords(h data.Hint, about string) string {
	switch h {
	case data.HintPracticeDetails:
		return "kindly practice --name ... --email ... fills them in"
	case data.HintMailAccount:
		return "kindly account set sets it up"
	case data.HintInboxServer:
		return "kindly account set --imap-host HOST names it"
	case data.HintPassword:
		return "kindly account set --password-stdin saves it, or set " + mailer.PasswordEnv
	case data.HintSignIn:
		return "kindly account oauth signs in again"
	case data.HintMicrosoftSignIn:
		return "kindly account oauth signs in with Microsoft"
	case data.HintAppPassword:
		return "kindly account set --password-stdin takes the app password"
	case data.HintCalendar:
		return "kindly calendar shows when it is"
	case data.HintUncertain:
		return fmt.Sprintf("kindly uncertain %q lists them", about)
	case data.HintGoOn:
		return fmt.Sprintf("kindly send %q goes on where it stopped", about)
	case data.HintTimeZone:
		return "kindly practice --time-zone ZONE sets it"
	case data.HintSkipped:
		return fmt.Sprintf("kindly export campaign %q shows why", about)
	}
	return ""
}

// OneLine is an error on one line, in the practice's words, with the
// command that helps.
func OneLine(err error) string {
	msg := strings.Join(strings.Fields(workflow.Message(err)), " ")
	if h := hintWords(data.HintOf(err)); h != "" {
		msg += " (" + h + ")"
	}
	return msg
}
