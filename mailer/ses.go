package mailer

import (
	"encoding/json"
	"strings"

	"kindly/data"
)

// sesNotification is Amazon SES's bounce or complaint notification, as
// it arrives by email through Amazon SNS: JSON, often wrapped in SNS's
// own envelope whose Message is the notification as a string.
type sesNotification struct {
	NotificationType string `json:"notificationType"`
	Bounce           struct {
		BounceType        string `json:"bounceType"` // Permanent, Transient, Undetermined
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint struct {
		ComplainedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
}

// readSES reads an Amazon SES notification in the body; ok is false when
// the body is not one.
func readSES(m *incoming, f *data.Finding) (Reading, bool) {
	// SNS folds long lines with "!" at the fold.
	body := strings.ReplaceAll(strings.TrimSpace(strings.ReplaceAll(m.text, "\r\n", "\n")), "!\n ", "")
	i := strings.Index(body, "{")
	if i < 0 || !strings.Contains(body, "notificationType") {
		return Reading{}, false
	}
	body = body[i:]
	if j := strings.LastIndex(body, "}"); j >= 0 {
		body = body[:j+1]
	}
	var n sesNotification
	if json.Unmarshal([]byte(body), &n) != nil {
		return Reading{}, false
	}
	if n.NotificationType == "" {
		var wrap struct{ Message string }
		if json.Unmarshal([]byte(body), &wrap) != nil || json.Unmarshal([]byte(wrap.Message), &n) != nil {
			return Reading{}, false
		}
	}
	switch n.NotificationType {
	case "Bounce":
		if len(n.Bounce.BouncedRecipients) == 0 {
			return Reading{}, false
		}
		r := n.Bounce.BouncedRecipients[0]
		diag := strings.TrimSpace(strings.TrimPrefix(r.DiagnosticCode, "smtp;"))
		v := Interpret(Reply{Status: r.Status, Text: diag, Failed: n.Bounce.BounceType != "Transient"})
		f.Kind, f.Address = data.FindingBounce, strings.ToLower(r.EmailAddress)
		f.Hard, f.Reason, f.Excerpt = v.AddressUnusable(), v.Reason.Words(), excerpt(diag)
		return Reading{ReadBounce, f}, true
	case "Complaint":
		f.Kind, f.Reason = data.FindingComplaint, "marked the email as spam"
		if len(n.Complaint.ComplainedRecipients) > 0 {
			f.Address = strings.ToLower(n.Complaint.ComplainedRecipients[0].EmailAddress)
		}
		return Reading{ReadComplaint, f}, true
	}
	return Reading{}, false
}
