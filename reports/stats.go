package reports

import (
	"fmt"
	"strings"
)

// columnStats counts, row by row, what an import decides from whole
// columns: the order of day and month in text dates, and whether a postal
// code column lost the leading zeros of its numbers. Counting row by row
// lets an import decide before the last row is read and check at the end.
type columnStats struct {
	dateCols             []int
	dayFirst, monthFirst bool
	ambiguous            int
	zipCol               int // -1: no postal code column
	zipText              bool
	zipDigits, zipFive   int
	zipShort             int
}

// decisions are what columnStats settles for a whole sheet.
type decisions struct {
	order   DateOrder
	padZips bool
}

func newColumnStats(m Mapping, dateFields []Field, zips bool) *columnStats {
	c := &columnStats{zipCol: -1}
	for _, f := range dateFields {
		if col := m.column(f); col >= 0 {
			c.dateCols = append(c.dateCols, col)
		}
	}
	if zips {
		c.zipCol = m.column(FieldPostalCode)
	}
	return c
}

// add counts one data row.
func (c *columnStats) add(row []string) {
	for _, col := range c.dateCols {
		if col >= len(row) {
			continue
		}
		a, b, ok := slashParts(row[col])
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
	if c.zipCol < 0 || c.zipCol >= len(row) || c.zipText {
		return
	}
	v := cleanNumberText(row[c.zipCol])
	switch {
	case v == "":
	case strings.Trim(v, "0123456789") != "":
		c.zipText = true // not a purely numeric column
	default:
		c.zipDigits++
		if len(v) == 5 {
			c.zipFive++
		} else if len(v) < 5 {
			c.zipShort++
		}
	}
}

// decide settles the date order (o.DateOrder wins) and the postal codes,
// with the warnings the user should read.
func (c *columnStats) decide(o Options) (decisions, []string) {
	var d decisions
	var warnings []string
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
		warnings = append(warnings, fmt.Sprintf("%d dates like 03/04/1960 could be read either way; they were read month first (4 March). If your sheet writes the day first, choose \"day first\".", c.ambiguous))
	}
	// Five-digit postal codes stored as numbers lose their leading zeros
	// (07030 becomes 7030): pad them when most codes have five digits.
	if !c.zipText && c.zipShort > 0 && c.zipFive*2 > c.zipDigits {
		d.padZips = true
		warnings = append(warnings, fmt.Sprintf("%d postal codes had lost their leading zeros (stored as numbers); they were padded to 5 digits.", c.zipShort))
	}
	return d, warnings
}

// padZip gives back the row with its postal code padded to five digits
// when the plan decided so; the sheet's own row is left as read.
func (p *Plan) padZip(row []string) []string {
	if !p.decided.padZips {
		return row
	}
	col, ok := p.cols[FieldPostalCode]
	if !ok || col >= len(row) {
		return row
	}
	v := cleanNumberText(row[col])
	if v == "" || len(v) >= 5 {
		return row
	}
	out := append([]string(nil), row...)
	out[col] = strings.Repeat("0", 5-len(v)) + v
	return out
}
