package reports

import (
	"fmt"
)

// columnStats counts, row by row, what an import decides from whole
// columns: the order of day and month in text dates. Counting row by row
// lets an import decide before the last row is read and check at the end.
type columnStats struct {
	dateCols             []int
	dayFirst, monthFirst bool
	ambiguous            int
}

// decisions are what columnStats settles for a whole sheet.
type decisions struct {
	order DateOrder
}

func newColumnStats(m Mapping, dateFields []Field) *columnStats {
	c := &columnStats{}
	for _, f := range dateFields {
		if col := m.column(f); col >= 0 {
			c.dateCols = append(c.dateCols, col)
		}
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
}

// decide settles the date order (o.DateOrder wins), with the warnings the
// user should read.
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
		what := fmt.Sprintf("%d dates like 03/04/1960 could be read either way; they were", c.ambiguous)
		if c.ambiguous == 1 {
			what = "1 date like 03/04/1960 could be read either way; it was"
		}
		warnings = append(warnings, what+" read month first (4 March). If your sheet writes the day first, choose \"day first\".")
	}
	return d, warnings
}
