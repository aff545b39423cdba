package mailer

import (
	"regexp"
	"strings"

	"kindly/data"
)

// recipientReport is what a bounce report says of one recipient.
type recipientReport struct {
	address string
	action  string // failed, delayed, delivered, relayed, expanded ("" when not given)
	status  string // the enhanced status code
	diag    string // the remote server's words
	stage   Stage
}

// readBounce reads a delivery report: a standard one (RFC 3464, also when
// its parts are not where MIME says), or the text of the servers that do
// not send one. What it means is decided by Interpret, as for the sender.
func readBounce(m *incoming, f *data.Finding, own string) Reading {
	if strings.TrimSpace(m.body) == "" {
		// A failure notice that is only a header: it names whom, never
		// why. Listed for the practice, not guessed.
		f.Kind, f.Address = data.FindingReview, firstAddress(m.failedTo)
		f.Reason = "a failure notice that says nothing of why"
		if f.Address != "" {
			f.Reason = "a failure notice for " + f.Address + " that says nothing of why"
		}
		return Reading{ReadReview, f}
	}
	reports := dsnReports(m.dsn)
	for i := range reports {
		if reports[i].address == "" { // a report that names no one: the failed recipient of the header
			reports[i].address = firstAddress(m.failedTo)
		}
	}
	if len(reports) == 0 {
		reports = dsnReports(m.body) // the fields inside a broken or flat report
	}
	if len(reports) == 0 {
		reports = textReports(m, own)
	}
	var delayed *recipientReport
	succeeded := false
	for i := range reports {
		r := &reports[i]
		if r.address == own || r.address == "" && len(f.OutboxIDs) == 0 {
			continue
		}
		switch {
		case r.action == "delayed" || r.action == "" && delayNotice(m):
			if delayed == nil {
				delayed = r
			}
			continue
		case r.action == "delivered" || r.action == "relayed" || r.action == "expanded":
			succeeded = true
			continue
		}
		return bounceOf(m, f, *r)
	}
	if delayed != nil {
		f.Kind, f.Address = data.FindingDelayed, delayed.address
		v := Interpret(Reply{Stage: delayed.stage, Status: delayed.status, Text: delayed.diag})
		f.Reason, f.Excerpt = v.Reason.Words(), excerpt(delayed.diag)
		return Reading{ReadDelayed, f}
	}
	if delayNotice(m) {
		f.Kind, f.Address = data.FindingDelayed, firstAddress(m.failedTo, m.originalTo)
		f.Reason, f.Excerpt = "the receiving server could not take it yet", excerpt(m.text)
		return Reading{ReadDelayed, f}
	}
	if succeeded {
		return Reading{What: ReadOther} // delivered, relayed: nothing failed
	}
	f.Kind, f.Reason, f.Excerpt = data.FindingReview, "a bounce Kindly cannot read for sure", excerpt(m.text)
	return Reading{ReadReview, f}
}

// bounceOf is the finding for a failed recipient.
func bounceOf(m *incoming, f *data.Finding, r recipientReport) Reading {
	text := r.diag
	if strings.TrimSpace(text) == "" {
		text = m.text
	}
	stage := r.stage
	if stage == StageUnknown {
		stage = stageIn(m.text)
	}
	v := Interpret(Reply{Stage: stage, Status: r.status, Text: text, Failed: true})
	if v.Reason == ReasonUndefined && text != m.text {
		if w := reasonOfText(m.text); w != "" {
			v.Reason = w
		}
	}
	f.Kind, f.Address = data.FindingBounce, r.address
	f.Hard, f.Reason = v.AddressUnusable(), v.Reason.Words()
	f.Excerpt = excerpt(text)
	return Reading{ReadBounce, f}
}

// dsnReports reads the per-recipient fields of a delivery status report;
// blocks start at each Final-Recipient (or Original-Recipient), with or
// without blank lines between them.
func dsnReports(s string) []recipientReport {
	if !strings.Contains(strings.ToLower(s), "final-recipient:") && !strings.Contains(strings.ToLower(s), "original-recipient:") {
		return nil
	}
	var out []recipientReport
	var cur *recipientReport
	var hasFinal, hasOriginal bool
	var early recipientReport // fields written before the recipient's (Facebook writes Diagnostic-Code first)
	start := func() {
		first := len(out) == 0
		out = append(out, recipientReport{})
		cur, hasFinal, hasOriginal = &out[len(out)-1], false, false
		if first {
			*cur = early
		}
	}
	for _, field := range reportFields(s) {
		name, value := field[0], field[1]
		switch name {
		case "original-recipient":
			if cur == nil || hasOriginal {
				start()
			}
			hasOriginal = true
			if a := firstAddress(value); a != "" && !hasFinal {
				cur.address = a
			}
		case "final-recipient":
			if cur == nil || hasFinal {
				start()
			}
			hasFinal = true
			if a := firstAddress(value); a != "" {
				cur.address = a
			}
		case "action", "status", "diagnostic-code":
			r := cur
			if r == nil {
				r = &early
			}
			switch name {
			case "action":
				r.action = strings.ToLower(strings.Fields(value + " x")[0])
			case "status":
				r.status = statusIn(value)
			default:
				_, after, ok := strings.Cut(value, ";")
				if !ok {
					after = value
				}
				r.diag = strings.TrimSpace(after)
				r.stage = stageIn(r.diag)
			}
		case "will-retry-until":
			if cur != nil && cur.action == "" {
				cur.action = "delayed"
			}
		}
	}
	return out
}

// reportFields are the "Name: value" lines of a report, folded lines
// joined, names lower-cased.
func reportFields(s string) [][2]string {
	var out [][2]string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(out) > 0 {
			out[len(out)-1][1] += " " + strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.ContainsAny(name, " \t") || name == "" {
			continue
		}
		out = append(out, [2]string{strings.ToLower(name), strings.TrimSpace(value)})
	}
	return out
}

var stageWords = []struct {
	re    *regexp.Regexp
	stage Stage
}{
	{regexp.MustCompile(`(?i)(after|in\s+reply\s+to|response\s+to)\s+(the\s+)?(end\s+of\s+data|data\s+command|end\s+of\s+message|message\s+text|\.)|after\s+data|after\s+end\s+of|while\s+sending\s+the\s+message\s+text|\bdata:`), StageAfterData},
	{regexp.MustCompile(`(?i)(after|in\s+reply\s+to|response\s+to)\s+rcpt|rcpt\s+to:?\s*<|after\s+recipient|while\s+talking.*rcpt|does\s+not\s+like\s+recipient|did\s+not\s+like\s+our\s+rcpt|rcpt\s+to\s+response|rcpt_to|smtp:rcpt|<[^<>\s]+@[^<>\s]+>:?\s+(user\s+unknown|recipient\s+address\s+rejected)`), StageRcptTo},
	{regexp.MustCompile(`(?i)(after|in\s+reply\s+to|response\s+to)\s+mail\s+?from|mail\s+from:?\s*<`), StageMailFrom},
}

// stageIn is the SMTP stage a report names ("in reply to RCPT TO
// command"), or the last command before the refusal in a transcript
// (">>> DATA", then "<<< 550 ...").
func stageIn(text string) Stage {
	// A transcript (">>> DATA", then "<<< 550 ...") says it best.
	if loc := refusalLine.FindStringIndex(text); loc != nil {
		cmds := commandLine.FindAllStringSubmatch(text[:loc[0]], -1)
		if len(cmds) > 0 {
			switch strings.ToUpper(cmds[len(cmds)-1][1]) {
			case "DATA":
				return StageAfterData
			case "RCPT":
				return StageRcptTo
			case "MAIL":
				return StageMailFrom
			}
		}
	}
	best, at := StageUnknown, len(text)+1
	for _, s := range stageWords {
		if loc := s.re.FindStringIndex(text); loc != nil && loc[0] < at {
			best, at = s.stage, loc[0]
		}
	}
	return best
}

var (
	refusalLine = regexp.MustCompile(`(?m)^<<< [45]\d\d`)
	commandLine = regexp.MustCompile(`(?mi)^>>> (DATA|RCPT|MAIL)`)
)

// originalStart is where a text bounce quotes the returned email: what
// follows is the patient's email, not the server's words.
var originalStart = regexp.MustCompile(`(?im)^.{0,12}(-{2,} ?)?(below this line is a copy of the message|this is a copy of the message|original message (follows|headers? follows?)|` +
	`the (original )?(message|header)s? (of the original message )?(is|are|was) (following|attached|included|below)|` +
	`unsent message below|returned message|original message|header of the original message|message headers follow|` +
	`text of the original message|original message headers|copy of (the |your )?(original )?message)`)

// textReports reads a bounce written as text: the failed address
// (X-Failed-Recipients, the returned email's To, or the addresses the text
// names) and the server's words around it.
func textReports(m *incoming, own string) []recipientReport {
	text := m.text
	if loc := originalStart.FindStringIndex(text); loc != nil && loc[0] > 0 {
		text = text[:loc[0]]
	}
	addr := firstAddress(m.failedTo)
	if to := firstAddress(m.originalTo); addr == "" && to != "" && strings.Contains(strings.ToLower(text), to) {
		addr = to
	}
	if addr == "" {
		for _, a := range addressesIn(senderLines.ReplaceAllString(text, "")) {
			if a != own && a != m.fromAddr && !reportersOwn(a, m.fromAddr) {
				addr = a
				break
			}
		}
	}
	if addr == "" {
		addr = firstAddress(m.originalTo)
	}
	if addr == "" && strings.TrimSpace(text) == "" {
		return nil
	}
	diag := around(text, addr)
	return []recipientReport{{address: addr, diag: diag, stage: stageIn(diag)}}
}

// reportersOwn: a postmaster or mailer-daemon address of the reporting
// server's domain ("please write to postmaster@mx.example") is not the
// failed recipient.
func reportersOwn(addr, reporter string) bool {
	_, d1, _ := strings.Cut(addr, "@")
	_, d2, _ := strings.Cut(reporter, "@")
	if !daemonSender.MatchString(addr) || d1 == "" || d2 == "" {
		return false
	}
	return d1 == d2 || strings.HasSuffix(d1, "."+d2) || strings.HasSuffix(d2, "."+d1)
}

// senderLines name the returned email's sender, not its recipient.
var senderLines = regexp.MustCompile(`(?mi)^\s*(from|sender|reply-to|return-path|envelope-from|x-sender)\s*:.*$`)

// around is the part of a text that speaks of addr: from its first mention
// on, some lines; the whole text when it is not named.
func around(text, addr string) string {
	i := -1
	if addr != "" {
		i = strings.Index(strings.ToLower(text), addr)
	}
	if i < 0 {
		return text
	}
	rest := text[i:]
	lines := strings.SplitN(rest, "\n", 12)
	if len(lines) > 11 {
		lines = lines[:11]
	}
	for j := 1; j < len(lines); j++ { // its paragraph: the next recipient's words are not its
		other := false
		for _, a := range addressesIn(lines[j]) {
			other = other || a != addr
		}
		if strings.TrimSpace(lines[j]) == "" && j > 1 || other && !strings.Contains(strings.ToLower(lines[j]), addr) {
			lines = lines[:j]
			break
		}
	}
	part := strings.Join(lines, "\n")
	if rt := textReason(part); (rt == nil || rt.weak) && statusIn(part) == "" && codeIn(part) == 0 {
		return text // the words are elsewhere (before the address, or after its paragraph)
	}
	return part
}

var delaySubject = regexp.MustCompile(`(?i)(\(delay\)|delayed mail|delivery delayed|delivery status notification \(delay\)|` +
	`warning: could not send message for past|warning: message .* still undelivered|still being retried|` +
	`message delayed|delivery (is )?delayed|delay(ed)? notification|zustellung verz[öo]gert|remise diff[ée]r[ée]e|retrasad)`)

var delayText = regexp.MustCompile(`(?i)(this is a warning (message )?only|will (continue|keep) (trying|to try|retrying)|` +
	`(still|keep) trying to deliver|has been delayed|delivery has been delayed|delivery to the following recipients? (has been|was) delayed|` +
	`not yet been delivered|will be retried|will retry (for|until|delivery)|you do not need to resend|` +
	`no action is required on your part|temporarily unable to deliver|is still in the queue|` +
	`could not be delivered yet|hasn't been delivered yet|has not been delivered yet)`)

// delayNotice: the report says delivery is still being tried.
func delayNotice(m *incoming) bool {
	if delaySubject.MatchString(m.subject) {
		return true
	}
	head := m.text
	if loc := originalStart.FindStringIndex(head); loc != nil {
		head = head[:loc[0]]
	}
	return delayText.MatchString(head) && !finalWords.MatchString(head)
}

var finalWords = regexp.MustCompile(`(?i)(permanent(ly)? (error|fatal|failure)|retry timeout exceeded|gave up|giving up|could not be delivered to one or more|` +
	`has been (returned|bounced)|failed permanently|delivery has failed|undeliverable)`)
