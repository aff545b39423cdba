package data

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Rule is one node of a segment's rule tree: a group ("all" or "any" of its
// Rules) or a single condition, whose Kind names it and whose other fields
// are its settings. Saved as JSON, e.g.
//
//	{"kind":"all","rules":[{"kind":"age","min":65},
//	  {"kind":"visit","service":"flu shot","op":"not_within","months":10}]}
type Rule struct {
	Kind  string `json:"kind"`
	Rules []Rule `json:"rules,omitempty"`

	Op      string `json:"op,omitempty"`
	Value   string `json:"value,omitempty"`
	Service string `json:"service,omitempty"`
	Min     *int   `json:"min,omitempty"`
	Max     *int   `json:"max,omitempty"`
	Months  int    `json:"months,omitempty"`
	Days    int    `json:"days,omitempty"`
	Month   int    `json:"month,omitempty"`
	Date    string `json:"date,omitempty"`
	Until   string `json:"until,omitempty"`
}

// Kinds of rule nodes.
const (
	KindAll      = "all"      // every rule below holds
	KindAny      = "any"      // at least one rule below holds
	KindAge      = "age"      // Min and/or Max years
	KindSex      = "sex"      // Value F, M or X
	KindTag      = "tag"      // Op has / has_not, Value the tag
	KindVisit    = "visit"    // Service (optional), Op, Months or Date
	KindBirthday = "birthday" // Op within_days (Days) or month (Month)
	KindConsent  = "consent"  // Value: a consent state
	KindEmail    = "email"    // Op has / has_not
	KindCreated  = "created"  // Op within_days (Days)
	KindPostal   = "postal"   // Value: the start of the postal code
	KindSegment  = "segment"  // Op in / not_in, Value the other segment's name
	// KindAppointment: Op within_days (an appointment booked in the next
	// Days days, Service optional), none_within (none booked then), or
	// between (booked from Date to Until: the calendar's reminders).
	KindAppointment = "appointment"
	// KindPatients is a list of patients (Value: their ids as JSON), as a
	// day's recall or appointment run finds them; never saved in a segment.
	KindPatients = "patients"
)

// Visit operators: how the last visit (of the service) relates to today.
const (
	VisitWithin    = "within"     // a visit within the last Months months
	VisitNotWithin = "not_within" // no visit within the last Months months (includes never)
	VisitMoreThan  = "more_than"  // visited before, but not within the last Months months
	VisitNever     = "never"      // no visit at all
	VisitEver      = "ever"       // at least one visit
	VisitBefore    = "before"     // last visit before Date
	VisitAfter     = "after"      // a visit on or after Date
	VisitSince     = "since"      // a visit since the last 1st of Month (a season's start)
	VisitNotSince  = "not_since"  // no visit since the last 1st of Month
	VisitLastIn    = "last_in"    // the last visit was between Date and Until (recalls)
)

// Consent states a rule can ask for.
const (
	ConsentCareAllowed    = "care_allowed"   // care reminders allowed
	ConsentCareOptedOut   = "care_opted_out" // opted out of care reminders
	ConsentPromoOptedIn   = "promo_opted_in" // opted in to promotions
	ConsentPromoNotOptIn  = "promo_not_opted_in"
	ConsentPromoOptedOut  = "promo_opted_out"
	ConsentDoNotContact   = "do_not_contact"
	ConsentMayBeContacted = "contactable" // not marked do-not-contact
)

// RuleError says what is wrong with a rule, in words, and where.
type RuleError struct {
	Path    string // e.g. "rule 2 of group 1"
	Message string
}

func (e *RuleError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// maxRuleDepth bounds nesting so a hostile rule file cannot exhaust the stack.
const maxRuleDepth = 16

// ParseRule reads a rule tree from JSON and validates it.
func ParseRule(text string) (Rule, error) {
	var r Rule
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, &RuleError{Message: "the segment rules cannot be read: " + err.Error()}
	}
	if dec.More() {
		return r, &RuleError{Message: "the segment rules have extra text at the end"}
	}
	return r, r.Validate()
}

// JSON is the rule tree as saved.
func (r Rule) JSON() string {
	b, _ := json.Marshal(r)
	return string(b)
}

// Validate checks every node and says what is wrong with the first bad one.
func (r Rule) Validate() error { return r.validate("", 0) }

func (r Rule) validate(path string, depth int) error {
	fail := func(format string, args ...any) error {
		return &RuleError{Path: path, Message: fmt.Sprintf(format, args...)}
	}
	if depth > maxRuleDepth {
		return fail("groups are nested more than %d deep", maxRuleDepth)
	}
	if r.Kind != KindAll && r.Kind != KindAny && len(r.Rules) > 0 {
		return fail("a %q condition cannot hold other rules", r.Kind)
	}
	switch r.Kind {
	case KindAll, KindAny:
		for i, c := range r.Rules {
			p := fmt.Sprintf("rule %d", i+1)
			if path != "" {
				p = path + " > " + p
			}
			if err := c.validate(p, depth+1); err != nil {
				return err
			}
		}
	case KindAge:
		if r.Min == nil && r.Max == nil {
			return fail("an age rule needs a lowest or a highest age")
		}
		if r.Min != nil && (*r.Min < 0 || *r.Min > 150) {
			return fail("the lowest age %d is not between 0 and 150", *r.Min)
		}
		if r.Max != nil && (*r.Max < 0 || *r.Max > 150) {
			return fail("the highest age %d is not between 0 and 150", *r.Max)
		}
		if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
			return fail("the lowest age (%d) is above the highest (%d)", *r.Min, *r.Max)
		}
	case KindSex:
		if r.Value != "F" && r.Value != "M" && r.Value != "X" {
			return fail("sex must be F, M or X, not %q", r.Value)
		}
	case KindTag:
		if r.Op != "has" && r.Op != "has_not" {
			return fail("a tag rule is either has or has_not, not %q", r.Op)
		}
		if strings.TrimSpace(r.Value) == "" {
			return fail("a tag rule needs the tag's name")
		}
	case KindVisit:
		switch r.Op {
		case VisitWithin, VisitNotWithin, VisitMoreThan:
			if r.Months < 1 || r.Months > 1200 {
				return fail("the number of months must be between 1 and 1200, not %d", r.Months)
			}
		case VisitNever, VisitEver:
		case VisitSince, VisitNotSince:
			if r.Month < 1 || r.Month > 12 {
				return fail("the season's first month must be 1 to 12, not %d", r.Month)
			}
		case VisitBefore, VisitAfter:
			if _, err := ParseDate(r.Date); err != nil {
				return fail("%v", err)
			}
		case VisitLastIn:
			if err := validRange(r.Date, r.Until); err != nil {
				return fail("%v", err)
			}
		default:
			return fail("a visit rule is within, not_within, more_than, never, ever, since, not_since, before or after, not %q", r.Op)
		}
	case KindBirthday:
		switch r.Op {
		case "within_days":
			if r.Days < 0 || r.Days > 366 {
				return fail("the number of days must be between 0 and 366, not %d", r.Days)
			}
		case "month":
			if r.Month < 1 || r.Month > 12 {
				return fail("the birth month must be 1 to 12, not %d", r.Month)
			}
		case "between":
			if err := validRange(r.Date, r.Until); err != nil {
				return fail("%v", err)
			}
		default:
			return fail("a birthday rule is within_days, month or between, not %q", r.Op)
		}
	case KindConsent:
		if _, ok := consentSQL[r.Value]; !ok {
			return fail("%q is not a consent state", r.Value)
		}
	case KindEmail:
		if r.Op != "has" && r.Op != "has_not" {
			return fail("an email rule is either has or has_not, not %q", r.Op)
		}
	case KindCreated:
		if r.Op != "within_days" {
			return fail("a created rule is within_days, not %q", r.Op)
		}
		if r.Days < 1 || r.Days > 36600 {
			return fail("the number of days must be between 1 and 36600, not %d", r.Days)
		}
	case KindPostal:
		if strings.TrimSpace(r.Value) == "" {
			return fail("a postal code rule needs the start of the code")
		}
	case KindPatients:
		var ids []int64
		if err := json.Unmarshal([]byte(r.Value), &ids); err != nil {
			return fail("a list of patients is a JSON list of numbers")
		}
	case KindAppointment:
		switch r.Op {
		case "within_days", "none_within":
			if r.Days < 0 || r.Days > 3660 {
				return fail("the number of days must be between 0 and 3660, not %d", r.Days)
			}
		case "between":
			if err := validRange(r.Date, r.Until); err != nil {
				return fail("%v", err)
			}
		default:
			return fail("an appointment rule is within_days, none_within or between, not %q", r.Op)
		}
	case KindSegment:
		if r.Op != "in" && r.Op != "not_in" {
			return fail("a segment rule is either in or not_in, not %q", r.Op)
		}
		if strings.TrimSpace(r.Value) == "" {
			return fail("a segment rule needs the other segment's name")
		}
	case "":
		return fail("a rule has no kind")
	default:
		return fail("%q is not a kind of rule", r.Kind)
	}
	return nil
}

// Sentence describes the rule in plain English, e.g. "Patients aged 65 or
// older whose last flu shot was not within the last 10 months".
func (r Rule) Sentence() string {
	if (r.Kind == KindAll || r.Kind == KindAny) && len(r.Rules) == 0 {
		return "All patients"
	}
	return "Patients " + r.phrase(true)
}

// phrase describes one node; top is true for the outermost group, which
// needs no parentheses.
func (r Rule) phrase(top bool) string {
	switch r.Kind {
	case KindAll, KindAny:
		if len(r.Rules) == 0 {
			return "(any patient)"
		}
		parts := make([]string, len(r.Rules))
		for i, c := range r.Rules {
			parts[i] = c.phrase(false)
		}
		if len(parts) == 1 {
			return parts[0]
		}
		joiner := " and "
		if r.Kind == KindAny {
			joiner = " or "
		}
		text := strings.Join(parts, joiner)
		if !top {
			text = "(" + text + ")"
		} else if r.Kind == KindAny {
			text = "who match any of: " + strings.Join(parts, "; or ")
		}
		return text
	case KindAge:
		switch {
		case r.Min != nil && r.Max != nil && *r.Min == *r.Max:
			return fmt.Sprintf("aged %d", *r.Min)
		case r.Min != nil && r.Max != nil:
			return fmt.Sprintf("aged %d to %d", *r.Min, *r.Max)
		case r.Min != nil:
			return fmt.Sprintf("aged %d or older", *r.Min)
		default:
			return fmt.Sprintf("aged %d or younger", *r.Max)
		}
	case KindSex:
		return map[string]string{"F": "who are female", "M": "who are male", "X": "of sex X (diverse)"}[r.Value]
	case KindTag:
		if r.Op == "has_not" {
			return fmt.Sprintf("not tagged %q", r.Value)
		}
		return fmt.Sprintf("tagged %q", r.Value)
	case KindVisit:
		what := "visit"
		if r.Service != "" {
			what = r.Service
		}
		switch r.Op {
		case VisitWithin:
			return fmt.Sprintf("who had a %s within the last %s", what, Count(r.Months, "month", "months"))
		case VisitNotWithin:
			return fmt.Sprintf("who had no %s within the last %s", what, Count(r.Months, "month", "months"))
		case VisitMoreThan:
			return fmt.Sprintf("whose last %s was more than %s ago", what, Count(r.Months, "month", "months"))
		case VisitNever:
			return fmt.Sprintf("who never had a %s", what)
		case VisitEver:
			return fmt.Sprintf("who had a %s at some time", what)
		case VisitBefore:
			return fmt.Sprintf("whose last %s was before %s", what, humanDate(r.Date))
		case VisitAfter:
			return fmt.Sprintf("who had a %s on or after %s", what, humanDate(r.Date))
		case VisitSince:
			return fmt.Sprintf("who had a %s since 1 %s", what, time.Month(r.Month))
		case VisitNotSince:
			return fmt.Sprintf("who had no %s since 1 %s", what, time.Month(r.Month))
		case VisitLastIn:
			return fmt.Sprintf("whose last %s was between %s and %s", what, humanDate(r.Date), humanDate(r.Until))
		}
	case KindBirthday:
		if r.Op == "month" {
			return "born in " + time.Month(r.Month).String()
		}
		if r.Op == "between" {
			return fmt.Sprintf("whose birthday falls between %s and %s", dayMonth(r.Date), dayMonth(r.Until))
		}
		if r.Days == 0 {
			return "whose birthday is today"
		}
		return fmt.Sprintf("whose birthday is within the next %s", Count(r.Days, "day", "days"))
	case KindConsent:
		return map[string]string{
			ConsentCareAllowed:    "who allow care reminders",
			ConsentCareOptedOut:   "who opted out of care reminders",
			ConsentPromoOptedIn:   "who opted in to promotions",
			ConsentPromoNotOptIn:  "who did not opt in to promotions",
			ConsentPromoOptedOut:  "who opted out of promotions",
			ConsentDoNotContact:   "marked do-not-contact",
			ConsentMayBeContacted: "not marked do-not-contact",
		}[r.Value]
	case KindEmail:
		if r.Op == "has_not" {
			return "without an email address"
		}
		return "with an email address"
	case KindCreated:
		return fmt.Sprintf("added within the last %s", Count(r.Days, "day", "days"))
	case KindPostal:
		return fmt.Sprintf("whose postal code starts with %q", r.Value)
	case KindPatients:
		return "due on the day"
	case KindAppointment:
		of := ""
		if strings.TrimSpace(r.Service) != "" {
			of = fmt.Sprintf(" for %q", strings.TrimSpace(r.Service))
		}
		when := fmt.Sprintf("within the next %s", Count(r.Days, "day", "days"))
		if r.Days == 0 {
			when = "today"
		}
		switch r.Op {
		case "none_within":
			return "with no appointment booked" + of + " " + when
		case "between":
			return fmt.Sprintf("with an appointment booked%s from %s to %s", of, humanDate(r.Date), humanDate(r.Until))
		}
		return "with an appointment booked" + of + " " + when
	case KindSegment:
		if r.Op == "not_in" {
			return fmt.Sprintf("not in the segment %q", r.Value)
		}
		return fmt.Sprintf("in the segment %q", r.Value)
	}
	return "(" + r.Kind + ")"
}

func humanDate(s string) string {
	d, err := ParseDate(s)
	if err != nil {
		return s
	}
	return fmt.Sprintf("%d %s %d", d.Day, d.Month, d.Year)
}

func validRange(from, until string) error {
	f, err := ParseDate(from)
	if err != nil {
		return err
	}
	u, err := ParseDate(until)
	if err != nil {
		return err
	}
	if u.Before(f) {
		return fmt.Errorf("the range ends (%s) before it starts (%s)", until, from)
	}
	return nil
}

func dayMonth(s string) string {
	d, err := ParseDate(s)
	if err != nil {
		return s
	}
	return fmt.Sprintf("%d %s", d.Day, d.Month)
}
