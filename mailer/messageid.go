package mailer

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
)

// MessageID is the Message-ID Kindly gives the email of an outbox row:
// "kindly.<row>.<tag>@<the sender's domain>". The tag is the database's
// own (data.Store.MessageTag), so a bounce or reply that quotes it is
// matched to the email it answers - and never to another database's.
func MessageID(outboxID int64, tag, from string) string {
	domain := "kindly.invalid"
	if a, err := mail.ParseAddress(from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
			domain = d
		}
	}
	return "kindly." + strconv.FormatInt(outboxID, 10) + "." + tag + "@" + domain
}

var messageIDPattern = regexp.MustCompile(`(?i)kindly\.([0-9]{1,18})\.([0-9a-z]{6,32})@`)

// OutboxIDs finds the outbox rows whose Message-IDs (with this tag) a text
// quotes, in order, each once.
func OutboxIDs(text, tag string) []int64 {
	var ids []int64
	seen := map[int64]bool{}
	for _, m := range messageIDPattern.FindAllStringSubmatch(text, -1) {
		if !strings.EqualFold(m[2], tag) {
			continue
		}
		id, err := strconv.ParseInt(m[1], 10, 64)
		if err == nil && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}
