package mailer

import (
	"fmt"
	"time"

	"kindly/data"
)

// Limits are the mailbox's sending limits; 0 means none.
type Limits struct {
	PerMinute int
	PerDay    int // per rolling 24 hours
}

// LimitsOf are a mail account's sending limits.
func LimitsOf(m data.MailAccount) Limits { return Limits{PerMinute: m.PerMinute, PerDay: m.PerDay} }

// Estimate is how long n emails take under the limits (about 1 s each when
// there are none) and over how many days the daily limit spreads them.
func Estimate(n int, lim Limits) (time.Duration, int) {
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
