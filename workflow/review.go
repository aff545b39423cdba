package workflow

import (
	"context"
	"fmt"
	"time"

	"kindly/data"
	"kindly/mailer"
)

// Review is what the practice sees before a send: who, how many, what it
// looks like, and what deserves a second look.
type Review struct {
	Campaign    string              `json:"campaign"`
	Purpose     string              `json:"purpose"`
	PurposeRule string              `json:"purpose_rule"` // who that purpose goes to, in words
	Status      data.CampaignStatus `json:"status"`
	Sentence    string              `json:"sentence"`   // the segment in words
	Members     int                 `json:"members"`    // segment members today (the occurrence's audience)
	Daily       bool                `json:"daily"`      // a birthday, recall or appointment campaign: Members are those due today
	Recipients  int                 `json:"recipients"` // of them, who may get this purpose of email
	Previous    int                 `json:"previous"`   // recipients at the last review, -1 if none
	Samples     []mailer.Message    `json:"samples"`
	Warnings    []string            `json:"warnings"`
	Blockers    []string            `json:"blockers"` // what stops the send until it is fixed
	Duration    time.Duration       `json:"duration"` // until the last email, by the mailbox's limits and its measured pace
	Days        int                 `json:"days"`     // calendar days it spans under the daily limit
	// The state of the campaign and of the occurrence a Send works on.
	State      string `json:"state"`      // StateReady, StatePaused, StateDone, ...
	StateText  string `json:"state_text"` // the one status line of the campaign's page
	Occurrence string `json:"occurrence"` // "" when nothing is due
	NextDue    string `json:"next_due"`   // the next send's day, when known
	ToSend     int    `json:"to_send"`    // patients the next Send emails (left of a run, and new recipients)
	Emails     int    `json:"emails"`     // the emails that makes: fewer when families sharing an address get one
	NoConsent  int    `json:"no_consent"` // of the skipped, left out for want of consent to care reminders
	// Late are the emails among ToSend due on earlier days (closed days,
	// days Kindly was not opened), per day: caught up now, once.
	Late      []data.LateDay `json:"late,omitempty"`
	Skipping  int            `json:"skipping"`  // members the next Send skips, each with a reason (Recipients)
	ThisTime  map[string]int `json:"this_time"` // the occurrence's emails so far, by status
	Uncertain int            `json:"uncertain"` // uncertain emails of every occurrence, for the practice to decide
}

// Review counts, renders three samples and checks a campaign before it is
// sent: the same review for the window and the command line. It remembers
// the count for the next review.
func (w *Workflow) Review(ctx context.Context, name string) (Review, error) {
	return w.review(ctx, name, nil)
}

// ReviewAndRecipients is Review with the Recipients table, from one pass
// over the audience (the window shows both).
func (w *Workflow) ReviewAndRecipients(ctx context.Context, name string) (Review, []data.Recipient, error) {
	var rows []data.Recipient
	rv, err := w.review(ctx, name, &rows)
	return rv, rows, err
}

func (w *Workflow) review(ctx context.Context, name string, keep *[]data.Recipient) (Review, error) {
	cp, st, err := w.campaignWithSettings(ctx, name)
	if err != nil {
		return Review{}, err
	}
	dates, err := w.Dates(ctx)
	if err != nil {
		return Review{}, err
	}
	today := dates.Today
	run, err := w.dayRun(ctx, cp, today)
	if err != nil {
		return Review{}, err
	}
	c, audience := cp.Campaign, run.Audience
	rv := Review{Campaign: c.Name, Purpose: c.Purpose, PurposeRule: PurposeRule(c.Purpose), Status: c.Status, Daily: cp.Schedule.Daily(),
		Sentence: cp.Segment.Rule.Sentence(), Warnings: []string{}, Blockers: []string{}}
	if err := w.countAudience(ctx, c, audience, &rv); err != nil {
		return rv, err
	}
	if err := w.renderSamples(ctx, cp, st.Practice, run, today, &rv); err != nil {
		return rv, err
	}
	for _, t := range cp.templates() {
		if missing := mailer.MissingPractice(t, st.Practice); len(missing) > 0 {
			rv.Blockers = append(rv.Blockers, (&mailer.ErrPracticeIncomplete{Missing: missing}).Error())
			break
		}
	}
	rv.Warnings = append(rv.Warnings, mailer.SubjectWarnings(cp.Template.Subject, st.SubjectWords...)...)
	if mailer.EndsWithSignature(cp.Template.Body, st.Practice.Signature) {
		rv.Warnings = append(rv.Warnings, SignedTwice)
	}
	rv.Warnings = append(rv.Warnings, w.audienceWarnings(ctx, c, audience, rv)...)
	if err := w.occurrenceState(ctx, cp, dates, &rv, keep); err != nil {
		return rv, err
	}
	all, err := w.store.OutboxCounts(ctx, c.ID, "")
	if err != nil {
		return rv, err
	}
	rv.Uncertain = all[data.StatusUncertain]
	if rv.Duration, rv.Days, err = w.estimate(ctx, st.Mail, rv.ToSend); err != nil {
		return rv, err
	}
	return rv, w.store.SetLastReviewCount(ctx, c.ID, rv.Recipients)
}

// countAudience counts the segment's members today, those the email may
// go to, and how many the last review found.
func (w *Workflow) countAudience(ctx context.Context, c data.Campaign, audience data.Rule, rv *Review) error {
	var err error
	if rv.Members, err = w.store.SegmentCount(ctx, audience); err != nil {
		return err
	}
	if rv.Recipients, err = w.store.RecipientCount(ctx, c.Purpose, audience); err != nil {
		return err
	}
	rv.Previous, err = w.store.LastReviewCount(ctx, c.ID)
	return err
}

// renderSamples renders the email for three recipients, as they will get it.
func (w *Workflow) renderSamples(ctx context.Context, cp Campaign, pr data.Practice, run data.DayRun, today data.Date, rv *Review) error {
	samples, err := w.store.SampleRecipients(ctx, cp.Purpose, run.Audience, 3)
	if err != nil {
		return err
	}
	for _, p := range samples {
		m, err := cp.message(run, p, pr, today)
		if err != nil {
			return err
		}
		rv.Samples = append(rv.Samples, m)
	}
	return nil
}

// audienceWarnings are what deserves a second look about who gets it: an
// audience that grew fast, a promotion to everyone, nobody at all.
func (w *Workflow) audienceWarnings(ctx context.Context, c data.Campaign, audience data.Rule, rv Review) []string {
	var out []string
	if rv.Previous > 0 && rv.Recipients > 3*rv.Previous {
		out = append(out, fmt.Sprintf("The audience grew from %d to %d since the last review: check the segment.", rv.Previous, rv.Recipients))
	}
	if c.Purpose == data.PurposePromotion && len(audience.Rules) == 0 && (audience.Kind == data.KindAll || audience.Kind == data.KindAny) {
		out = append(out, "This promotion targets all patients: promotions should go to the patients they are relevant to.")
	}
	if c.Purpose == data.PurposePromotion {
		all, err := w.store.RecipientCount(ctx, data.PurposePromotion, data.Rule{Kind: data.KindAll})
		if err == nil && all > 0 && rv.Recipients == all && len(audience.Rules) > 0 {
			out = append(out, "This promotion reaches every patient who accepts promotions.")
		}
	}
	if rv.Recipients == 0 {
		out = append(out, "Nobody would get this email.")
	}
	return out
}

// estimate is how long n emails take within the mailbox's limits, at the
// pace measured so far, and over how many days.
func (w *Workflow) estimate(ctx context.Context, m data.MailAccount, n int) (time.Duration, int, error) {
	pace, _, err := w.store.SendPace(ctx) // 0 without history: the default pace
	if err != nil {
		return 0, 0, err
	}
	if pace == 0 && data.LooksLoopback(m.Host) { // no DNS look-up on each review
		pace = loopbackPace // a mail server on this computer answers in a millisecond or two
	}
	sent, err := w.store.SentSince(ctx, w.store.Now().Add(-24*time.Hour))
	if err != nil {
		return 0, 0, err
	}
	d, days := mailer.Estimate(n, mailer.LimitsOf(m), pace, sent)
	return d, days, nil
}

// loopbackPace is the time per email assumed, before any was measured,
// for a mail server on this computer.
const loopbackPace = 5 * time.Millisecond

// Fact is one line of a review: what it is about, and what it says.
type Fact struct{ Label, Text string }

// Facts is the review in words: who, the purpose, how many and how long.
func (rv Review) Facts() []Fact {
	sends := Patients(rv.ToSend)
	if rv.Emails != rv.ToSend {
		sends += fmt.Sprintf(" in %s (one email per family sharing an address)", Emails(rv.Emails))
	}
	if rv.Skipping > 0 {
		sends += fmt.Sprintf(", %d skipped with a reason", rv.Skipping)
	}
	if rv.NoConsent > 0 {
		sends += fmt.Sprintf(" (%s for want of consent to care reminders)", Patients(rv.NoConsent))
	}
	if len(rv.Late) > 0 {
		sends += "; " + LateText(rv.Late, rv.Occurrence) + " caught up"
	}
	if rv.Previous >= 0 {
		sends += fmt.Sprintf(" (last review: %d may get it)", rv.Previous)
	}
	takes := rv.Takes()
	facts := []Fact{
		{"Status", rv.StateText},
		{"Who", rv.who()},
		{"Purpose", rv.PurposeRule},
		{"Sends to", sends},
	}
	if rv.ToSend > 0 {
		facts = append(facts, Fact{"Takes", takes})
	}
	return facts
}

// who is the segment in words, with how many it holds today - or, for a
// campaign that runs every day, how many of them are due today.
func (rv Review) who() string {
	if rv.Daily {
		return fmt.Sprintf("%s (%s due today)", rv.Sentence, Patients(rv.Members))
	}
	return fmt.Sprintf("%s (%s in the segment today)", rv.Sentence, Patients(rv.Members))
}

// Patients is "1 patient" or "12 patients".
func Patients(n int) string { return data.Count(n, "patient", "patients") }

// Emails is "1 email" or "12 emails".
func Emails(n int) string { return data.Count(n, "email", "emails") }

// Takes is how long the send takes: "about 4 minutes of sending", or until
// the last email when the mailbox's daily limit spreads it over days.
func (rv Review) Takes() string {
	if rv.Days > 1 {
		return mailer.HumanDuration(rv.Duration) + fmt.Sprintf(" until the last email: the mailbox's daily limit spreads it over %d days", rv.Days)
	}
	return mailer.HumanDuration(rv.Duration) + " of sending"
}
