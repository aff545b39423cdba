package mailer

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"time"

	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/charset" // replies in Windows-1252, ISO-8859-x, ...
	"golang.org/x/text/unicode/norm"

	"kindly/data"
)

// What a message of the inbox is.
const (
	ReadBounce    = "bounce"     // a delivery failure report
	ReadDelayed   = "delayed"    // a warning that delivery is still being tried: nothing changes
	ReadComplaint = "complaint"  // a spam complaint (RFC 5965 feedback report)
	ReadAutoReply = "auto-reply" // out of office, vacation: nothing changes
	ReadOptOut    = "opt-out"    // a patient asking to stop
	ReadReply     = "reply"      // an ordinary reply to a Kindly email: nothing changes
	ReadReview    = "review"     // Kindly cannot tell for sure: the practice decides
	ReadOther     = "other"      // not about Kindly's emails
)

// Reading is what Kindly made of one message of the inbox.
type Reading struct {
	What string
	// Finding is what it changes (nil: nothing).
	Finding *data.Finding
}

// maxMessage is how much of a message is read: bounce reports and replies
// are small; a big attachment is not looked into.
const maxMessage = 1 << 20

// ReadMessage reads one message of the practice's mailbox: bounces
// (standard delivery status notifications and the texts of the common mail
// servers), spam complaints, auto-replies and replies asking to stop. tag
// is the database's Message-ID tag; own is the practice's address (never
// taken for a patient's).
func ReadMessage(raw []byte, tag, own string) Reading {
	if len(raw) > maxMessage {
		raw = raw[:maxMessage]
	}
	raw = withoutMboxLine(raw)
	m := parseIncoming(raw)
	own = strings.ToLower(own)
	f := &data.Finding{From: m.from, Subject: m.subject, Received: m.date, OutboxIDs: OutboxIDs(string(raw), tag)}

	if r, ok := readSES(m, f); ok {
		return r
	}
	switch {
	case m.reportType == "feedback-report" || m.feedback != "" || isFeedbackText(m) || complaintSubject.MatchString(m.subject):
		f.Kind, f.Reason = data.FindingComplaint, "marked the email as spam"
		f.Address = firstAddress(fieldValue(m.feedback, "Original-Rcpt-To"), m.originalTo)
		f.Excerpt = excerpt(m.text)
		return Reading{ReadComplaint, f}
	case m.reportType == "delivery-status" || m.reportType == "global-delivery-status" || m.looksLikeBounce():
		return readBounce(m, f, own)
	case m.header.Get("List-Id") != "" || m.header.Get("List-Unsubscribe") != "":
		return Reading{What: ReadOther} // a newsletter to the practice
	case m.autoReply():
		return Reading{What: ReadAutoReply}
	}
	return readReply(m, f, own)
}

// withoutMboxLine drops the "From sender date" line an mbox file (and a
// message saved from one) starts with: it is not a header.
func withoutMboxLine(raw []byte) []byte {
	if bytes.HasPrefix(raw, []byte("From ")) { // a header would be "From:"
		if i := bytes.IndexByte(raw, '\n'); i > 0 {
			return raw[i+1:]
		}
	}
	return raw
}

// complaintSubject is Microsoft's complaint report (JMRP) and the like.
var complaintSubject = regexp.MustCompile(`(?i)^\s*(complaint about message from|abuse report|spam complaint)`)

// isFeedbackText: a complaint report whose parts MIME does not find
// (RFC 5965's fields in the body).
func isFeedbackText(m *incoming) bool {
	if m.feedback == "" && strings.Contains(strings.ToLower(m.body), "feedback-type:") {
		m.feedback = m.body
		return true
	}
	return false
}

// message is the parts of a message the reading looks at.
type incoming struct {
	header                  gomessage.Header
	from, fromAddr, subject string
	date                    time.Time
	reportType              string
	text                    string // the text parts (HTML as text when there is no plain part)
	body                    string // everything after the header, as it came (for reports whose parts are broken)
	dsn, feedback           string // message/delivery-status, message/feedback-report
	originalTo              string // the To of the returned original
	failedTo                string
}

func parseIncoming(raw []byte) *incoming {
	m := &incoming{}
	norm := bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	if _, body, ok := bytes.Cut(norm, []byte("\n\n")); ok {
		m.body = string(body)
	}
	e, _ := gomessage.Read(bytes.NewReader(raw))
	if e == nil {
		m.text = m.body // not MIME at all: the text is what follows the header
		return m
	}
	m.header = e.Header
	h := mail.Header(e.Header.Header.Map())
	m.subject = decodeWords(e.Header.Get("Subject"))
	m.from = decodeWords(e.Header.Get("From"))
	if a, err := mail.ParseAddress(m.from); err == nil {
		m.fromAddr = strings.ToLower(a.Address)
	}
	m.date, _ = h.Date()
	m.failedTo = e.Header.Get("X-Failed-Recipients")
	if t, params, _ := e.Header.ContentType(); t == "multipart/report" {
		m.reportType = strings.ToLower(params["report-type"])
	}
	var plain, html strings.Builder
	e.Walk(func(path []int, part *gomessage.Entity, err error) error {
		if part == nil {
			return nil
		}
		t, _, _ := part.Header.ContentType()
		if t == "" && len(path) == 0 {
			t = "text/plain"
		}
		read := func() string {
			b, _ := io.ReadAll(io.LimitReader(part.Body, maxMessage))
			return string(b)
		}
		switch {
		case t == "text/plain":
			plain.WriteString(read())
			plain.WriteString("\n")
		case t == "text/html":
			html.WriteString(htmlText(read()))
		case t == "message/delivery-status" || t == "message/global-delivery-status":
			m.dsn = read()
		case t == "message/feedback-report":
			m.feedback = read()
		case t == "message/rfc822" || t == "text/rfc822-headers" || t == "message/rfc822-headers" || t == "message/global-headers":
			orig := read()
			if oh, err := mail.ReadMessage(strings.NewReader(orig + "\n\n")); err == nil {
				m.originalTo = oh.Header.Get("To")
			}
		}
		return nil
	})
	m.text = plain.String()
	if strings.TrimSpace(m.text) == "" {
		m.text = html.String()
	}
	if strings.TrimSpace(m.text) == "" && m.dsn == "" {
		m.text = m.body // parts MIME cannot find (a boundary that never comes): read it as text
	}
	return m
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

func decodeWords(s string) string {
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		return d
	}
	return s
}

// daemons are the senders of bounce reports.
var daemonSender = regexp.MustCompile(`(?i)^(mailer-daemon|mailer_daemon|mailerdaemon|postmaster|mail-daemon|maildelivery|bounce[s]?|mdaemon)@`)

var bounceSubject = regexp.MustCompile(`(?i)(undeliver|error sending your mail|delivery status notification|mail system error|メールエラー|エラー通知|配信不能|不達|undelivered mail|delivery status notification \((failure|delay)|delivery fail|delivery has failed|mail delivery failed|failure notice|returned mail|returned to sender|could not be delivered|couldn't be delivered|non-?delivery|message not delivered|delivery incomplete|unzustellbar|nicht zugestellt|non remis|non distribu|impossible de remettre|no se puede entregar|no entregado|no se ha podido entregar)`)

func (m *incoming) looksLikeBounce() bool {
	return daemonSender.MatchString(m.fromAddr) || bounceSubject.MatchString(m.subject) || m.failedTo != "" ||
		strings.HasPrefix(strings.ToLower(strings.TrimSpace(m.from)), "mailer-daemon") ||
		strings.Contains(strings.ToLower(m.from), "mail delivery")
}

var autoSubject = regexp.MustCompile(`(?i)^(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit|r[ée]ponse automatique|absent|respuesta autom[áa]tica|fuera de la oficina|vacation|away from)`)

// autoReply: RFC 3834's Auto-Submitted, the headers of Exchange and common
// responders, and the subjects of out-of-office replies.
func (m *incoming) autoReply() bool {
	h := m.header
	if v := strings.ToLower(h.Get("Auto-Submitted")); v != "" && v != "no" {
		return true
	}
	if h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" || h.Get("X-Auto-Response-Suppress") == "All" && h.Get("X-MS-Exchange-Inbox-Rules-Loop") != "" {
		return true
	}
	switch strings.ToLower(h.Get("Precedence")) {
	case "auto_reply", "bulk", "junk", "list":
		return true
	}
	return autoSubject.MatchString(m.subject)
}

// readReply reads a message that is not a report: a reply asking to stop,
// an ordinary reply, or mail that has nothing to do with Kindly.
func readReply(m *incoming, f *data.Finding, own string) Reading {
	f.Address = m.fromAddr
	if f.Address == "" || f.Address == own {
		return Reading{What: ReadOther}
	}
	answers := len(f.OutboxIDs) > 0 // in In-Reply-To, References or the quoted email
	fresh := newText(m.text)
	subject := strings.TrimSpace(replyPrefix.ReplaceAllString(m.subject, ""))
	f.Excerpt = excerpt(fresh)
	// List-Unsubscribe's mailto: (RFC 2369) sends exactly this.
	listUnsubscribe := strings.EqualFold(subject, "unsubscribe") && len(strings.TrimSpace(fresh)) < 200
	asks, all := asksToStop(subject + "\n" + fresh)
	switch {
	case listUnsubscribe, asks && answers && len([]rune(strings.TrimSpace(fresh))) <= 400:
		f.Kind, f.AllEmail = data.FindingOptOut, all
		f.Reason = "asked to stop"
		return Reading{ReadOptOut, f}
	case asks:
		f.Kind, f.Reason = data.FindingReview, "may ask to stop getting emails: read it and decide"
		return Reading{ReadReview, f}
	case answers:
		return Reading{What: ReadReply}
	}
	return Reading{What: ReadOther}
}

var replyPrefix = regexp.MustCompile(`(?i)^((re|aw|wg|fw|fwd|tr|rv|sv|antw)\s*:\s*)+`)

// newText is a reply's own text: without the quoted email below it.
func newText(text string) string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), maxMessage)
	for sc.Scan() {
		line := sc.Text()
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, ">") {
			continue
		}
		if quoteHeader.MatchString(t) || t == "-- " || t == "--" {
			break
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return strings.TrimSpace(b.String())
}

var quoteHeader = regexp.MustCompile(`(?i)^(on .{3,120} wrote:|am .{3,120} schrieb .{0,80}:|le .{3,120} a [ée]crit ?:|el .{3,120} escribi[óo]:|-{2,} ?(original message|urspr[üu]ngliche nachricht|message d'origine|mensaje original) ?-{2,}|from: .+|von: .+|de ?: .+|_{10,})$`)

var stopPhrases = regexp.MustCompile(`(?i)(unsubscribe|opt[ -]?out|remove me|take me off|stop (sending|emailing|mailing|these|the emails|all)|no more (e-?mails|mails|messages)|(don't|do not) (e-?mail|contact|write to) me|abmelden|abbestellen|austragen|keine (e-?mails|mails|nachrichten|werbung) mehr|bitte (entfernen|l[öo]schen sie mich)|d[ée]sabonner|d[ée]sinscri|ne plus recevoir|retirez[- ]moi|supprimez[- ]moi|darme de baja|dar de baja|darse de baja|cancelar (la )?suscripci[óo]n|no quiero recibir|no m[áa]s correos|no me env[íi]en)`)
var stopAlone = regexp.MustCompile(`(?im)^\s*(stop|stopp|arr[êe]t|alto|baja|unsubscribe)[.!]*\s*$`)
var allEmail = regexp.MustCompile(`(?i)(no e-?mails? at all|any (more )?e-?mails?|all (e-?mails|emails|messages|mail)|stop all|gar keine|überhaupt keine|keinerlei|aucun (e-?mail|mail|message)|plus aucun|ning[úu]n (correo|e-?mail|mensaje))`)

// asksToStop says whether a text asks to stop, and whether it asks for no
// email at all.
func asksToStop(text string) (asks, all bool) {
	text = norm.NFC.String(text)
	asks = stopPhrases.MatchString(text) || stopAlone.MatchString(text)
	return asks, asks && allEmail.MatchString(text)
}

var addressPattern = regexp.MustCompile(`[A-Za-z0-9._%+'\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)

func addressesIn(text string) []string {
	var out []string
	for _, a := range addressPattern.FindAllString(text, -1) {
		out = append(out, strings.ToLower(strings.Trim(a, ".")))
	}
	return out
}

// firstAddress is the first address among DSN values ("rfc822; a@b.c",
// also with a quoted or encoded local part) and header values.
func firstAddress(values ...string) string {
	for _, v := range values {
		if _, after, ok := strings.Cut(v, ";"); ok {
			v = after
		}
		v = strings.TrimSpace(v)
		if a, err := mail.ParseAddress(v); err == nil {
			return strings.ToLower(a.Address)
		}
		if t := strings.Trim(v, "<> \t"); strings.Count(t, "@") == 1 && !strings.ContainsAny(t, " \t,<>") {
			return strings.ToLower(t)
		}
		if as := addressesIn(v); len(as) > 0 {
			return as[0]
		}
	}
	return ""
}

// fieldValue is a header-style field of a report block (folded lines joined).
func fieldValue(block, name string) string {
	lines := strings.Split(strings.ReplaceAll(block, "\r\n", "\n"), "\n")
	prefix := strings.ToLower(name) + ":"
	for i, l := range lines {
		if strings.HasPrefix(strings.ToLower(l), prefix) {
			v := strings.TrimSpace(l[len(prefix):])
			for j := i + 1; j < len(lines) && (strings.HasPrefix(lines[j], " ") || strings.HasPrefix(lines[j], "\t")); j++ {
				v += " " + strings.TrimSpace(lines[j])
			}
			return v
		}
	}
	return ""
}

var tags = regexp.MustCompile(`(?s)<(style|script)[^>]*>.*?</(style|script)>|<[^>]+>`)

func htmlText(s string) string {
	s = tags.ReplaceAllString(strings.NewReplacer("<br>", "\n", "<br/>", "\n", "<br />", "\n", "</p>", "\n", "</div>", "\n").Replace(s), "")
	return strings.NewReplacer("&nbsp;", " ", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'").Replace(s)
}

func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		return string(r[:300]) + "…"
	}
	return s
}

// NeedsMore says, from the start of a long message, whether the rest of
// it may matter: a report or bounce, an answer to one of this database's
// emails (tag), a subject asking to stop, or mail from a patient's address
// (known). Other long mail - newsletters, attachments - is read no
// further; its start is still read for a request to stop.
func NeedsMore(start []byte, tag string, known func(addr string) bool) bool {
	m := parseIncoming(start)
	if m.header.Header.Len() == 0 {
		return true // not readable as a message: read it all
	}
	ct, _, _ := m.header.ContentType()
	asks, _ := asksToStop(m.subject)
	return ct == "multipart/report" || m.looksLikeBounce() || asks ||
		len(OutboxIDs(string(start), tag)) > 0 || m.fromAddr != "" && known(m.fromAddr)
}
