package data

import "errors"

// Kind is what kind of failure an error is: code decides by it, never by
// the words of a message.
type Kind int

const (
	KindOther       Kind = iota
	KindNotFound         // a record does not exist (any more)
	KindDuplicate        // a record with the same unique value exists
	KindInUse            // a record others refer to cannot be removed
	KindBusy             // another program holds the database
	KindDiskFull         // no room on the disk
	KindDamaged          // not a Kindly database, or damaged
	KindInvalid          // what was typed or read is not right (a ValidationError, a RuleError)
	KindNotSetUp         // something the job needs is not set up yet
	KindSignIn           // the mailbox wants a sign-in (again)
	KindNothingDue       // nothing of a campaign is due today
	KindSenderBusy       // another Kindly is sending from this database
	KindUnavailable      // the practice server cannot be reached
	KindConflict         // a record changed after it was shown (on another computer)
)

// Hint is the next step an error asks of the practice. Each front end
// words it itself: the window names its screen or button, the command
// line its command.
type Hint int

const (
	HintNone            Hint = iota
	HintPracticeDetails      // fill in the practice's details
	HintMailAccount          // set up the mail account
	HintInboxServer          // name the inbox (IMAP) server
	HintPassword             // save the mailbox's password
	HintSignIn               // sign in to the mailbox again (OAuth)
	HintMicrosoftSignIn      // password sign-in is off: use "Sign in with Microsoft"
	HintAppPassword          // the provider wants an app password
	HintCalendar             // see when a campaign is due
	HintUncertain            // list a campaign's uncertain emails and decide
	HintGoOn                 // Send goes on where a run stopped
	HintTimeZone             // set the practice's time zone
	HintSkipped              // see who was skipped and why
	HintList                 // see the ones there are (About: "campaign", "segment", "template")
	HintPracticeServer       // share the practice through the practice server
)

// Problem is a failure the practice can act on: its kind, a message in
// plain words without any front end's wording, the next step as a hint
// (About names what it is about: a campaign, say), and the technical cause.
type Problem struct {
	Kind    Kind
	Message string
	Hint    Hint
	About   string
	Err     error
}

func (p *Problem) Error() string { return p.Message }
func (p *Problem) Unwrap() error { return p.Err }

// Problemf is a problem of kind with a hint; cause may be nil.
func Problemf(kind Kind, hint Hint, about, message string, cause error) *Problem {
	return &Problem{Kind: kind, Message: message, Hint: hint, About: about, Err: cause}
}

// KindOf is the kind of err: a Problem's own, a validation error's, or the
// kind its wrapped sentinel (ErrNotFound...) stands for.
func KindOf(err error) Kind {
	var p *Problem
	if errors.As(err, &p) && p.Kind != KindOther {
		return p.Kind
	}
	var k interface{ ErrorKind() Kind } // another package's error type
	if errors.As(err, &k) {
		return k.ErrorKind()
	}
	var ve *ValidationError
	var re *RuleError
	if errors.As(err, &ve) || errors.As(err, &re) {
		return KindInvalid
	}
	for _, s := range []struct {
		err  error
		kind Kind
	}{{ErrNotFound, KindNotFound}, {ErrDuplicate, KindDuplicate}, {ErrInUse, KindInUse}, {ErrBusy, KindBusy},
		{ErrDiskFull, KindDiskFull}, {ErrDamaged, KindDamaged}, {ErrSenderBusy, KindSenderBusy}, {ErrServerLost, KindUnavailable}} {
		if errors.Is(err, s.err) {
			return s.kind
		}
	}
	return KindOther
}

// NextStep is an error that asks for a next step: a Problem, or another
// package's error type (a mail server's refusal).
type NextStep interface {
	error
	NextStep() (Hint, string)
}

// NextStep is the problem's hint and what it is about.
func (p *Problem) NextStep() (Hint, string) { return p.Hint, p.About }

// HintOf is the next step err asks for, and what it is about.
func HintOf(err error) (Hint, string) {
	var n NextStep
	if errors.As(err, &n) {
		return n.NextStep()
	}
	return HintNone, ""
}
