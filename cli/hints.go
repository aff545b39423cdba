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
	case data.HintList:
		return fmt.Sprintf("kindly %ss lists them", about)
	case data.HintPracticeServer:
		return "kindly server move-to ADDRESS moves the practice there (see kindly server --help)"
	}
	return ""
}

// OneLine is an error on one line, in the practice's words, with the
// command that helps.
func OneLine(err error) string {
	h, about := data.HintOf(err)
	return withHint(strings.Join(strings.Fields(workflow.Message(err)), " "), h, about)
}

// say is a sentence as the command line prints it, with the command that
// helps in brackets before its full stop.
func say(s workflow.Sentence) string { return withHint(s.Text, s.Hint, s.About) }

func withHint(text string, h data.Hint, about string) string {
	words := hintWords(h, about)
	if words == "" {
		return text
	}
	if t, ok := strings.CutSuffix(text, "."); ok {
		return t + " (" + words + ")."
	}
	return text + " (" + words + ")"
}

// sentenceError ends a command with a sentence of the workflow's; the
// error it stands for stays underneath (its kind, its cause).
type sentenceError struct {
	s   workflow.Sentence
	err error
}

func (e *sentenceError) Error() string                 { return e.s.Text }
func (e *sentenceError) Unwrap() error                 { return e.err }
func (e *sentenceError) NextStep() (data.Hint, string) { return e.s.Hint, e.s.About }
