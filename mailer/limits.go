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

// LimitsOf are a mail account's sending limits: the practice's, or the
// daily quota its server enforced when that is lower.
func LimitsOf(m data.MailAccount) Limits { return Limits{PerMinute: m.PerMinute, PerDay: m.DayLimit()} }

// DefaultPace is the time per email assumed before any was measured: a
// provider's submission server on one connection answers an email in a
// few tenths of a second (a server on this computer, in a millisecond).
const DefaultPace = 300 * time.Millisecond

// Estimate is how long n emails take at pace (the time per email measured
// so far; 0: DefaultPace) under the limits, with sent emails already sent
// in the last 24 hours, and over how many days the daily limit spreads
// them. The time is to the last email, the waits for the daily limit
// included.
func Estimate(n int, lim Limits, pace time.Duration, sent int) (time.Duration, int) {
	if pace <= 0 {
		pace = DefaultPace
	}
	per := pace
	if lim.PerMinute > 0 {
		per = max(per, time.Minute/time.Duration(lim.PerMinute))
	}
	left := max(lim.PerDay-sent, 0)
	if lim.PerDay <= 0 || n <= left {
		return time.Duration(n) * per, 1
	}
	later := (n - left + lim.PerDay - 1) / lim.PerDay // days after today
	last := n - left - (later-1)*lim.PerDay
	return time.Duration(later)*24*time.Hour + time.Duration(last)*per, later + 1
}

// HumanDuration says a sending time the way people do.
func HumanDuration(d time.Duration) string {
	minutes := int(d.Round(time.Minute).Minutes())
	switch {
	case d < time.Minute:
		return "less than a minute"
	case minutes == 1:
		return "about a minute"
	case minutes < 60:
		return fmt.Sprintf("about %d minutes", minutes)
	case d < 90*time.Minute:
		return "about an hour"
	case d < 48*time.Hour:
		return fmt.Sprintf("about %.1f hours", d.Hours())
	}
	return fmt.Sprintf("about %d days", int((d+12*time.Hour)/(24*time.Hour)))
}
