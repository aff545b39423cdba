package mailer

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"kindly/data"
)

const testTag, practiceAddress = "a1b2c3d4e5f6", "front@sunny.example"

// Every fixture is a message as the named server or mail program writes
// it (from the RFCs' examples and the servers' documented texts).
func TestReadMessage(t *testing.T) {
	for _, c := range []struct {
		file    string
		what    string
		kind    string // the finding's kind, "" for none
		address string
		hard    bool
		reason  string
		ids     []int64
		all     bool
	}{
		{"postfix-user-unknown.eml", ReadBounce, data.FindingBounce, "ann@example.org", true, ReasonUserUnknown.Words(), []int64{42}, false},
		{"gmail-not-found.eml", ReadBounce, data.FindingBounce, "ann@example.org", true, ReasonUserUnknown.Words(), []int64{42}, false},
		{"m365-recipient-not-found.eml", ReadBounce, data.FindingBounce, "ann@example.org", true, ReasonUserUnknown.Words(), []int64{42}, false},
		{"outlookcom-mailbox-unavailable.eml", ReadBounce, data.FindingBounce, "hank@outlook.com", true, ReasonUserUnknown.Words(), []int64{49}, false},
		{"exchange-mailbox-full.eml", ReadBounce, data.FindingBounce, "ivy@clinic.example", false, ReasonMailboxFull.Words(), []int64{50}, false},
		{"postfix-no-domain.eml", ReadBounce, data.FindingBounce, "ann@nowhere.example", true, ReasonHostUnknown.Words(), []int64{42}, false},
		{"ses-spam-block.eml", ReadBounce, data.FindingBounce, "ann@example.org", false, ReasonSpam.Words(), []int64{42}, false},
		{"postfix-mailbox-full.eml", ReadBounce, data.FindingBounce, "ann@example.org", false, ReasonMailboxFull.Words(), []int64{42}, false},
		{"delayed.eml", ReadDelayed, data.FindingDelayed, "ann@example.org", false, ReasonExpired.Words(), []int64{42}, false},
		{"other-database.eml", ReadBounce, data.FindingBounce, "zoe@example.org", true, ReasonUserUnknown.Words(), nil, false},
		{"exim-mailbox-full.eml", ReadBounce, data.FindingBounce, "bob@example.net", false, ReasonMailboxFull.Words(), []int64{43}, false},
		{"text-bounce-names-postmaster.eml", ReadBounce, data.FindingBounce, "carol@example.com", true, ReasonUserUnknown.Words(), []int64{44}, false},
		{"qmail-no-mailbox.eml", ReadBounce, data.FindingBounce, "carol@example.com", true, ReasonUserUnknown.Words(), []int64{44}, false},
		{"yahoo-no-account.eml", ReadBounce, data.FindingBounce, "dave@yahoo.com", true, ReasonUserUnknown.Words(), nil, false},
		{"sendmail-user-unknown.eml", ReadBounce, data.FindingBounce, "frank@example.edu", true, ReasonUserUnknown.Words(), nil, false},
		{"unreadable-bounce.eml", ReadReview, data.FindingReview, "", false, "a bounce Kindly cannot read for sure", nil, false},
		{"outlook-autoreply.eml", ReadAutoReply, "", "", false, "", nil, false},
		{"german-out-of-office.eml", ReadAutoReply, "", "", false, "", nil, false},
		{"arf-complaint.eml", ReadComplaint, data.FindingComplaint, "erin@example.com", false, "marked the email as spam", []int64{45}, false},
		{"reply-unsubscribe.eml", ReadOptOut, data.FindingOptOut, "erin@example.com", false, "asked to stop", []int64{45}, false},
		{"reply-german-no-email-at-all.eml", ReadOptOut, data.FindingOptOut, "bernd@example.de", false, "asked to stop", []int64{46}, true},
		{"reply-french-latin1.eml", ReadOptOut, data.FindingOptOut, "renee@example.fr", false, "asked to stop", []int64{47}, false},
		{"reply-spanish.eml", ReadOptOut, data.FindingOptOut, "ana@example.es", false, "asked to stop", []int64{48}, false},
		{"list-unsubscribe-mailto.eml", ReadOptOut, data.FindingOptOut, "carol@example.com", false, "asked to stop", nil, false},
		{"reply-ordinary.eml", ReadReply, "", "", false, "", nil, false},
		{"question-about-unsubscribing.eml", ReadReview, data.FindingReview, "gina@example.com", false, "may ask to stop getting emails: read it and decide", nil, false},
		{"newsletter.eml", ReadOther, "", "", false, "", nil, false},
	} {
		t.Run(c.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "inbox", c.file))
			if err != nil {
				t.Fatal(err)
			}
			r := ReadMessage(raw, testTag, practiceAddress)
			if r.What != c.what {
				t.Fatalf("read as %q, want %q (%+v)", r.What, c.what, r.Finding)
			}
			if c.kind == "" {
				if r.Finding != nil {
					t.Fatalf("changes something: %+v", r.Finding)
				}
				return
			}
			f := r.Finding
			if f == nil || f.Kind != c.kind || f.Address != c.address || f.Hard != c.hard || f.Reason != c.reason || f.AllEmail != c.all || !slices.Equal(f.OutboxIDs, c.ids) {
				t.Fatalf("finding %+v\nwant kind %q address %q hard %v reason %q ids %v all %v", f, c.kind, c.address, c.hard, c.reason, c.ids, c.all)
			}
		})
	}
}

func TestMessageIDs(t *testing.T) {
	id := MessageID(42, testTag, "Sunny Clinic <front@sunny.example>")
	if id != "kindly.42.a1b2c3d4e5f6@sunny.example" {
		t.Fatal(id)
	}
	text := "In-Reply-To: <" + id + ">\nReferences: <kindly.7.a1b2c3d4e5f6@x.example> <kindly.9.000000000000@sunny.example> <" + id + ">"
	if got := OutboxIDs(text, testTag); !slices.Equal(got, []int64{42, 7}) {
		t.Fatalf("ids %v", got)
	}
}
