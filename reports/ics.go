package reports

import (
	"fmt"
	"os"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"kindly/data"
)

// WriteICS writes campaign occurrences as all-day events for Outlook or
// Google Calendar, and returns how many. Birthday and recall days with
// nobody due are left out.
func WriteICS(entries []data.PlanEntry, path string) (int, error) {
	cal := ics.NewCalendar()
	cal.SetMethod(ics.MethodPublish)
	cal.SetProductId("-//Kindly//Campaign calendar//EN")
	cal.SetName("Kindly campaigns")
	n := 0
	for _, en := range entries {
		if en.Audience == 0 && (strings.HasPrefix(en.Occurrence, "birthday") || strings.HasPrefix(en.Occurrence, "recall")) {
			continue
		}
		name := data.OneLine(en.Campaign) // a line break in a name would break the file's lines
		ev := cal.AddEvent(fmt.Sprintf("%s-%s-%s@kindly", uidPart(name), uidPart(en.Occurrence), en.Day))
		ev.SetDtStampTime(time.Now().UTC())
		ev.SetAllDayStartAt(en.Day.Time(time.UTC))
		ev.SetAllDayEndAt(en.End.AddDays(1).Time(time.UTC))
		ev.SetSummary(fmt.Sprintf("%s: %d emails", name, en.Audience))
		ev.SetDescription(fmt.Sprintf("Kindly campaign %q (%s), occurrence %s, audience today %d.", name, en.Purpose, en.Occurrence, en.Audience))
		n++
	}
	// RFC 5545 lines end in CRLF, on every system.
	if err := os.WriteFile(path, []byte(cal.Serialize(ics.WithNewLineWindows)), 0o600); err != nil {
		return n, fmt.Errorf("cannot write %s: %w", path, err)
	}
	return n, nil
}

// uidPart keeps the letters and digits of a name, for an event's id.
func uidPart(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, s)
}
