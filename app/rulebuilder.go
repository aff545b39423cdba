package app

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
)

// The condition kinds in words, for the picker.
var conditionKinds = []struct{ kind, label string }{
	{data.KindAge, "Age"}, {data.KindSex, "Sex"}, {data.KindTag, "Tag"}, {data.KindVisit, "Last visit"},
	{data.KindBirthday, "Birthday"}, {data.KindAppointment, "Appointment"}, {data.KindConsent, "Consent"}, {data.KindEmail, "Email address"},
	{data.KindCreated, "Added"}, {data.KindPostal, "Postal code"}, {data.KindSegment, "Other segment"},
}

// Operator choices per kind, in words, with their rule values.
var (
	tagOps      = [][2]string{{"has", "has the tag"}, {"has_not", "does not have the tag"}}
	visitOps    = [][2]string{{data.VisitWithin, "within the last N months"}, {data.VisitNotWithin, "not within the last N months"}, {data.VisitMoreThan, "more than N months ago"}, {data.VisitNever, "never"}, {data.VisitEver, "ever"}, {data.VisitSince, "since the 1st of"}, {data.VisitNotSince, "not since the 1st of"}}
	birthdayOps = [][2]string{{"within_days", "within the next N days"}, {"month", "in"}}
	apptOps     = [][2]string{{"within_days", "booked within the next"}, {"none_within", "none booked within the next"}}
	consentOps  = [][2]string{{data.ConsentCareAllowed, "allows care reminders"}, {data.ConsentCareOptedOut, "opted out of care reminders"}, {data.ConsentPromoOptedIn, "opted in to promotions"}, {data.ConsentPromoNotOptIn, "did not opt in to promotions"}, {data.ConsentPromoOptedOut, "opted out of promotions"}, {data.ConsentDoNotContact, "is do-not-contact"}, {data.ConsentMayBeContacted, "is not do-not-contact"}}
	emailOps    = [][2]string{{"has", "has one"}, {"has_not", "has none"}}
	segmentOps  = [][2]string{{"in", "is in"}, {"not_in", "is not in"}}
	sexOps      = [][2]string{{"F", "female"}, {"M", "male"}, {"X", "X (diverse)"}}
)

func labels(ops [][2]string) []string {
	out := make([]string, len(ops))
	for i, o := range ops {
		out[i] = o[1]
	}
	return out
}

func valueOf(ops [][2]string, label string) string {
	for _, o := range ops {
		if o[1] == label {
			return o[0]
		}
	}
	return ""
}

func labelOf(ops [][2]string, value string) string {
	for _, o := range ops {
		if o[0] == value {
			return o[1]
		}
	}
	return ""
}

// groupEditor edits an all/any group of conditions and nested groups.
type groupEditor struct {
	onChange func()
	segments func() []string // names for "other segment"
	match    *widget.Select
	children []ruleEditor
	rows     *fyne.Container
	box      *fyne.Container
}

// ruleEditor is a condition or a nested group.
type ruleEditor interface {
	rule() data.Rule
	view() fyne.CanvasObject
	// unfilled names what is still to be typed ("the number of months"),
	// "" when nothing is: an empty field is not finished, not wrong.
	unfilled() string
}

// unfilled is the first condition's field still to be typed.
func (g *groupEditor) unfilled() string {
	for _, c := range g.children {
		if what := c.unfilled(); what != "" {
			return what
		}
	}
	return ""
}

func newGroupEditor(r data.Rule, onChange func(), segments func() []string) *groupEditor {
	g := &groupEditor{onChange: onChange, segments: segments}
	g.match = widget.NewSelect([]string{"all of these", "any of these"}, nil)
	if r.Kind == data.KindAny {
		g.match.SetSelected("any of these")
	} else {
		g.match.SetSelected("all of these")
	}
	g.match.OnChanged = func(string) { g.onChange() }
	g.rows = container.NewVBox()
	for _, c := range r.Rules {
		g.add(c)
	}
	addCond := widget.NewButtonWithIcon("Add condition", theme.ContentAddIcon(), func() {
		g.add(data.Rule{Kind: data.KindAge})
		g.onChange()
	})
	addGroup := widget.NewButtonWithIcon("Add group", theme.ContentAddIcon(), func() {
		g.add(data.Rule{Kind: data.KindAny})
		g.onChange()
	})
	g.box = container.NewVBox(container.NewHBox(widget.NewLabel("Patients matching"), g.match), g.rows, container.NewHBox(addCond, addGroup))
	return g
}

func (g *groupEditor) add(r data.Rule) {
	var e ruleEditor
	if r.Kind == data.KindAll || r.Kind == data.KindAny {
		e = newGroupEditor(r, g.onChange, g.segments)
	} else {
		e = newConditionEditor(r, g.onChange, g.segments)
	}
	g.children = append(g.children, e)
	g.relayout()
}

func (g *groupEditor) relayout() {
	g.rows.RemoveAll()
	for i, c := range g.children {
		i := i
		remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			g.children = append(g.children[:i], g.children[i+1:]...)
			g.relayout()
			g.onChange()
		})
		row := container.NewBorder(nil, nil, nil, remove, c.view())
		if _, nested := c.(*groupEditor); nested {
			row = container.NewBorder(nil, nil, widget.NewLabel("   "), remove, c.view())
		}
		g.rows.Add(row)
	}
	g.rows.Refresh()
}

func (g *groupEditor) rule() data.Rule {
	r := data.Rule{Kind: data.KindAll}
	if g.match.Selected == "any of these" {
		r.Kind = data.KindAny
	}
	for _, c := range g.children {
		r.Rules = append(r.Rules, c.rule())
	}
	return r
}

func (g *groupEditor) view() fyne.CanvasObject { return g.box }

// conditionEditor edits one condition: its kind and its settings.
type conditionEditor struct {
	onChange func()
	segments func() []string
	kind     *widget.Select
	params   *fyne.Container
	op       *widget.Select
	text     *widget.Entry  // tag, service, postal code
	n1, n2   *widget.Entry  // numbers
	month    *widget.Select // a month by name (visits since, birthdays in)
	box      *fyne.Container
}

// monthNames are the months as the builder offers them.
var monthNames = func() []string {
	var out []string
	for m := time.January; m <= time.December; m++ {
		out = append(out, m.String())
	}
	return out
}()

// usesMonth says whether an operator takes a month (not a number).
func usesMonth(op string) bool {
	return op == data.VisitSince || op == data.VisitNotSince || op == "month"
}

func newConditionEditor(r data.Rule, onChange func(), segments func() []string) *conditionEditor {
	c := &conditionEditor{onChange: onChange, segments: segments}
	var kindLabels []string
	for _, k := range conditionKinds {
		kindLabels = append(kindLabels, k.label)
	}
	c.params = container.NewHBox()
	c.kind = widget.NewSelect(kindLabels, nil)
	for _, k := range conditionKinds {
		if k.kind == r.Kind {
			c.kind.SetSelected(k.label)
		}
	}
	c.build(r)
	c.kind.OnChanged = func(label string) {
		for _, k := range conditionKinds {
			if k.label == label {
				c.build(data.Rule{Kind: k.kind})
			}
		}
		c.onChange()
	}
	c.box = container.NewHBox(c.kind, c.params)
	return c
}

// build lays out the settings of the condition's kind, filled from r.
func (c *conditionEditor) build(r data.Rule) {
	c.op, c.text, c.n1, c.n2, c.month = nil, nil, nil, nil, nil
	c.params.RemoveAll()
	add := func(objs ...fyne.CanvasObject) {
		for _, o := range objs {
			c.params.Add(o)
		}
	}
	switch r.Kind {
	case data.KindAge:
		c.n1, c.n2 = c.entry(optional(r.Min), "from"), c.entry(optional(r.Max), "to")
		add(widget.NewLabel("from"), sized(c.n1, 70), widget.NewLabel("to"), sized(c.n2, 70))
	case data.KindSex:
		c.op = c.sel(sexOps, r.Value)
		add(fitted(c.op))
	case data.KindTag:
		c.op, c.text = c.sel(tagOps, r.Op), c.entry(r.Value, "tag")
		add(fitted(c.op), sized(c.text, 180))
	case data.KindVisit:
		c.text, c.op = c.entry(r.Service, "service, e.g. flu shot (empty: any)"), c.sel(visitOps, r.Op)
		c.op.OnChanged = c.relayout
		add(sized(c.text, 120), fitted(c.op))
		if r.Op != data.VisitNever && r.Op != data.VisitEver {
			add(c.monthOrNumber(r.Op, r.Month, r.Months))
		}
	case data.KindBirthday:
		c.op = c.sel(birthdayOps, r.Op)
		c.op.OnChanged = c.relayout
		add(fitted(c.op), c.monthOrNumber(r.Op, r.Month, r.Days))
	case data.KindAppointment:
		op := r.Op
		if op == "" {
			op = "within_days"
		}
		c.text, c.op, c.n1 = c.entry(r.Service, "service (empty: any)"), c.sel(apptOps, op), c.entry(blankZero(r.Days), "days")
		add(sized(c.text, 120), fitted(c.op), sized(c.n1, 60), widget.NewLabel("days"))
	case data.KindConsent:
		c.op = c.sel(consentOps, r.Value)
		add(fitted(c.op))
	case data.KindEmail:
		c.op = c.sel(emailOps, r.Op)
		add(fitted(c.op))
	case data.KindCreated:
		c.n1 = c.entry(blankZero(r.Days), "days")
		add(widget.NewLabel("within the last"), sized(c.n1, 70), widget.NewLabel("days"))
	case data.KindPostal:
		c.text = c.entry(r.Value, "starts with")
		add(widget.NewLabel("starts with"), sized(c.text, 140))
	case data.KindSegment:
		c.op = c.sel(segmentOps, r.Op)
		add(fitted(c.op), c.segmentChoice(r.Value))
	}
	c.params.Refresh()
}

// changed tells the builder a field was edited.
func (c *conditionEditor) changed(string) { c.onChange() }

// entry is a field of the condition with its value and grey hint.
func (c *conditionEditor) entry(v, hint string) *widget.Entry {
	e := widget.NewEntry()
	e.SetText(v)
	e.SetPlaceHolder(hint)
	e.OnChanged = c.changed
	return e
}

// sel is a dropdown of ops with value chosen (else the first).
func (c *conditionEditor) sel(ops [][2]string, value string) *widget.Select {
	s := widget.NewSelect(labels(ops), nil)
	if l := labelOf(ops, value); l != "" {
		s.SetSelected(l)
	} else {
		s.SetSelectedIndex(0)
	}
	s.OnChanged = c.changed // after the initial choice: building is not an edit
	return s
}

// monthOrNumber is a month or a number, as the operator asks: changing the
// operator lays the condition out again (relayout).
func (c *conditionEditor) monthOrNumber(op string, month, number int) fyne.CanvasObject {
	c.month = widget.NewSelect(monthNames, nil)
	if month >= 1 && month <= 12 {
		c.month.SetSelectedIndex(month - 1)
	}
	c.month.OnChanged = c.changed
	c.n1 = c.entry(blankZero(number), "N")
	if usesMonth(op) {
		return fitted(c.month)
	}
	return sized(c.n1, 60)
}

// relayout builds the condition again for an operator that asks for other
// fields (a month instead of a number).
func (c *conditionEditor) relayout(string) {
	r := c.rule()
	if usesMonth(r.Op) && r.Month == 0 {
		r.Month = 9 // September: the flu season's start
	}
	c.build(r)
	c.onChange()
}

// segmentChoice is the dropdown of the saved segments; c.text holds the
// chosen name.
func (c *conditionEditor) segmentChoice(value string) fyne.CanvasObject {
	names := widget.NewSelect(c.segments(), nil)
	names.SetSelected(value)
	c.text = widget.NewEntry()
	c.text.SetText(value)
	names.OnChanged = func(v string) { c.text.SetText(v); c.onChange() }
	return names
}

// optional is a number as typed ("" for none).
func optional(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

// blankZero is a number as typed, "" for 0.
func blankZero(v int) string {
	if v == 0 {
		return ""
	}
	return strconv.Itoa(v)
}

// fitted gives a dropdown the width of its longest choice, so no label is
// cut off.
func fitted(s *widget.Select) fyne.CanvasObject {
	var w float32
	for _, o := range s.Options {
		w = max(w, fyne.MeasureText(o, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	return sized(s, w+theme.IconInlineSize()+4*theme.InnerPadding())
}

// sized gives an entry a fixed width inside an HBox.
func sized(o fyne.CanvasObject, width float32) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(width, o.MinSize().Height), o)
}

func atoiPtr(s string) *int {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return nil
	}
	return &v
}

func atoi(s string) int { v, _ := strconv.Atoi(strings.TrimSpace(s)); return v }

func (c *conditionEditor) rule() data.Rule {
	var kind string
	for _, k := range conditionKinds {
		if k.label == c.kind.Selected {
			kind = k.kind
		}
	}
	r := data.Rule{Kind: kind}
	switch kind {
	case data.KindAge:
		r.Min, r.Max = atoiPtr(c.n1.Text), atoiPtr(c.n2.Text)
	case data.KindSex:
		r.Value = valueOf(sexOps, c.op.Selected)
	case data.KindTag:
		r.Op, r.Value = valueOf(tagOps, c.op.Selected), c.text.Text
	case data.KindVisit:
		r.Service, r.Op = strings.TrimSpace(c.text.Text), valueOf(visitOps, c.op.Selected)
		switch r.Op {
		case data.VisitSince, data.VisitNotSince:
			r.Month = c.monthChosen()
		case data.VisitWithin, data.VisitNotWithin, data.VisitMoreThan:
			r.Months = c.number()
		}
	case data.KindBirthday:
		r.Op = valueOf(birthdayOps, c.op.Selected)
		if r.Op == "month" {
			r.Month = c.monthChosen()
		} else {
			r.Days = c.number()
		}
	case data.KindAppointment:
		r.Service, r.Op, r.Days = strings.TrimSpace(c.text.Text), valueOf(apptOps, c.op.Selected), atoi(c.n1.Text)
	case data.KindConsent:
		r.Value = valueOf(consentOps, c.op.Selected)
	case data.KindEmail:
		r.Op = valueOf(emailOps, c.op.Selected)
	case data.KindCreated:
		r.Op, r.Days = "within_days", atoi(c.n1.Text)
	case data.KindPostal:
		r.Value = c.text.Text
	case data.KindSegment:
		r.Op, r.Value = valueOf(segmentOps, c.op.Selected), c.text.Text
	}
	return r
}

func (c *conditionEditor) view() fyne.CanvasObject { return c.box }

func (c *conditionEditor) unfilled() string {
	empty := func(e *widget.Entry) bool { return e != nil && strings.TrimSpace(e.Text) == "" }
	r := c.rule()
	switch {
	case r.Kind == data.KindAge && empty(c.n1) && empty(c.n2):
		return "an age"
	case (r.Kind == data.KindTag || r.Kind == data.KindPostal) && empty(c.text):
		return map[string]string{data.KindTag: "the tag", data.KindPostal: "the start of the postal code"}[r.Kind]
	case r.Kind == data.KindSegment && empty(c.text):
		return "which segment"
	case r.Kind == data.KindVisit && (r.Op == data.VisitWithin || r.Op == data.VisitNotWithin || r.Op == data.VisitMoreThan) && empty(c.n1):
		return "the number of months"
	case (r.Kind == data.KindBirthday && r.Op != "month" || r.Kind == data.KindCreated || r.Kind == data.KindAppointment) && empty(c.n1):
		return "the number of days"
	}
	return ""
}

// monthChosen is the month picked (1-12), 0 when none.
func (c *conditionEditor) monthChosen() int {
	if c.month == nil {
		return 0
	}
	return c.month.SelectedIndex() + 1
}

// number is the number typed, 0 when none.
func (c *conditionEditor) number() int {
	if c.n1 == nil {
		return 0
	}
	return atoi(c.n1.Text)
}
