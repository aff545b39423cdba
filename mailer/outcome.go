package mailer

import (
	"errors"
	"strings"

	gomail "github.com/wneessen/go-mail"
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
	// outConnection: the connection failed before the email was complete;
	// nothing was delivered: send it again on a new connection, uncounted.
	outConnection
	// outSlowDown: the server refuses for now, for the whole mailbox (a rate
	// limit, "try again later"): pause the run, the patient is not at fault.
	outSlowDown
	// outQuota: the mailbox's sending quota is used up: wait until it frees.
	outQuota
	// outAccount: the server refuses this sender for good: stop the run.
	outAccount
	// outRecipientLater: the recipient's server refuses for now (busy,
	// greylisting): try this patient again later, send the others.
	outRecipientLater
	// outRecipientFailed: the recipient's address does not take email.
	outRecipientFailed
)

// classify sorts a send error by what it means, and returns the server's
// words for the record.
func classify(err error) (outcome, string) {
	if err == nil {
		return outSent, ""
	}
	if errors.Is(err, ErrTooManyRecipients) || errors.Is(err, errAddress) {
		return outRecipientFailed, err.Error()
	}
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return outConnection, err.Error()
	}
	code, reply := se.ErrorCode(), se.Error()
	if esc := se.EnhancedStatusCode(); esc != "" && !strings.Contains(reply, esc) {
		reply = esc + " " + reply
	}
	switch se.Reason {
	case gomail.ErrSMTPReset:
		return outSent, "" // the email was taken; only the reset after it failed
	case gomail.ErrConnCheck:
		return outConnection, reply
	case gomail.ErrGetSender:
		return outAccount, reply
	case gomail.ErrSMTPDataClose:
		if code == 0 {
			return outUncertain, reply // the end of the email went out; no answer came
		}
		return byReply(code, reply, false), reply
	case gomail.ErrSMTPMailFrom:
		if code == 0 {
			return outConnection, reply
		}
		if code >= 500 && !isQuota(reply) {
			return outAccount, reply
		}
		return byReply(code, reply, false), reply
	case gomail.ErrSMTPRcptTo:
		if code == 0 {
			return outConnection, reply
		}
		return byReply(code, reply, true), reply
	case gomail.ErrSMTPData, gomail.ErrWriteContent:
		if code == 0 {
			return outConnection, reply // the email never ended: nothing was delivered
		}
		return byReply(code, reply, false), reply
	}
	return outRecipientFailed, reply
}

// byReply sorts a server's reply code and words; recipient says the reply
// was to this patient's address (RCPT TO).
func byReply(code int, reply string, recipient bool) outcome {
	switch {
	case isQuota(reply):
		return outQuota
	case code == 421:
		return outSlowDown // the server closes the session: for everyone
	case code >= 400 && code < 500 && isGreylisting(reply):
		return outRecipientLater
	case code >= 400 && code < 500 && (!recipient || isThrottle(reply)):
		return outSlowDown
	case code >= 400 && code < 500:
		return outRecipientLater
	}
	return outRecipientFailed
}

func containsAny(s string, words ...string) bool {
	s = strings.ToLower(s)
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// isQuota: the mailbox's sending quota is used up (Gmail's "550 5.4.5
// Daily user sending quota exceeded", Microsoft's
// "SubmissionQuotaExceededException", "sending limit exceeded").
func isQuota(reply string) bool {
	return containsAny(reply, "quota", "5.4.5", "4.4.5", "sending limit", "limit exceeded", "daily limit", "message limit")
}

// isThrottle: a reply to one recipient that is about the whole mailbox's
// pace (a rate limit), not about the recipient ("mailbox busy").
func isThrottle(reply string) bool {
	return containsAny(reply, "rate limit", "sending rate", "message rate", "too many", "throttl", "slow down", "server busy", "4.5.127", "4.7.500")
}

func isGreylisting(reply string) bool { return containsAny(reply, "greylist", "graylist") }

// aboutTheAddress says a permanent refusal is about this address (it does
// not exist, the mailbox is disabled), not about the sender: such refusals
// never trip the breaker.
func aboutTheAddress(reply string) bool {
	return containsAny(reply, "5.1.", "5.2.", "user unknown", "unknown user", "no such user", "does not exist", "not found",
		"mailbox unavailable", "invalid recipient", "recipient rejected", "address rejected")
}

// inWords puts a refusal in plain words, keeping the server's reply.
func inWords(o outcome, reply string) string {
	switch {
	case o == outRecipientFailed && containsAny(reply, "5.2.2", "mailbox full", "over quota", "552"):
		return "the patient's mailbox is full (" + reply + ")"
	case o == outRecipientFailed && aboutTheAddress(reply):
		return "the address does not exist or does not accept email (" + reply + ")"
	case o == outRecipientFailed && containsAny(reply, "spam", "5.7.", "policy", "blocked", "554"):
		return "the receiving server refused the message (" + reply + ")"
	case o == outRecipientLater:
		return "the patient's mail server asked to try later (" + reply + ")"
	}
	return reply
}
