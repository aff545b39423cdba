package app

import (
	"strings"

	"kindly/data"
	"kindly/workflow"
)

// hintWords is a next step as the window says it: where to click.
func hintWords(h data.Hint, about string) string {
	switch h {
	case data.HintPracticeDetails:
		return "Fill them in under Settings."
	case data.HintMailAccount:
		return "Set it up under Settings > Mail account."
	case data.HintInboxServer:
		return "Name the inbox server under Settings > Mail account."
	case data.HintPassword:
		return "Type the password under Settings > Mail account and save."
	case data.HintSignIn:
		return "Sign in again under Settings > Mail account."
	case data.HintMicrosoftSignIn:
		return "Use \"Sign in with Microsoft\" under Settings > Mail account."
	case data.HintAppPassword:
		return "Type the app password under Settings > Mail account."
	case data.HintCalendar:
		return "The Calendar shows when it is due."
	case data.HintUncertain:
		return "Uncertain emails… on the campaign's page lists them."
	case data.HintGoOn:
		return "Send goes on where it stopped."
	case data.HintTimeZone:
		return "Set the time zone under Settings."
	case data.HintSkipped:
		return "The Recipients tab shows who and why."
	case data.HintList:
		if about == "" {
			return ""
		}
		return "The " + strings.ToUpper(about[:1]) + about[1:] + "s screen lists them."
	case data.HintPracticeServer:
		return "Settings > Practice server moves the practice there."
	}
	return ""
}

// errorText is an error as the front desk should read it: the practice's
// words, then where to click.
func errorText(err error) string {
	msg := workflow.Message(err)
	if h := hintWords(data.HintOf(err)); h != "" {
		msg = strings.TrimSuffix(msg, ".") + ". " + h
	}
	return msg
}

// sentenceText is a sentence of the workflow's as the window shows it,
// with where to click.
func sentenceText(s workflow.Sentence) string {
	if h := hintWords(s.Hint, s.About); h != "" {
		return strings.TrimSuffix(s.Text, ".") + ". " + h
	}
	return s.Text
}
