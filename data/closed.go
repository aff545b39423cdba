package data

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/at"
	"github.com/rickar/cal/v2/be"
	"github.com/rickar/cal/v2/ca"
	"github.com/rickar/cal/v2/ch"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/nl"
	"github.com/rickar/cal/v2/us"
)

// publicHolidays are the national public holidays Kindly can fill in, by
// country code.
var publicHolidays = map[string][]*cal.Holiday{
	"AT": at.Holidays, "BE": be.Holidays, "CA": ca.Holidays, "CH": ch.Holidays, "DE": de.Holidays, "ES": es.Holidays,
	"FR": fr.Holidays, "GB": gb.Holidays, "IE": ie.Holidays, "IT": it.Holidays, "NL": nl.Holidays, "US": us.Holidays,
}

// Countries are the countries whose public holidays Kindly knows, by code.
func Countries() []string {
	var out []string
	for c := range publicHolidays {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// CountryOfZone guesses a practice's country from its time zone ("" when
// the zone says nothing Kindly knows).
func CountryOfZone(zone string) string {
	switch zone {
	case "Europe/Berlin", "Europe/Busingen":
		return "DE"
	case "Europe/Vienna":
		return "AT"
	case "Europe/Zurich":
		return "CH"
	case "Europe/London", "Europe/Belfast":
		return "GB"
	case "Europe/Dublin":
		return "IE"
	case "Europe/Paris":
		return "FR"
	case "Europe/Amsterdam":
		return "NL"
	case "Europe/Brussels":
		return "BE"
	case "Europe/Rome":
		return "IT"
	case "Europe/Madrid", "Atlantic/Canary":
		return "ES"
	case "America/Toronto", "America/Vancouver", "America/Edmonton", "America/Winnipeg", "America/Halifax",
		"America/St_Johns", "America/Regina", "America/Montreal":
		return "CA"
	}
	if strings.HasPrefix(zone, "America/") || strings.HasPrefix(zone, "US/") || zone == "Pacific/Honolulu" {
		return "US"
	}
	return ""
}

// CareOptInByLaw says whether a country's law asks for explicit consent
// to care reminders (a German recall reminder needs consent that names
// it); in the others a practice's own reminders are treatment
// communications, opt-outs honoured.
func CareOptInByLaw(country string) bool { return country == "DE" || country == "AT" }

// ClosedDay is a day the practice is closed: no email goes out on it.
type ClosedDay struct {
	Day    Date
	Name   string // "Christmas Day", "Staff training"
	Public bool   // filled in from the country's public holidays
}

// ClosedDays lists the closed days from one day to another.
func (s *Store) ClosedDays(ctx context.Context, from, to Date) ([]ClosedDay, error) {
	out, err := queryAll(ctx, s, "read the closed days", `SELECT day, name, source FROM closed_days WHERE day BETWEEN ? AND ? ORDER BY day`,
		func(row scanner) (ClosedDay, error) {
			var c ClosedDay
			var day, source string
			err := row.Scan(&day, &c.Name, &source)
			c.Day, _ = ParseDate(day)
			c.Public = source == "public"
			return c, err
		}, from.String(), to.String())
	return out, mapError(err)
}

// Closed is a set of closed days, for the schedule and the send window.
type Closed map[Date]string

// Is says whether the practice is closed on a day.
func (c Closed) Is(d Date) bool { _, ok := c[d]; return ok }

// NextOpen is d, or the first open day after it (within a year).
func (c Closed) NextOpen(d Date) Date {
	for i := 0; i < 366 && c.Is(d); i++ {
		d = d.AddDays(1)
	}
	return d
}

// ClosedSet reads the closed days around a range into a set (a month
// either side, so a day moved past the range's end is still found).
func (s *Store) ClosedSet(ctx context.Context, from, to Date) (Closed, error) {
	days, err := s.ClosedDays(ctx, from.AddDays(-40), to.AddDays(40))
	if err != nil {
		return nil, err
	}
	out := Closed{}
	for _, d := range days {
		out[d.Day] = d.Name
	}
	return out, nil
}

// SetClosedDay marks a day closed (or renames it).
func (s *Store) SetClosedDay(ctx context.Context, day Date, name string) error {
	if day.IsZero() {
		return &ValidationError{"day", "Choose the day the practice is closed."}
	}
	name = OneLine(name)
	return s.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO closed_days (day, name, source) VALUES (?, ?, 'practice')
			ON CONFLICT (day) DO UPDATE SET name = excluded.name, source = 'practice'`, day.String(), name); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, "settings", fmt.Sprintf("closed on %s (%s)", day, name))
	})
}

// OpenDay removes a closed day; false when it was not closed.
func (s *Store) OpenDay(ctx context.Context, day Date) (bool, error) {
	var n int64
	err := s.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM closed_days WHERE day = ?`, day.String())
		if err != nil {
			return err
		}
		if n, _ = res.RowsAffected(); n == 0 {
			return nil
		}
		return s.auditTx(ctx, tx, "settings", fmt.Sprintf("open again on %s", day))
	})
	return n > 0, mapError(err)
}

// AddPublicHolidays fills in a country's national public holidays of a
// year as closed days (the practice's own names for a day are kept), and
// says how many were new.
func (s *Store) AddPublicHolidays(ctx context.Context, country string, year int) (int, error) {
	list, ok := publicHolidays[strings.ToUpper(country)]
	if !ok {
		return 0, &ValidationError{"country", fmt.Sprintf("Kindly does not know the public holidays of %q; add the closed days one by one. Known: %s.",
			country, strings.Join(Countries(), ", "))}
	}
	added := 0
	err := s.inTx(ctx, func(tx *Tx) error {
		for _, h := range list {
			actual, observed := h.Calc(year)
			for _, t := range []time.Time{actual, observed} {
				if t.IsZero() || t.Year() != year {
					continue
				}
				res, err := tx.ExecContext(ctx, `INSERT INTO closed_days (day, name, source) VALUES (?, ?, 'public') ON CONFLICT (day) DO NOTHING`,
					DateOf(t).String(), h.Name)
				if err != nil {
					return err
				}
				n, _ := res.RowsAffected()
				added += int(n)
			}
		}
		return s.auditTx(ctx, tx, "settings", fmt.Sprintf("public holidays of %s for %d: %d closed days added", strings.ToUpper(country), year, added))
	})
	return added, mapError(err)
}
