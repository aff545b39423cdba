package mailer

import (
	"errors"
	"fmt"
	"strings"
)

// outcome is what a send's result means for the patient and for the run.
type outcome int

const (
	// outSent: the server took the email.
	outSent outcome = iota
	// outUncertain: the whole email went out but the server's answer never
	// came (the connection died, or no reply in time): it may have arrived.
	// Never sent again unless the practice says so.
	outUncertain
	// outConnection: the connection failed or closed before the email was
	// complete; nothing was delivered: send it again on a new connection.
	outConnection
	// outSlowDown: the practice's mailbox is refused for now (a rate
	// limit): pause the run; the patient is not at fault.
	outSlowDown
	// outQuota: the mailbox's sending quota is used up: wait until it frees.
	outQuota
	// outAccount: the server refuses the practice's account or sender for
	// good: stop the run.
	outAccount
	// outRecipientLater: this patient's server refuses for now (a full
	// mailbox, greylisting): try this patient again later, send the others.
	outRecipientLater
	// outRecipientFailed: this patient's email is refused for good.
	outRecipientFailed
)

// result is a send's outcome with the reader's verdict and the server's
// words.
type result struct {
	out   outcome
	v     Verdict
	stage Stage
	reply string
}

// classify sorts a send error by what it means; sender is the practice's
// address (a refusal naming it is the practice's problem).
func classify(err error, sender string) result {
	if err == nil {
		return result{out: outSent}
	}
	if errors.Is(err, ErrTooManyRecipients) || errors.Is(err, errAddress) {
		return result{out: outRecipientFailed, v: Verdict{Party: PartyRecipient, Reason: ReasonUserUnknown}, reply: err.Error()}
	}
	var se *StageError
	if !errors.As(err, &se) {
		return result{out: outConnection, v: Verdict{Party: PartyConnection, Temporary: true, Reason: ReasonNetworkError}, reply: err.Error()}
	}
	reply := se.Error()
	if se.Status != "" && !strings.Contains(reply, se.Status) {
		reply = se.Status + " " + reply
	}
	if se.Code == 0 {
		if se.Stage == StageAfterData {
			return result{out: outUncertain, stage: se.Stage, reply: reply} // the end of the email went out; no answer came
		}
		// The connection broke before the email ended: nothing was delivered.
		return result{out: outConnection, stage: se.Stage, v: Verdict{Party: PartyConnection, Temporary: true, Reason: ReasonNetworkError}, reply: reply}
	}
	v := Interpret(Reply{Stage: se.Stage, Code: se.Code, Status: se.Status, Text: reply, Sender: sender})
	return result{out: outcomeOf(v), v: v, stage: se.Stage, reply: reply}
}

// outcomeOf is what a verdict means for the run.
func outcomeOf(v Verdict) outcome {
	switch {
	case v.Party == PartyConnection:
		return outConnection
	case v.Party == PartySender && v.Quota:
		return outQuota
	case v.Party == PartySender && v.Temporary:
		return outSlowDown
	case v.Party == PartySender:
		return outAccount
	case v.Temporary:
		return outRecipientLater
	}
	return outRecipientFailed
}

// refusalKey tells one refusal from another, for the breaker: the same
// code, status and reason for patient after patient is the server
// refusing everyone.
func (r result) refusalKey() string {
	return fmt.Sprintf("%d %s %s", r.v.Code, r.v.Status, r.v.Reason)
}

// reasonPhrases are the reasons in the practice's words.
var reasonPhrases = map[Reason]string{
	ReasonUserUnknown:     "the address does not exist",
	ReasonHostUnknown:     "the address's domain has no mail server",
	ReasonHasMoved:        "the patient moved to another address",
	ReasonNotAccept:       "the address's domain takes no email",
	ReasonMailboxFull:     "the patient's mailbox is full",
	ReasonSuspend:         "the patient's mailbox is disabled for now",
	ReasonFiltered:        "the patient's mailbox refused it (a filter)",
	ReasonRejected:        "the receiving server refused the practice's sender address",
	ReasonBlocked:         "the receiving server blocks the sending server",
	ReasonPolicy:          "the receiving server refused it by its rules",
	ReasonSpam:            "the receiving server took it for spam",
	ReasonVirus:           "the receiving server took it for a virus",
	ReasonSecurity:        "the receiving server refused it for security",
	ReasonAuthFailure:     "the practice's mailbox did not pass the sign-in or sender checks (SPF, DKIM, DMARC)",
	ReasonRequirePTR:      "the sending server has no reverse DNS name",
	ReasonBadReputation:   "the sending server's reputation is too low",
	ReasonNoRelaying:      "the mail server does not pass email on for this mailbox",
	ReasonSpeeding:        "the mail server asks to send more slowly",
	ReasonTooManyConn:     "the mail server has too many connections",
	ReasonExpired:         "the receiving server could not be reached for days",
	ReasonNetworkError:    "a network problem",
	ReasonMesgTooBig:      "the email is too big",
	ReasonExceedLimit:     "the email is over the mailbox's size limit",
	ReasonContentError:    "the receiving server refused the email's form",
	ReasonNotCompliantRFC: "the receiving server found the email not standard",
	ReasonSyntaxError:     "the mail server did not understand a command",
	ReasonSystemError:     "the receiving mail system had an error",
	ReasonSystemFull:      "the receiving mail system is full",
	ReasonMailerError:     "a program on the receiving side failed",
	ReasonFailedSTARTTLS:  "the encrypted connection failed",
	ReasonVacation:        "an out-of-office reply",
	ReasonFeedback:        "a spam complaint",
	ReasonUndefined:       "the receiving server refused it",
}

// Words is a reason in the practice's words.
func (r Reason) Words() string {
	if w, ok := reasonPhrases[r]; ok {
		return w
	}
	return reasonPhrases[ReasonUndefined]
}

// inWords puts a refusal in plain words, keeping the server's reply.
func inWords(r result) string {
	if r.out == outRecipientLater {
		why := "the patient's mail server asked to try later"
		switch r.v.Reason {
		case ReasonMailboxFull, ReasonSuspend, ReasonNetworkError, ReasonSystemFull:
			why += ": " + r.v.Reason.Words()
		}
		return why + " (" + r.reply + ")"
	}
	return r.v.Reason.Words() + " (" + r.reply + ")"
}
