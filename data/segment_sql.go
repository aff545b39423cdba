package data

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// consentSQL maps consent states to fixed SQL; no typed value reaches SQL.
var consentSQL = map[string]string{
	ConsentCareAllowed:    "+p.care_consent = 'allowed'",
	ConsentCareOptedOut:   "+p.care_consent = 'opted_out'",
	ConsentPromoOptedIn:   "+p.promo_consent = 'opted_in'",
	ConsentPromoNotOptIn:  "+p.promo_consent <> 'opted_in'",
	ConsentPromoOptedOut:  "+p.promo_consent = 'opted_out'",
	ConsentDoNotContact:   "+p.do_not_contact = 1",
	ConsentMayBeContacted: "+p.do_not_contact = 0",
}

// compiler turns rule trees into SQL over "patients p". Every value travels
// as a parameter; only fixed fragments written here become SQL text.
type compiler struct {
	today Date
	loc   *time.Location
	// lookup finds another segment's rules, for in/not in segment rules.
	lookup func(name string) (Rule, error)
	// open holds the segments being compiled, to refuse a segment that
	// includes itself (directly or through others).
	open []string
	// members selects the patients of a compiled rule. A segment referred
	// to is selected once, by its own query, and its members travel as one
	// parameter: a segment used many times (or through several others)
	// costs one query, never a copy of its rules per use (SQLite copies a
	// subquery or a WITH table into every place that names it).
	members func(where string, args []any) ([]int64, error)
	lists   map[string]string // segment name (lower case) -> its members, a JSON array
	// facts compiles over the practice server's patient_facts (see
	// migrations/postgres/011): dates are YYYYMMDD numbers there, and a
	// visit rule reads the last visit's day of its service from an array.
	facts bool
}

// day is a date as the compiled rules compare it.
func (c *compiler) day(d Date) any {
	if c.facts {
		return d.Year*10000 + int(d.Month)*100 + d.Day
	}
	return d.String()
}

// The most a compiled segment may hold: beyond this it is refused when it
// is saved (SQLite takes at most 32,766 parameters, and counting takes long
// before that).
const (
	maxSegmentArgs = 2000
	maxSegmentSQL  = 200_000
)

// SegmentQuery is a compiled segment: a WHERE expression over "patients p"
// and its parameters.
type SegmentQuery struct {
	Where     string
	WhereArgs []any
}

// Args are the parameters of SELECT ... WHERE Where ...: select's (those
// that come before the WHERE), then the WHERE's, then after's.
func (q SegmentQuery) Args(selectArgs []any, after ...any) []any {
	out := make([]any, 0, len(selectArgs)+len(q.WhereArgs)+len(after))
	return append(append(append(out, selectArgs...), q.WhereArgs...), after...)
}

// query is a compiled rule, refused when too big.
func (c *compiler) query(where string, args []any) (SegmentQuery, error) {
	q := SegmentQuery{Where: where, WhereArgs: args}
	if len(args) > maxSegmentArgs || len(where) > maxSegmentSQL {
		return q, &RuleError{Message: fmt.Sprintf("the segment is too big to count (%d values, %d KB of rules): use fewer conditions", len(args), len(where)>>10)}
	}
	return q, nil
}

// compile returns a boolean SQL expression that never yields NULL, and its
// arguments.
func (c *compiler) compile(r Rule) (string, []any, error) {
	switch r.Kind {
	case KindAll, KindAny:
		if len(r.Rules) == 0 {
			return "1 = 1", nil, nil
		}
		parts := make([]string, 0, len(r.Rules))
		var args []any
		// Cheap column tests first: SQLite stops at the first that decides.
		children := append([]Rule(nil), r.Rules...)
		sort.SliceStable(children, func(i, j int) bool { return ruleCost(children[i]) < ruleCost(children[j]) })
		seen := map[string]bool{}
		for _, child := range children {
			sql, a, err := c.compile(child)
			if err != nil {
				return "", nil, err
			}
			if key := sql + fmt.Sprint(a); !seen[key] { // the same condition twice says nothing more
				seen[key] = true
				parts = append(parts, sql)
				args = append(args, a...)
			}
		}
		op := " AND "
		if r.Kind == KindAny {
			op = " OR "
		}
		return "(" + strings.Join(parts, op) + ")", args, nil
	case KindAge:
		var conds []string
		var args []any
		if r.Min != nil {
			conds = append(conds, "+p.birth_date <= ?")
			args = append(args, c.day(c.today.AddYears(-*r.Min)))
		}
		if r.Max != nil {
			conds = append(conds, "+p.birth_date > ?")
			args = append(args, c.day(c.today.AddYears(-(*r.Max + 1))))
		}
		return "(+p.birth_date IS NOT NULL AND " + strings.Join(conds, " AND ") + ")", args, nil
	case KindSex:
		return "+p.sex = ?", []any{r.Value}, nil
	case KindTag:
		op := " > 0"
		if r.Op == "has_not" {
			op = " = 0"
		}
		return "instr(p.tag_list, ?)" + op, []any{"\x1e" + TagKey(r.Value) + "\x1e"}, nil
	case KindVisit:
		return c.visit(r)
	case KindBirthday:
		if r.Op == "month" {
			return "(+p.birth_md IS NOT NULL AND +p.birth_md / 100 = ?)", []any{r.Month}, nil
		}
		if r.Op == "between" {
			from, _ := ParseDate(r.Date)
			until, _ := ParseDate(r.Until)
			return birthdaysBetween(from, until)
		}
		return birthdaysBetween(c.today, c.today.AddDays(r.Days))
	case KindConsent:
		return consentSQL[r.Value], nil, nil
	case KindEmail:
		if c.facts {
			if r.Op == "has_not" {
				return "NOT p.has_email", nil, nil
			}
			return "p.has_email", nil, nil
		}
		if r.Op == "has_not" {
			return "+p.email = ''", nil, nil
		}
		return "+p.email <> ''", nil, nil
	case KindCreated:
		since := c.today.AddDays(-r.Days).Time(c.loc).UTC().Format(time.RFC3339)
		return "+p.created_at >= ?", []any{since}, nil
	case KindPostal:
		prefix := strings.ToUpper(strings.TrimSpace(r.Value))
		return "substr(p.postal_code, 1, ?) = ?", []any{len([]rune(prefix)), prefix}, nil
	case KindSegment:
		return c.segment(r)
	case KindAppointment:
		return c.appointment(r)
	case KindPatients:
		return "p.id IN (SELECT value FROM json_each(?))", []any{r.Value}, nil
	}
	return "", nil, &RuleError{Message: fmt.Sprintf("%q is not a kind of rule", r.Kind)}
}

// visit compiles a visit rule against the patient's visit summary: the
// date of the last visit of the service (” for none) is cut out of it.
func (c *compiler) visit(r Rule) (string, []any, error) {
	if c.facts {
		return c.visitDay(r)
	}
	marker := "\x1e" + ServiceKey(r.Service) + "\x1f"
	last := "coalesce(substr(p.visit_summary, nullif(instr(p.visit_summary, ?), 0) + ?, 10), '')"
	args := []any{marker, utf8.RuneCountInString(marker)}
	// before is "had one, and the last was before d": '' (never) sorts before '0'.
	before := func(d Date) (string, []any, error) {
		return last + " BETWEEN '0' AND ?", append(args, d.AddDays(-1).String()), nil
	}
	switch r.Op {
	case VisitWithin:
		return last + " >= ?", append(args, c.today.AddMonths(-r.Months).String()), nil
	case VisitNotWithin:
		return last + " < ?", append(args, c.today.AddMonths(-r.Months).String()), nil
	case VisitMoreThan:
		return before(c.today.AddMonths(-r.Months))
	case VisitNever:
		return last + " = ''", args, nil
	case VisitEver:
		return last + " <> ''", args, nil
	case VisitSince:
		return last + " >= ?", append(args, seasonStart(c.today, r.Month).String()), nil
	case VisitNotSince:
		return last + " < ?", append(args, seasonStart(c.today, r.Month).String()), nil
	case VisitLastIn:
		return last + " BETWEEN ? AND ?", append(args, r.Date, r.Until), nil
	case VisitBefore, VisitAfter:
		d, err := ParseDate(r.Date)
		if err != nil {
			return "", nil, &RuleError{Message: err.Error()}
		}
		if r.Op == VisitAfter {
			return last + " >= ?", append(args, d.String()), nil
		}
		return before(d)
	}
	return "", nil, &RuleError{Message: fmt.Sprintf("%q is not a visit rule", r.Op)}
}

// visitDay compiles a visit rule against patient_facts: the day of the
// last visit of the service is an element of visit_days (NULL for none,
// and for a service no patient ever had: it has no number).
func (c *compiler) visitDay(r Rule) (string, []any, error) {
	last := "p.visit_days[(SELECT n FROM services WHERE key = ?)]"
	args := []any{ServiceKey(r.Service)}
	// Each comparison is false for "never", as '' compares in the file's summary.
	had := func(cmp string, ds ...Date) (string, []any, error) {
		for _, d := range ds {
			args = append(args, c.day(d))
		}
		return "coalesce(" + last + cmp + ", false)", args, nil
	}
	notHad := func(cmp string, d Date) (string, []any, error) {
		return "coalesce(" + last + cmp + ", true)", append(args, c.day(d)), nil
	}
	switch r.Op {
	case VisitWithin:
		return had(" >= ?", c.today.AddMonths(-r.Months))
	case VisitNotWithin:
		return notHad(" < ?", c.today.AddMonths(-r.Months))
	case VisitMoreThan:
		return had(" < ?", c.today.AddMonths(-r.Months))
	case VisitNever:
		return last + " IS NULL", args, nil
	case VisitEver:
		return last + " IS NOT NULL", args, nil
	case VisitSince:
		return had(" >= ?", seasonStart(c.today, r.Month))
	case VisitNotSince:
		return notHad(" < ?", seasonStart(c.today, r.Month))
	case VisitLastIn, VisitBefore, VisitAfter:
		from, err := ParseDate(r.Date)
		if err != nil {
			return "", nil, &RuleError{Message: err.Error()}
		}
		switch r.Op {
		case VisitBefore:
			return had(" < ?", from)
		case VisitAfter:
			return had(" >= ?", from)
		}
		until, err := ParseDate(r.Until)
		if err != nil {
			return "", nil, &RuleError{Message: err.Error()}
		}
		return had(" BETWEEN ? AND ?", from, until)
	}
	return "", nil, &RuleError{Message: fmt.Sprintf("%q is not a visit rule", r.Op)}
}

// appointment compiles an appointment rule: a booked appointment (of the
// service) in a range of days.
func (c *compiler) appointment(r Rule) (string, []any, error) {
	from, until := c.today, c.today.AddDays(r.Days)
	if r.Op == "between" {
		from, _ = ParseDate(r.Date)
		until, _ = ParseDate(r.Until)
	}
	q := "EXISTS (SELECT 1 FROM appointments a WHERE a.patient_id = p.id AND a.status = 'booked' AND a.starts_at >= ? AND a.starts_at < ?"
	args := []any{from.String(), until.AddDays(1).String()}
	if key := ServiceKey(r.Service); key != "" {
		q += " AND a.service_key = ?"
		args = append(args, key)
	}
	q += ")"
	if r.Op == "none_within" {
		q = "NOT " + q
	}
	return q, args, nil
}

// ruleCost ranks rules by the work they take per patient.
func ruleCost(r Rule) int {
	switch r.Kind {
	case KindAge, KindSex, KindConsent, KindEmail, KindCreated, KindBirthday, KindPostal:
		return 0
	case KindTag:
		return 1
	case KindVisit, KindAppointment:
		return 2
	}
	return 3 // groups and other segments
}

// birthdaysBetween matches birthdays falling from one day to another (a
// year at most). A 29 February birthday counts as 1 March in other years,
// as ages do.
func birthdaysBetween(from, to Date) (string, []any, error) {
	if !from.AddYears(1).AddDays(-1).After(to) {
		return "+p.birth_md IS NOT NULL", nil, nil
	}
	md := func(d Date) int { return int(d.Month)*100 + d.Day }
	lo, hi := md(from), md(to)
	if lo == 301 && !isLeap(from.Year) {
		lo = 229
	}
	if lo <= hi {
		return "(+p.birth_md IS NOT NULL AND +p.birth_md BETWEEN ? AND ?)", []any{lo, hi}, nil
	}
	return "(+p.birth_md IS NOT NULL AND (+p.birth_md >= ? OR +p.birth_md <= ?))", []any{lo, hi}, nil
}

func (c *compiler) segment(r Rule) (string, []any, error) {
	name := strings.TrimSpace(r.Value)
	for _, open := range c.open {
		if strings.EqualFold(open, name) {
			return "", nil, &RuleError{Message: fmt.Sprintf("the segment %q refers back to itself", name)}
		}
	}
	if c.lookup == nil {
		return "", nil, &RuleError{Message: fmt.Sprintf("the segment %q cannot be looked up here", name)}
	}
	list, done := c.lists[strings.ToLower(name)]
	if !done {
		other, err := c.lookup(name)
		if err != nil {
			return "", nil, &RuleError{Message: fmt.Sprintf("the segment %q does not exist", name)}
		}
		if c.members == nil {
			return "", nil, &RuleError{Message: fmt.Sprintf("the segment %q cannot be selected here", name)}
		}
		c.open = append(c.open, name)
		sql, args, err := c.compile(other)
		c.open = c.open[:len(c.open)-1]
		if err != nil {
			return "", nil, err
		}
		q, err := c.query(sql, args)
		if err != nil {
			return "", nil, err
		}
		ids, err := c.members(q.Where, q.WhereArgs)
		if err != nil {
			return "", nil, err
		}
		b, _ := json.Marshal(ids)
		if ids == nil {
			b = []byte("[]")
		}
		list = string(b)
		if c.lists == nil {
			c.lists = map[string]string{}
		}
		c.lists[strings.ToLower(name)] = list
	}
	if r.Op == "not_in" {
		return "p.id NOT IN (SELECT value FROM json_each(?))", []any{list}, nil
	}
	return "p.id IN (SELECT value FROM json_each(?))", []any{list}, nil
}

// seasonStart is the latest 1st of month on or before today: for October
// and today 2026-11-25 it is 2026-10-01; for today 2026-03-02, 2025-10-01.
func seasonStart(today Date, month int) Date {
	start := Date{today.Year, time.Month(month), 1}
	if today.Before(start) {
		start.Year--
	}
	return start
}
