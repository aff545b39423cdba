package app

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/workflow"
)

// segmentsScreen lists the saved segments with their size today and edits
// one with the rule builder: the sentence, a live count, the first members
// and why a patient is in or out.
type segmentsScreen struct {
	ui     *UI
	list   *widget.List
	status *widget.Label
	rows   []workflow.SegmentInfo

	name       *widget.Entry
	editor     *groupEditor
	holder     *fyne.Container
	sentence   *widget.Label
	count      *widget.Label
	members    *widget.Label // how many, and how many are listed
	memberRows []data.Patient
	table      *widget.Table
	whoEntry   *widget.Entry
	why        *widget.Label
	saveMsg    *widget.Label
	stored     string         // the name the segment in the builder is saved under; "" for a new one
	dup, del   *widget.Button // only for a saved segment
	listing    task           // the segments with their counts
	counting   task           // the rule being edited: a late count of an old rule is dropped
	explaining task           // why a patient is in or out
	form       *fyne.Container
	scroll     *container.Scroll
	box        fyne.CanvasObject
}

func newSegmentsScreen(u *UI) *segmentsScreen {
	s := &segmentsScreen{ui: u, status: widget.NewLabel("Loading…")}
	s.list = widget.NewList(
		func() int { return len(s.rows) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("name")
			name.Truncation = fyne.TextTruncateEllipsis // long names never run under the count
			return container.NewBorder(nil, nil, nil, widget.NewLabel("100000"), name)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			r := s.rows[id]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(r.Name)
			count := box.Objects[1].(*widget.Label)
			if r.Err != nil {
				count.SetText("error")
			} else {
				count.SetText(fmt.Sprint(r.Count))
			}
		})
	s.list.OnSelected = func(id widget.ListItemID) { s.edit(s.rows[id].Name, s.rows[id].Rule) }

	s.name = widget.NewEntry()
	s.name.SetPlaceHolder("Segment name, e.g. 65+ without a flu shot this season")
	s.holder = container.NewStack()
	s.sentence = widget.NewLabel("")
	s.sentence.Wrapping = fyne.TextWrapWord
	s.count = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.members = widget.NewLabel("")
	s.members.Wrapping = fyne.TextWrapWord
	s.table = s.membersTable()
	s.whoEntry = widget.NewEntry()
	s.whoEntry.SetPlaceHolder("Why is this patient in or out? Type a name…")
	s.whoEntry.OnChanged = s.onWhy // answers as it is typed
	s.why = widget.NewLabel("")
	s.why.Wrapping = fyne.TextWrapWord
	s.saveMsg = widget.NewLabel("")
	save := widget.NewButton("Save segment", s.onSave)
	save.Importance = widget.HighImportance
	s.dup = widget.NewButton("Duplicate", s.onDuplicate)
	s.del = widget.NewButton("Delete…", s.onDelete)
	export := widget.NewButton("Export members…", s.onExport)
	newB := widget.NewButton("New segment", func() { s.list.UnselectAll(); s.edit("", data.Rule{Kind: data.KindAll}) })

	s.form = container.NewVBox(s.name, s.holder, s.sentence, s.count,
		container.NewHBox(save, s.dup, s.del, s.saveMsg), widget.NewSeparator(), s.whoEntry, s.why)
	s.scroll = container.NewVScroll(s.form)
	membersBox := container.NewBorder(container.NewBorder(nil, nil, nil, export, s.members), nil, nil, nil,
		grown(s.table, 220, 110, 260))
	right := container.NewVSplit(s.scroll, membersBox)
	right.SetOffset(0.6)
	heading := widget.NewLabelWithStyle("Segments", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.status.Truncation = fyne.TextTruncateEllipsis // under the heading, as wide as the narrow pane
	left := container.NewBorder(container.NewVBox(heading, s.status), newB, nil, nil, s.list)
	split := container.NewHSplit(left, right)
	split.SetOffset(0.2) // the rule builder needs the width: a row wider than its pane is cut
	s.box = split
	return s
}

func (s *segmentsScreen) content() fyne.CanvasObject { return s.box }

// refresh counts every segment in the background and swaps the rows in.
func (s *segmentsScreen) refresh() {
	if s.editor == nil { // shown the first time: an empty segment to build
		s.edit("", data.Rule{Kind: data.KindAll})
	}
	restart(s.ui, &s.listing, s.ui.work.Segments, func(rows []workflow.SegmentInfo, err error) {
		if err != nil {
			s.status.SetText("Cannot load segments: " + errorText(err))
			return
		}
		s.rows = rows
		s.status.SetText(fmt.Sprintf("%d segments", len(rows)))
		s.list.Refresh()
	})
}

func (s *segmentsScreen) segmentNames() []string {
	var out []string
	for _, r := range s.rows {
		if r.Name != s.name.Text {
			out = append(out, r.Name)
		}
	}
	return out
}

// edit puts a segment in the builder.
func (s *segmentsScreen) edit(name string, r data.Rule) {
	s.stored = name
	s.showStored()
	s.name.SetText(name)
	s.saveMsg.SetText("")
	s.why.SetText("")
	s.editor = nil // no counting while the builder is being built
	s.editor = newGroupEditor(r, s.onRuleChanged, s.segmentNames)
	s.holder.Objects = []fyne.CanvasObject{s.editor.view()}
	s.holder.Refresh()
	s.onRuleChanged()
}

// onRuleChanged shows the sentence at once and counts in a goroutine.
func (s *segmentsScreen) onRuleChanged() {
	if s.editor == nil {
		return
	}
	// Rows may have come or gone: lay the builder out again.
	s.holder.Refresh()
	s.form.Refresh()
	s.scroll.Refresh()
	r := s.editor.rule()
	if what := s.editor.unfilled(); what != "" {
		s.sentence.SetText("Not finished: type " + what + ".")
		s.count.SetText("")
		s.counting.stop()
		return
	}
	if err := r.Validate(); err != nil {
		s.sentence.SetText("Not finished: " + errorText(err))
		s.count.SetText("")
		s.counting.stop() // a count of the rule before would be wrong now
		return
	}
	s.sentence.SetText(r.Sentence() + ".")
	s.count.SetText("Counting…")
	restart(s.ui, &s.counting, func(ctx context.Context) (workflow.SegmentPreview, error) {
		return s.ui.work.PreviewSegment(ctx, r, 200)
	}, func(c workflow.SegmentPreview, err error) {
		if err != nil {
			s.count.SetText("Cannot count: " + errorText(err))
			return
		}
		s.count.SetText(patientsText(c.Count) + " today")
		s.memberRows = c.First
		s.table.Refresh()
		text := "Members (a row opens the patient):"
		if c.Count > len(c.First) {
			text = fmt.Sprintf("Members: the first %d of %d (a row opens the patient; the export has all):", len(c.First), c.Count)
		}
		s.members.SetText(text)
	})
}

func (s *segmentsScreen) onSave() {
	name, r := s.name.Text, s.editor.rule()
	background(s.ui, func(ctx context.Context) (workflow.SegmentInfo, error) { return s.ui.work.SaveSegment(ctx, name, r) },
		func(_ workflow.SegmentInfo, err error) {
			if err != nil {
				s.saveMsg.SetText("Not saved: " + errorText(err))
				return
			}
			s.saveMsg.SetText("Saved.")
			s.stored = name
			s.showStored()
			s.refresh()
		})
}

var memberHeads = []string{"Patient", "Born", "Email"}

// membersTable lists the first members of the segment being edited.
func (s *segmentsScreen) membersTable() *widget.Table {
	t := headedTable(memberHeads, func() int { return len(s.memberRows) }, func(row, col int, l *widget.Label) {
		p := s.memberRows[row]
		l.SetText([]string{p.DisplayName(), s.ui.dates.day(p.BirthDate), p.Email}[col])
	})
	t.OnSelected = func(id widget.TableCellID) {
		t.UnselectAll()
		if id.Row < 0 || id.Row >= len(s.memberRows) {
			return
		}
		s.ui.openPatient(s.memberRows[id.Row].ID, s.onRuleChanged)
	}
	return t
}

// showStored offers Duplicate and Delete for a saved segment only.
func (s *segmentsScreen) showStored() {
	enable(s.dup, s.stored != "")
	enable(s.del, s.stored != "")
}

// saved is the name of the segment in the builder when it is saved as it
// stands; "" (with the reason in saveMsg) when not.
func (s *segmentsScreen) saved() string {
	if name := strings.TrimSpace(s.name.Text); name != "" && strings.EqualFold(name, s.stored) {
		return s.stored
	}
	s.saveMsg.SetText("Save the segment first.")
	return ""
}

func (s *segmentsScreen) onDuplicate() {
	name := s.saved()
	if name == "" {
		return
	}
	background(s.ui, func(ctx context.Context) (workflow.SegmentInfo, error) { return s.ui.work.DuplicateSegment(ctx, name) },
		func(info workflow.SegmentInfo, err error) {
			if err != nil {
				s.saveMsg.SetText("Not duplicated: " + errorText(err))
				return
			}
			s.edit(info.Name, info.Rule)
			s.saveMsg.SetText("Duplicated as " + info.Name + ": change it and save.")
			s.refresh()
		})
}

func (s *segmentsScreen) onDelete() {
	name := s.saved()
	if name == "" {
		return
	}
	dialog.ShowConfirm("Delete the segment "+name+"?", "The patients stay; only this way of choosing them goes (a backup is taken first).",
		func(ok bool) {
			if !ok {
				return
			}
			background(s.ui, func(ctx context.Context) (none, error) { return none{}, s.ui.work.DeleteSegment(ctx, name) },
				func(_ none, err error) {
					if err != nil {
						s.saveMsg.SetText("Not deleted: " + errorText(err))
						return
					}
					s.list.UnselectAll()
					s.edit("", data.Rule{Kind: data.KindAll})
					s.ui.notify("The segment "+name+" was deleted.", nil)
					s.refresh()
				})
		}, s.ui.window)
}

func (s *segmentsScreen) onExport() {
	name := s.saved()
	if name == "" {
		return
	}
	s.ui.chooseSaveFile(name+".xlsx", func(path string) {
		s.ui.exportTo(workflow.ExportRequest{Kind: workflow.ExportSegment, Name: name, Out: path}, func(n int) {
			s.ui.notify(fmt.Sprintf("%d members of %s written to %s", n, name, path), nil)
		})
	})
}

// onWhy explains, for the first patient matching the typed name, which
// conditions hold and which fail.
func (s *segmentsScreen) onWhy(typed string) {
	if strings.TrimSpace(typed) == "" {
		s.explaining.stop()
		s.why.SetText("")
		return
	}
	r := s.editor.rule()
	restart(s.ui, &s.explaining, func(ctx context.Context) (string, error) {
		w, err := s.ui.work.ExplainPatient(ctx, r, typed)
		if err != nil || !w.Found {
			return "No patient matches " + typed + ".", err
		}
		verdict := "is in this segment"
		if !w.Why.Holds {
			verdict = "is not in this segment"
		}
		return w.Patient.DisplayName() + " " + verdict + ":\n" + reasonLines(w.Why.Parts, ""), nil
	}, func(text string, err error) {
		if err != nil {
			s.why.SetText("Cannot check: " + errorText(err))
			return
		}
		s.why.SetText(text)
	})
}

func reasonLines(rs []data.Reason, indent string) string {
	var b strings.Builder
	for _, r := range rs {
		mark := "no:" // words, not ✓ and ✗: the window's font has neither
		if r.Holds {
			mark = "yes:"
		}
		b.WriteString(indent + mark + " " + r.Text + "\n")
		b.WriteString(reasonLines(r.Parts, indent+"    "))
	}
	return b.String()
}
