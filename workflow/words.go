package workflow

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"kindly/data"
	"kindly/mailer"
)

// Sentence is a line the practice reads, with the next step it asks for
// (if any), which each front end words itself.
type Sentence struct {
	Text  string
	Hint  data.Hint
	About string // what the hint is about: a campaign's name
}

// Line is a run's progress in one line: "Sending: 12 sent, 0 failed, 3
// skipped, 85 to go, about 2 minutes left - the send window opens at 9:00
// (1h5m0s)".
func (p SendProgress) Line() string {
	text := fmt.Sprintf("Sending: %d sent, %d failed, %d skipped, %d to go", p.Sent, p.Failed, p.Skipped, p.Remaining)
	if p.Remaining > 0 && p.ETA > 0 {
		text += ", " + mailer.HumanDuration(p.ETA) + " left"
	}
	if p.Waiting > 0 {
		text += fmt.Sprintf(" - %s (%s)", p.Note, p.Waiting.Round(time.Second))
	}
	return text
}

// Start is what a run begins with: what was queued (and who was skipped),
// or that an unfinished run goes on.
func (q Queued) Start(campaign string) Sentence {
	if q.Resumed {
		return Sentence{Text: fmt.Sprintf("Resuming %q (%s).", campaign, q.Occurrence)}
	}
	s := Sentence{Text: fmt.Sprintf("Queued %s for %q (%s); %s skipped.", Emails(q.Queued), campaign, q.Occurrence, Patients(q.Skipped))}
	if q.Skipped > 0 {
		s.Hint, s.About = data.HintSkipped, campaign
	}
	return s
}

// Outcome is how a run ended, in sentences: emails found uncertain from
// an earlier stop, then what this run did, then what asks for a decision.
// Err is the run's error: a stop (nothing is lost), or nil.
func (r SendResult) Outcome(err error) []Sentence {
	var out []Sentence
	if r.Recovered > 0 {
		out = append(out, Sentence{Text: fmt.Sprintf("%s being sent when Kindly stopped before; they may have arrived and are not sent again.",
			data.Count(r.Recovered, "email was", "emails were")), Hint: data.HintUncertain, About: r.Campaign})
	}
	t := r.Totals
	switch {
	case err != nil && r.Queued.Occurrence != "" && !errors.Is(err, data.ErrSenderBusy):
		return append(out, Sentence{Text: "Stopped: " + Message(err) + ". Nothing is lost.", Hint: data.HintGoOn, About: r.Campaign})
	case err != nil:
		return append(out, Sentence{Text: Message(err)})
	case r.Status == data.CampaignPaused:
		return append(out, Sentence{Text: fmt.Sprintf("Paused after %s in this run.", Emails(r.Sent)), Hint: data.HintGoOn, About: r.Campaign})
	}
	line := fmt.Sprintf("%q (%s): %d sent, %d failed, %d skipped", r.Campaign, r.Queued.Occurrence, t[data.StatusSent], t[data.StatusFailed], t[data.StatusSkipped])
	if r.Sent != t[data.StatusSent] {
		line += fmt.Sprintf(" (%d in this run)", r.Sent)
	}
	out = append(out, Sentence{Text: line + "."})
	if n := t[data.StatusUncertain]; n > 0 {
		out = append(out, Sentence{Text: fmt.Sprintf("%s uncertain: they may have arrived.", data.Count(n, "email is", "emails are")),
			Hint: data.HintUncertain, About: r.Campaign})
	}
	return out
}

// Stopped says whether the run ended before its end: paused, or stopped by
// an error (the command line exits with an error then).
func (r SendResult) Stopped(err error) bool {
	return err != nil || r.Status == data.CampaignPaused
}

// Resolved is what deciding on uncertain emails did: n marked as arrived,
// or n back in the queue for the next send.
func Resolved(campaign string, n int, arrived bool) Sentence {
	if arrived {
		return Sentence{Text: fmt.Sprintf("%s of %q marked as arrived.", data.Count(n, "uncertain email", "uncertain emails"), campaign)}
	}
	return Sentence{Text: fmt.Sprintf("%s of %q %s out again with the next send.", data.Count(n, "uncertain email", "uncertain emails"),
		campaign, data.Plural(n, "goes", "go")), Hint: data.HintGoOn, About: campaign}
}

// Line is what cancelling a run did.
func (c Cancelled) Line(campaign string) string {
	return fmt.Sprintf("Cancelled: %s of %q (%s) will not be sent.", data.Count(c.Count, "queued email", "queued emails"), campaign, c.Occurrence)
}

// InboxLine is what came back through the inbox, in one sentence (the
// front end adds when it was last checked, in its own date format).
func (o Overview) InboxLine() Sentence {
	switch {
	case !o.Mail.Configured():
		return Sentence{Text: "Kindly reads bounces and opt-out replies from the practice's mailbox once it is set up.", Hint: data.HintMailAccount}
	case !o.InboxSet:
		return Sentence{Text: "Kindly does not read the inbox yet, so bounces and opt-out replies do not come back.", Hint: data.HintInboxServer}
	}
	in := o.Inbox
	text := fmt.Sprintf("Inbox: %s, %s", data.Count(in.Bounced, "bounced address", "bounced addresses"), data.Count(in.OptOuts, "opt-out", "opt-outs"))
	if in.ToReview > 0 {
		text += fmt.Sprintf(", %s to review", data.Count(in.ToReview, "message", "messages"))
	}
	return Sentence{Text: text + "."}
}

// ReviewButton is the label of the button that lists the messages to review.
func (o Overview) ReviewButton() string {
	return fmt.Sprintf("Review %s…", data.Count(o.Inbox.ToReview, "message", "messages"))
}

// NoneUncertain says a campaign has no uncertain emails.
func NoneUncertain(campaign string) string {
	return fmt.Sprintf("No uncertain emails in %q.", campaign)
}

// RecipientsLine says what a campaign's recipients list holds: who the
// email already went to (or not), then what the next send does.
func RecipientsLine(rows []data.Recipient) string {
	if len(rows) == 0 {
		return "Nobody yet: nothing is due today, and nothing was sent."
	}
	done := map[string]int{}
	gets, skips := 0, 0
	for _, r := range rows {
		switch {
		case r.Result != "":
			done[r.Result]++
		case r.Gets:
			gets++
		default:
			skips++
		}
	}
	var parts []string
	if len(done) > 0 {
		parts = append(parts, "So far: "+CountsText(done))
	}
	if gets+skips > 0 {
		parts = append(parts, fmt.Sprintf("the next send: %s get it, %s skipped", Patients(gets), Patients(skips)))
	}
	return strings.Join(parts, "; ") + "."
}

// RecipientResult is a row's result in words, with when as the front end
// writes the time: "sent 7 Dec 09:32", "skipped", "gets it".
func RecipientResult(r data.Recipient, when string) string {
	switch {
	case r.Result == data.StatusSent && when != "":
		return "sent " + when
	case r.Result != "":
		return r.Result
	case r.Gets:
		return "gets it"
	}
	return "skipped"
}

// OccurrenceText is an occurrence's key as the practice reads it: "the
// 2026 season", "2026's birthdays", "recalls due in December 2026", or the
// day of a one-time send.
func OccurrenceText(key string, dates Dates) string {
	var y, m int
	switch {
	case strings.HasPrefix(key, "season-"):
		return "the " + strings.TrimPrefix(key, "season-") + " season"
	case strings.HasPrefix(key, "birthday-") && len(key) == len("birthday-2026"): // before daily keys
		return "birthdays of " + strings.TrimPrefix(key, "birthday-")
	}
	// A daily run's key is its day: "birthday-2026-12-07", "appointment-…".
	for _, kind := range []string{data.ScheduleBirthday, data.ScheduleRecall, data.ScheduleAppointment} {
		if d, err := data.ParseDate(strings.TrimPrefix(key, kind+"-")); strings.HasPrefix(key, kind+"-") && err == nil {
			return dates.Day(d)
		}
	}
	switch {
	case strings.HasPrefix(key, "recall-"): // before daily keys: a month
		if _, err := fmt.Sscanf(key, "recall-%d-%d", &y, &m); err == nil && m >= 1 && m <= 12 {
			return fmt.Sprintf("recalls due in %s %d", time.Month(m), y)
		}
	}
	if d, err := data.ParseDate(key); err == nil {
		return dates.Day(d)
	}
	return key
}

// LateText says which caught-up emails are in a run: "3 birthdays from
// Saturday and Sunday" (days within the week by name, older ones by date).
func LateText(late []data.LateDay, occurrence string) string {
	n := 0
	var days []string
	for _, l := range late {
		n += l.Count
		days = append(days, l.Day.Time(time.UTC).Weekday().String())
	}
	if len(late) > 0 {
		first, last := late[0].Day, late[len(late)-1].Day
		switch {
		case last.AddDays(-6).After(first): // over a week: by date
			sep := " to "
			if len(late) == 2 {
				sep = " and "
			}
			days = []string{fmt.Sprintf("%d %s%s%d %s", first.Day, first.Month, sep, last.Day, last.Month)}
		case len(late) > 2:
			days = []string{days[0] + " to " + days[len(days)-1]}
		}
	}
	what := data.Count(n, "email", "emails")
	switch {
	case strings.HasPrefix(occurrence, data.ScheduleBirthday):
		what = data.Count(n, "birthday", "birthdays")
	case strings.HasPrefix(occurrence, data.ScheduleRecall):
		what = data.Count(n, "recall", "recalls")
	}
	return what + " from " + data.JoinNames(days)
}
