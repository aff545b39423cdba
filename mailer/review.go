package mailer

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"kindly/data"
)

// Review is what the practice sees before a send: who, how many, what it
// looks like, and what deserves a second look.
type Review struct {
	Campaign   string
	Purpose    string
	Sentence   string // the segment in words
	Members    int    // segment members today (the occurrence's audience)
	Recipients int    // of them, who may get this purpose of email
	Previous   int    // recipients at the last review, -1 if none
	Samples    []Message
	Warnings   []string
	Duration   time.Duration // sending time under the mailbox's limits
	Days       int           // calendar days it spans under the daily limit
}

func reviewKey(id int64) string { return "review." + strconv.FormatInt(id, 10) + ".recipients" }

// PrepareReview counts, renders three samples and checks a campaign
// occurrence before it is sent. It remembers the count for next time.
func PrepareReview(ctx context.Context, s *data.Store, c data.Campaign, audience data.Rule, sentence string, tpl Template, pr Practice, lim Limits, extraWords []string) (Review, error) {
	rv := Review{Campaign: c.Name, Purpose: c.Purpose, Sentence: sentence, Previous: -1}
	var err error
	if rv.Members, err = s.SegmentCount(ctx, audience); err != nil {
		return rv, err
	}
	if rv.Recipients, err = s.RecipientCount(ctx, c.Purpose, audience); err != nil {
		return rv, err
	}
	if v, _ := s.Setting(reviewKey(c.ID), ""); v != "" {
		rv.Previous, _ = strconv.Atoi(v)
	}
	today, err := s.Today()
	if err != nil {
		return rv, err
	}
	samples, err := s.SampleRecipients(ctx, c.Purpose, audience, 3)
	if err != nil {
		return rv, err
	}
	for _, p := range samples {
		m, err := tpl.Render(p, pr, today)
		if err != nil {
			return rv, err
		}
		rv.Samples = append(rv.Samples, m)
	}
	rv.Warnings = append(rv.Warnings, SubjectWarnings(tpl.Subject, extraWords...)...)
	if rv.Previous > 0 && rv.Recipients > 3*rv.Previous {
		rv.Warnings = append(rv.Warnings, fmt.Sprintf("The audience grew from %d to %d since the last review: check the segment.", rv.Previous, rv.Recipients))
	}
	if c.Purpose == data.PurposePromotion && len(audience.Rules) == 0 && (audience.Kind == data.KindAll || audience.Kind == data.KindAny) {
		rv.Warnings = append(rv.Warnings, "This promotion targets all patients: promotions should go to the patients they are relevant to.")
	}
	if c.Purpose == data.PurposePromotion {
		all, err := s.RecipientCount(ctx, data.PurposePromotion, data.Rule{Kind: data.KindAll})
		if err == nil && all > 0 && rv.Recipients == all && len(audience.Rules) > 0 {
			rv.Warnings = append(rv.Warnings, "This promotion reaches every patient who accepts promotions.")
		}
	}
	if rv.Recipients == 0 {
		rv.Warnings = append(rv.Warnings, "Nobody would get this email.")
	}
	rv.Duration, rv.Days = estimate(rv.Recipients, lim)
	return rv, s.SetSetting(reviewKey(c.ID), strconv.Itoa(rv.Recipients))
}

// estimate is how long n emails take under the limits (about 1 s each
// when there are none) and over how many days the daily limit spreads them.
func estimate(n int, lim Limits) (time.Duration, int) {
	per := time.Second
	if lim.PerMinute > 0 {
		per = max(per, time.Minute/time.Duration(lim.PerMinute))
	}
	days := 1
	if lim.PerDay > 0 && n > lim.PerDay {
		days = (n + lim.PerDay - 1) / lim.PerDay
		return time.Duration(lim.PerDay) * per, days
	}
	return time.Duration(n) * per, days
}

// HumanDuration says a sending time the way people do.
func HumanDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return fmt.Sprintf("about %d minutes", int(d.Round(time.Minute).Minutes()))
	}
	return fmt.Sprintf("about %.1f hours", d.Hours())
}
