package reports

import (
	"fmt"
	"regexp"
	"strings"

	"kindly/data"
)

// zipPlus4 is a US ZIP+4 code.
var zipPlus4 = regexp.MustCompile(`^[0-9]{5}-[0-9]{4}$`)

// columnStats counts, row by row, what an import decides from whole
// columns: the order of day and month in text dates. Counting row by row
// lets an import decide before the last row is read and check at the end.
type columnStats struct {
	dateCols             []int
	dayFirst, monthFirst bool
	ambiguous            int

	// Postal codes, when the practice's country is not known: codes of
	// five digits (or ZIP+4), of three or four digits, and of other shapes.
	postalCol              int
	zones                  postalZone
	fives, shorts, unusual int
}

// postalZone is what the practice's time zone says about its postal codes.
type postalZone int

const (
	zoneUnknown   postalZone = iota // no time zone set: decided from the column
	zoneUS                          // a US practice: numeric codes lost their leading zeros, each is padded
	zoneElsewhere                   // codes are never padded
)

// decisions are what columnStats settles for a whole sheet.
type decisions struct {
	order DateOrder
	// padZips: postal codes of three or four digits lost their leading
	// zeros (a spreadsheet stored 07030 as the number 7030).
	padZips bool
}

func newColumnStats(m Mapping, zone postalZone, dateFields []Field) *columnStats {
	c := &columnStats{postalCol: m.column(FieldPostalCode), zones: zone}
	for _, f := range dateFields {
		if col := m.column(f); col >= 0 {
			c.dateCols = append(c.dateCols, col)
		}
	}
	return c
}

// add counts one data row.
func (c *columnStats) add(row []string) {
	if c.zones == zoneUnknown && c.postalCol >= 0 && c.postalCol < len(row) {
		switch v := cleanNumberText(row[c.postalCol]); {
		case v == "":
		case strings.Trim(v, "0123456789") != "" && !zipPlus4.MatchString(v):
			c.unusual++
		case len(v) == 5 || zipPlus4.MatchString(v):
			c.fives++
		case len(v) == 3 || len(v) == 4:
			c.shorts++
		default:
			c.unusual++
		}
	}
	for _, col := range c.dateCols {
		if col >= len(row) {
			continue
		}
		a, b, ok := data.SlashParts(row[col])
		switch {
		case !ok:
		case a > 12 && b <= 12:
			c.dayFirst = true
		case b > 12 && a <= 12:
			c.monthFirst = true
		case a <= 12 && b <= 12 && a != b:
			c.ambiguous++
		}
	}
}

// decide settles the date order (o.DateOrder wins), with the warnings the
// user should read.
func (c *columnStats) decide(o Options) (decisions, []string) {
	var d decisions
	var warnings []string
	// Postal codes: padded for a US practice; elsewhere never; with no
	// time zone set, when the column holds five-digit codes and nothing
	// but digits (four-digit codes beside them lost a zero: US, Germany,
	// France, Spain, Italy; Swiss or Dutch lists have no five-digit codes).
	switch c.zones {
	case zoneUS:
		d.padZips = true
	case zoneUnknown:
		d.padZips = c.fives > 0 && c.unusual == 0 && c.fives >= c.shorts
		if !d.padZips && c.shorts > 0 && c.unusual == 0 {
			// Only the practice knows its country: ask before the import.
			warnings = append(warnings, fmt.Sprintf("%d postal codes have fewer than 5 digits and the practice's country is not known: "+
				"in the United States they lost a leading zero (07030 stored as 7030). Set the practice's time zone "+
				"and check the file again; for now they are kept as written.", c.shorts))
		}
	}
	// The date order: decided by values that can only be read one way.
	d.order = MonthFirst
	switch {
	case o.DateOrder != nil:
		d.order = *o.DateOrder
	case c.dayFirst && c.monthFirst:
		warnings = append(warnings, "Some dates are written day first and others month first; they were read month first - please check them.")
	case c.dayFirst:
		d.order = DayFirst
	case c.monthFirst:
		d.order = MonthFirst
	case c.ambiguous > 0:
		what := fmt.Sprintf("%d dates like 03/04/1960 could be read either way; they were", c.ambiguous)
		if c.ambiguous == 1 {
			what = "1 date like 03/04/1960 could be read either way; it was"
		}
		warnings = append(warnings, what+" read month first (4 March). If your sheet writes the day first, choose \"day first\".")
	}
	return d, warnings
}
