package data

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar day with no time of day or zone: a birth date, a visit.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date like 2026-10-01", s)
	}
	return DateOf(t), nil
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d.Year == 0 && d.Month == 0 && d.Day == 0 }

// String is "YYYY-MM-DD", or "" when unset.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Time is midnight of the day in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays moves the date by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.Time(time.UTC).AddDate(0, 0, n)) }

// AddMonths moves the date by n months, clamping to the month's last day
// (31 March minus one month is 28/29 February, not 3 March).
func (d Date) AddMonths(n int) Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	day := d.Day
	if day > last {
		day = last
	}
	return Date{first.Year(), first.Month(), day}
}

// AddYears moves the date by n years; 29 February becomes 28 February in
// a year without it.
func (d Date) AddYears(n int) Date { return d.AddMonths(12 * n) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// AgeOn is the age in whole years of someone born on d, on day t.
// Someone born on 29 February turns a year older on 1 March in other years.
func (d Date) AgeOn(t Date) int {
	age := t.Year - d.Year
	if t.Month < d.Month || (t.Month == d.Month && t.Day < d.Day) {
		age--
	}
	return age
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return e.Before(d) }

// MarshalJSON writes "YYYY-MM-DD" (or null when unset).
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" || s == `""` {
		*d = Date{}
		return nil
	}
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return fmt.Errorf("%s is not a date", s)
	}
	v, err := ParseDate(s[1 : len(s)-1])
	if err != nil {
		return err
	}
	*d = v
	return nil
}

var (
	isoDate     = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$`)
	slashDate   = regexp.MustCompile(`^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})(?: .*)?$`)
	dotDate     = regexp.MustCompile(`^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})\.?(?: .*)?$`)
	compactDate = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	textLayouts = []string{"Jan 2, 2006", "January 2, 2006", "2 Jan 2006", "2 January 2006", "Jan 2 2006",
		"January 2 2006", "02-Jan-2006", "2-Jan-2006", "02-Jan-06", "Mon, Jan 2, 2006", "Monday, January 2, 2006"}
)

// SlashParts splits a slashed or dashed date (3/4/1960, 03-04-60) into
// its two leading numbers, for deciding which of them is the month.
func SlashParts(s string) (a, b int, ok bool) {
	m := slashDate.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, 0, false
	}
	a, _ = strconv.Atoi(m[1])
	b, _ = strconv.Atoi(m[2])
	return a, b, true
}

// ErrPlaceholderDate is a date with a year like 0001 or 0000, which systems
// write for "unknown".
var ErrPlaceholderDate = errors.New("a placeholder, not a date")

// ReadDate reads a date as people write it - 1958-03-14, 19580314,
// 14.03.1958, 3/14/1958 or 14/3/1958 (dayFirst decides 03/04/1958), "14
// March 1958" - the way the importer reads a spreadsheet's text. today
// bounds two-digit years (a birth year "25" in 2026 is 2025; "40" is
// 1940).
func ReadDate(s string, dayFirst bool, today Date) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	mk := func(y, m, d int) (Date, error) {
		if y < 1000 && strings.Contains(s, fmt.Sprintf("%04d", y)) {
			return Date{}, fmt.Errorf("%w (%q)", ErrPlaceholderDate, s)
		}
		if y < 100 {
			y += 2000
			if y > today.Year {
				y -= 100
			}
		}
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if m < 1 || m > 12 || t.Day() != d || t.Month() != time.Month(m) || y < 1850 || y > 2200 {
			return Date{}, fmt.Errorf("%q is not a real date", s)
		}
		return Date{Year: y, Month: time.Month(m), Day: d}, nil
	}
	atoi := func(x string) int { n, _ := strconv.Atoi(x); return n }
	if m := isoDate.FindStringSubmatch(s); m != nil {
		return mk(atoi(m[1]), atoi(m[2]), atoi(m[3]))
	}
	if m := compactDate.FindStringSubmatch(s); m != nil {
		return mk(atoi(m[1]), atoi(m[2]), atoi(m[3]))
	}
	if m := dotDate.FindStringSubmatch(s); m != nil {
		return mk(atoi(m[3]), atoi(m[2]), atoi(m[1]))
	}
	if m := slashDate.FindStringSubmatch(s); m != nil {
		if dayFirst {
			return mk(atoi(m[3]), atoi(m[2]), atoi(m[1]))
		}
		return mk(atoi(m[3]), atoi(m[1]), atoi(m[2]))
	}
	for _, layout := range textLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return mk(t.Year(), int(t.Month()), t.Day())
		}
	}
	return Date{}, fmt.Errorf("%q is not a date Kindly can read (use e.g. 1960-03-04)", s)
}

// DayFirst says whether the practice writes 03/04/1960 for 3 April, from
// its time zone: month first in the United States (and on a computer
// without a time zone set there), day first nearly everywhere else.
func DayFirst(zone string) bool {
	if zone == "" || strings.HasPrefix(zone, "US/") || zone == "Pacific/Honolulu" {
		return false
	}
	rest, ok := strings.CutPrefix(zone, "America/")
	if !ok {
		return true
	}
	us := []string{"New_York", "Chicago", "Denver", "Los_Angeles", "Phoenix", "Anchorage", "Detroit", "Boise", "Juneau", "Sitka",
		"Nome", "Adak", "Yakutat", "Metlakatla", "Menominee", "Indiana/", "Kentucky/", "North_Dakota/", "Indianapolis", "Louisville"}
	for _, z := range us {
		if rest == z || strings.HasSuffix(z, "/") && strings.HasPrefix(rest, z) {
			return false
		}
	}
	return true
}
