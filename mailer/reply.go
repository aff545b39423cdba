package mailer

import (
	"kindly/data"
	"regexp"
	"strconv"
	"strings"
)

// Stage is where in the SMTP conversation a server's reply came.
type Stage int

const (
	StageUnknown   Stage = iota // a bounce report that does not say
	StageConnect                // opening the connection (no reply at all)
	StageGreeting               // the server's first line (220)
	StageHello                  // EHLO/HELO, STARTTLS
	StageAuth                   // AUTH: the practice's sign-in
	StageMailFrom               // MAIL FROM: the practice's sender address
	StageRcptTo                 // RCPT TO: this patient's address
	StageData                   // the DATA command, before any byte of the email
	StageAfterData              // the reply to the email's final "."
)

var stageNames = [...]string{"", "connecting", "greeting", "EHLO", "AUTH", "MAIL FROM", "RCPT TO", "DATA", "end of data"}

func (s Stage) String() string { return stageNames[s] }

// Party is whose problem a reply is about.
type Party int

const (
	PartyRecipient  Party = iota // this patient's address or mailbox
	PartySender                  // the practice's mailbox, account or sender address
	PartyConnection              // the connection: nothing was delivered, try again
	PartyMessage                 // the email itself (its size or content)
)

var partyNames = [...]string{"recipient", "sender", "connection", "message"}

func (p Party) String() string { return partyNames[p] }

// Reason is why, from a fixed list (the names sisimai, the reference
// bounce classifier, uses).
type Reason string

const (
	ReasonUserUnknown     Reason = "userunknown"     // the address does not exist
	ReasonHostUnknown     Reason = "hostunknown"     // the domain has no mail server
	ReasonHasMoved        Reason = "hasmoved"        // the person moved and left no forwarding
	ReasonNotAccept       Reason = "notaccept"       // the domain takes no email at all
	ReasonMailboxFull     Reason = "mailboxfull"     // the mailbox is full
	ReasonSuspend         Reason = "suspend"         // the mailbox is disabled for now
	ReasonFiltered        Reason = "filtered"        // refused by the mailbox's own filter
	ReasonRejected        Reason = "rejected"        // the sender address was refused
	ReasonBlocked         Reason = "blocked"         // the sending server (its IP) is blocked
	ReasonPolicy          Reason = "policyviolation" // refused by the receiving side's rules
	ReasonSpam            Reason = "spamdetected"    // taken for spam
	ReasonVirus           Reason = "virusdetected"   // taken for a virus
	ReasonSecurity        Reason = "securityerror"   // a security rule (TLS, sign-in, permission)
	ReasonAuthFailure     Reason = "authfailure"     // SPF/DKIM/DMARC, or the practice's own sign-in
	ReasonRequirePTR      Reason = "requireptr"      // the sending server has no reverse DNS
	ReasonBadReputation   Reason = "badreputation"   // the sending server's reputation is low
	ReasonNoRelaying      Reason = "norelaying"      // this server does not pass email on for the sender
	ReasonSpeeding        Reason = "speeding"        // rate limited
	ReasonTooManyConn     Reason = "toomanyconn"     // too many connections or recipients
	ReasonExpired         Reason = "expired"         // gave up after trying for days
	ReasonNetworkError    Reason = "networkerror"    // the network or a routing loop
	ReasonMesgTooBig      Reason = "mesgtoobig"      // the email was too big
	ReasonExceedLimit     Reason = "exceedlimit"     // over a size limit of the mailbox
	ReasonContentError    Reason = "contenterror"    // the email's form was refused
	ReasonNotCompliantRFC Reason = "notcompliantrfc" // the email breaks the standards
	ReasonSyntaxError     Reason = "syntaxerror"     // the conversation broke the protocol
	ReasonSystemError     Reason = "systemerror"     // the receiving system failed
	ReasonSystemFull      Reason = "systemfull"      // the receiving system is out of space
	ReasonMailerError     Reason = "mailererror"     // a program on the receiving side failed
	ReasonFailedSTARTTLS  Reason = "failedstarttls"  // encryption was needed and failed
	ReasonVacation        Reason = "vacation"        // an out-of-office reply
	ReasonFeedback        Reason = "feedback"        // a spam complaint
	ReasonUndefined       Reason = "undefined"       // nothing says why
)

// Reply is what a server said, and where.
type Reply struct {
	Stage  Stage
	Code   int    // 250, 450, 550...; 0 when there was no reply
	Status string // the enhanced status code (RFC 3463), "5.1.1"
	Text   string
	// Sender is the practice's address: a refusal that names it is about
	// the practice, not the patient.
	Sender string
	// Failed: a delivery report says delivery failed; without a code, the
	// failure is taken as permanent.
	Failed bool
}

// Verdict is what a reply means.
type Verdict struct {
	Party     Party
	Temporary bool // trying again later may work
	Reason    Reason
	// Quota: the practice's mailbox used up its sending quota (a day's
	// worth); the run waits until it frees.
	Quota bool
	Hint  data.Hint
	Code  int
	// Status is the enhanced status code given or read from the text.
	Status string
}

// AddressUnusable says the address itself is bad for good: it does not
// exist, its domain does not, or its owner moved. Only these make a
// patient's address unusable by one reply; every other refusal is "soft".
func (v Verdict) AddressUnusable() bool {
	if v.Party != PartyRecipient || v.Temporary {
		return false
	}
	switch v.Reason {
	case ReasonUserUnknown, ReasonHostUnknown, ReasonHasMoved, ReasonNotAccept:
		return true
	}
	return false
}

// aboutTheAddress says the reason is this one address's own matter, so
// many of them in a row do not mean the server refuses everyone.
func (v Verdict) aboutTheAddress() bool {
	switch v.Reason {
	case ReasonUserUnknown, ReasonHostUnknown, ReasonHasMoved, ReasonNotAccept, ReasonMailboxFull, ReasonSuspend:
		return true
	}
	return false
}

var (
	statusPattern = regexp.MustCompile(`\b([245])\.(\d{1,3})\.(\d{1,3})\b`)
	codePattern   = regexp.MustCompile(`(?:^|[\s:;(#"'\[])([245][0-5][0-9])(?:[ \-.:]|$)`)
)

// Interpret says what a reply means: from the stage, the reply code and
// the enhanced status code first, and known texts of the common servers
// only after that.
func Interpret(r Reply) Verdict {
	v := Verdict{Code: r.Code, Status: r.Status}
	if in := statusIn(r.Text); v.Status == "" || in != "" && in[0] == v.Status[0] {
		v.Status = in // the server's own words over a report's summary of them
	}
	if v.Code == 0 {
		v.Code = codeIn(r.Text)
	}
	class := classOf(v.Code, v.Status)
	if class == 0 && r.Failed {
		class = '5'
	}
	v.Temporary = class != '5'
	v.Reason = reasonOf(r.Stage, v.Status, r.Text)
	if r.Stage == StageAuth {
		v.Reason = ReasonAuthFailure // whatever the code's detail: the sign-in was refused
	}
	v.Party = partyOf(r, v)
	v.Hint = hintOf(r.Text, v.Status)
	if v.Party == PartySender && isSendingQuota(r.Text, v.Status) {
		v.Quota, v.Temporary, v.Reason = true, true, ReasonSpeeding
	}
	if class == 0 && r.Stage == StageConnect {
		v.Party, v.Temporary, v.Reason = PartyConnection, true, ReasonNetworkError
	}
	// Some reasons are for now whatever the code says: a full mailbox
	// empties, a retry timeout was a temporary failure given up on.
	switch v.Reason {
	case ReasonMailboxFull, ReasonExpired, ReasonSpeeding, ReasonTooManyConn, ReasonSystemFull:
		if v.Party == PartyRecipient || v.Party == PartyConnection {
			v.Temporary = true
		}
	}
	return v
}

// classOf is '2', '4' or '5' from the reply code, else the status; 0 when
// neither is known.
func classOf(code int, status string) byte {
	switch {
	case code >= 200 && code < 600:
		return byte('0' + code/100)
	case status != "":
		return status[0]
	}
	return 0
}

// statusIn is the first enhanced status code in a text (not a 2.x.x one).
func statusIn(text string) string {
	for _, m := range statusPattern.FindAllStringSubmatch(text, 8) {
		if m[1] != "2" {
			return m[0]
		}
	}
	return ""
}

// codeIn is the first 4xx or 5xx reply code in a text.
func codeIn(text string) int {
	for _, m := range codePattern.FindAllStringSubmatch(text, 8) {
		if n, _ := strconv.Atoi(m[1]); n >= 400 {
			return n
		}
	}
	return 0
}

// reasonOf: a specific enhanced status code decides; a generic one (or
// none) leaves it to the words.
func reasonOf(stage Stage, status, text string) Reason {
	fromStatus := reasonOfStatus(status)
	rt := textReason(text)
	switch {
	case rt != nil && (fromStatus == "" || rt.specific || genericStatus(status) && !rt.weak):
		if rt.reason == ReasonUserUnknown && !rt.sure && fromStatus != ReasonUserUnknown && stage != StageRcptTo {
			// "User unknown" not in answer to the address (RCPT TO), nor
			// with a code that says so: after the email was taken, a
			// filter behind the server refused it; the address exists.
			return ReasonFiltered
		}
		return rt.reason
	case fromStatus != "":
		return fromStatus
	}
	switch stage {
	case StageConnect, StageGreeting, StageHello:
		return ReasonNetworkError
	}
	return ReasonUndefined // (AUTH is the sign-in's, whatever: Interpret says so)
}

// genericStatus: codes that say little beyond "refused" (x.0.0, 5.7.1 and
// its like), where the server's words say more.
func genericStatus(status string) bool {
	if status == "" {
		return true
	}
	sub := status[2:]
	if _, known := statusReasons[sub]; !known {
		return true // a server's own detail code: its words say more
	}
	switch sub {
	case "1.10", "0.0", "1.0", "2.0", "3.0", "4.0", "5.0", "6.0", "7.0", "7.1", "5.1", "5.2", "3.2", "4.1", "4.2", "7.9", "2.1":
		return true
	}
	return false
}

// reasonOfStatus is RFC 3463's meaning of an enhanced status code.
func reasonOfStatus(status string) Reason {
	if status == "" {
		return ""
	}
	class, sub := status[0], status[2:]
	if r, ok := statusReasons[sub]; ok {
		return r
	}
	switch {
	case strings.HasPrefix(sub, "1.") && class == '5':
		return ReasonUserUnknown // a server's own detail of "bad address" (Microsoft's 5.1.351)
	case strings.HasPrefix(sub, "7."):
		return ReasonSecurity // a server's own security detail (Microsoft's 5.7.57, 5.7.60)
	}
	if class == '4' {
		switch sub[0] {
		case '4':
			return ReasonNetworkError
		case '2':
			return ReasonMailboxFull
		}
	}
	return ""
}

var statusReasons = map[string]Reason{
	"1.1": ReasonUserUnknown, "1.2": ReasonHostUnknown, "1.3": ReasonUserUnknown, "1.4": ReasonFiltered,
	"1.6": ReasonHasMoved, "1.7": ReasonRejected, "1.8": ReasonRejected, "1.9": ReasonSystemError, "1.10": ReasonNotAccept,
	"2.1": ReasonSuspend, "2.2": ReasonMailboxFull, "2.3": ReasonExceedLimit, "2.4": ReasonFiltered,
	"3.0": ReasonSystemError, "3.1": ReasonSystemFull, "3.2": ReasonNotAccept, "3.3": ReasonSystemError,
	"3.4": ReasonMesgTooBig, "3.5": ReasonSystemError,
	"4.0": ReasonNetworkError, "4.1": ReasonNetworkError, "4.2": ReasonNetworkError, "4.3": ReasonSystemError,
	"4.4": ReasonHostUnknown, "4.5": ReasonSystemError, "4.6": ReasonNetworkError, "4.7": ReasonExpired,
	"5.0": ReasonSyntaxError, "5.1": ReasonSyntaxError, "5.2": ReasonSyntaxError, "5.3": ReasonTooManyConn,
	"5.4": ReasonSyntaxError, "5.5": ReasonSystemError, "5.6": ReasonSyntaxError,
	"6.0": ReasonContentError, "6.1": ReasonContentError, "6.2": ReasonContentError, "6.3": ReasonContentError,
	"6.5": ReasonContentError, "6.6": ReasonContentError, "6.7": ReasonContentError, "6.8": ReasonContentError,
	"7.0": ReasonSecurity, "7.1": ReasonSecurity, "7.2": ReasonSecurity, "7.3": ReasonSecurity, "7.4": ReasonSecurity,
	"7.5": ReasonSecurity, "7.6": ReasonSecurity, "7.7": ReasonSecurity, "7.8": ReasonAuthFailure, "7.9": ReasonSecurity,
	"7.10": ReasonSecurity, "7.11": ReasonSecurity, "7.13": ReasonSuspend, "7.14": ReasonSecurity,
	"7.17": ReasonHasMoved, "7.18": ReasonHasMoved, "7.20": ReasonAuthFailure, "7.21": ReasonAuthFailure,
	"7.22": ReasonAuthFailure, "7.23": ReasonAuthFailure, "7.24": ReasonAuthFailure, "7.25": ReasonRequirePTR,
	"7.26": ReasonAuthFailure, "7.27": ReasonNotAccept, "7.28": ReasonSpam, "7.29": ReasonAuthFailure,
	"7.30": ReasonAuthFailure, // Microsoft: basic authentication is not supported
}

// partyOf says whose problem it is, from the stage first.
func partyOf(r Reply, v Verdict) Party {
	switch r.Stage {
	case StageConnect:
		return PartyConnection
	case StageGreeting, StageHello:
		if v.Temporary || v.Code == 421 {
			return PartyConnection
		}
		return PartySender
	case StageAuth, StageMailFrom:
		if v.Code == 421 {
			return PartyConnection
		}
		return PartySender
	case StageData:
		if v.Code == 421 || v.Temporary {
			return PartyConnection
		}
		return PartyMessage
	}
	// RCPT TO, the end of data and bounce reports: the patient's, unless
	// the words or the code are about the practice's sender.
	if v.Code == 421 && r.Stage != StageUnknown {
		return PartyConnection
	}
	if aboutSender(r, v) {
		return PartySender
	}
	switch v.Reason {
	case ReasonMesgTooBig, ReasonExceedLimit, ReasonContentError, ReasonVirus, ReasonNotCompliantRFC:
		if r.Stage != StageUnknown {
			return PartyMessage
		}
	}
	return PartyRecipient
}

// aboutSender: the refusal names the practice's own address or account,
// not the patient's.
func aboutSender(r Reply, v Verdict) bool {
	if r.Stage == StageUnknown {
		return false // a bounce report is always about its recipient
	}
	if strings.HasPrefix(v.Status[min(2, len(v.Status)):], "1.7") || strings.HasPrefix(v.Status[min(2, len(v.Status)):], "1.8") {
		return true
	}
	if v.Reason == ReasonNoRelaying {
		return true
	}
	if senderWords.MatchString(r.Text) {
		return true
	}
	if addr := bareAddress(r.Sender); addr != "" && strings.Contains(strings.ToLower(r.Text), addr) {
		return true
	}
	return isSendingQuota(r.Text, v.Status)
}

func bareAddress(s string) string {
	if _, after, ok := strings.Cut(s, "<"); ok {
		s, _, _ = strings.Cut(after, ">")
	}
	return strings.ToLower(strings.TrimSpace(s))
}

var senderWords = regexp.MustCompile(`(?i)(sender address rejected|sender (is )?rejected|sender domain|sender verify failed|` +
	`sender address (is )?(invalid|not valid)|invalid sender|unverified sender|not permitted to send as|send ?as (permission|denied)|` +
	`client does not have permissions? to send|authentication required|must (be )?authenticate|client not authenticated|` +
	`5\.7\.57|5\.7\.60|5\.7\.139|5\.7\.708|5\.7\.705|submissionquota|storedrv\.(client)?submission|sender thread limit|` +
	`message submission rate|account (has been )?(suspended|disabled|blocked) for sending|sending (has been )?(disabled|suspended)|` +
	`daily user sending|sending quota|sending limit)`)

// isSendingQuota: the practice's mailbox used up what it may send (Gmail's
// "5.4.5 Daily user sending quota exceeded", Microsoft's
// "SubmissionQuotaExceeded"): never a recipient's full mailbox.
func isSendingQuota(text, status string) bool {
	if strings.HasSuffix(status, ".4.5") {
		return true
	}
	return sendingQuota.MatchString(text)
}

var sendingQuota = regexp.MustCompile(`(?i)(daily user sending|sending quota|submissionquota|sending limit (exceeded|reached)|` +
	`(daily|hourly) (message|sending|recipient) limit|message limit exceeded|too many messages sent|exceeded (the|your) (daily|hourly) (limit|quota))`)

func hintOf(text, status string) data.Hint {
	switch {
	case status == "5.7.139" || status == "5.7.30" || basicAuthOff.MatchString(text):
		return data.HintMicrosoftSignIn
	case appPassword.MatchString(text):
		return data.HintAppPassword
	}
	return data.HintNone
}

var (
	basicAuthOff = regexp.MustCompile(`(?i)(5\.7\.139|5\.7\.30\b|basic auth(entication)? is (disabled|not supported)|smtpclientauthentication is disabled|smtp auth(entication)? is disabled)`)
	appPassword  = regexp.MustCompile(`(?i)(application-specific password|app password)`)
)
