package app

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"kindly/reports"
	"kindly/workflow"
)

// importWizard reads a spreadsheet, shows the guessed mapping and the dry
// run, and imports with a progress bar and cancel.
type importWizard struct {
	ui      *UI
	kind    string // workflow.ImportPatients, ImportVisits or ImportAppointments
	choices []reports.FieldChoice
	path    string
	onDone  func()

	table   *reports.Table
	plan    *reports.Plan
	mapping reports.Mapping

	sheet    *widget.Select
	header   *widget.Entry
	dayFirst *widget.Check
	columns  *fyne.Container
	summary  *widget.Label
	details  *widget.Label // warnings about whole columns
	busy     *widget.ProgressBarInfinite
	progress *widget.ProgressBar

	// The preview: the sheet's rows with what the import does to each.
	right    *fyne.Container // summary, notes and preview: laid out again when the notes change
	show     *widget.Select
	preview  *widget.Table
	shown    []reports.RowResult // rows in the preview, in sheet order
	cols     []int               // the sheet's mapped columns, shown in the preview
	importB  *widget.Button
	rejectsB *widget.Button
	cancelB  *widget.Button
	dlg      dialog.Dialog

	planned  reports.Options    // the choices the shown plan was made with
	reading  task               // the sheet being read
	planning task               // the dry run
	cancel   context.CancelFunc // stops the running import
}

// importKinds are what a spreadsheet can hold, as the wizard offers them.
var importKinds = [][2]string{{workflow.ImportPatients, "Patients…"}, {workflow.ImportVisits, "Visits…"},
	{workflow.ImportAppointments, "Appointments…"}}

// importMenu asks what the file holds, under the button that was tapped.
func importMenu(u *UI, from fyne.CanvasObject, onDone func()) {
	var items []*fyne.MenuItem
	for _, k := range importKinds {
		kind := k[0]
		items = append(items, fyne.NewMenuItem(k[1], func() { openImportWizardFor(u, kind, onDone) }))
	}
	widget.ShowPopUpMenuAtRelativePosition(fyne.NewMenu("", items...), u.window.Canvas(), fyne.NewPos(0, from.Size().Height), from)
}

// openImportWizard starts a patient import on a file chosen by the user.
func openImportWizard(u *UI, onDone func()) { openImportWizardFor(u, workflow.ImportPatients, onDone) }

// openImportWizardFor starts an import of a kind on a file chosen by the
// user.
func openImportWizardFor(u *UI, kind string, onDone func()) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		u.remember(path)
		newImportWizardFor(u, kind, path, onDone)
	}, u.window)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".xlsx", ".csv", ".txt"}))
	u.startIn(d)
	d.Resize(dialogSize(u.window, 900, 600))
	d.Show()
}

func newImportWizard(u *UI, path string, onDone func()) *importWizard {
	return newImportWizardFor(u, workflow.ImportPatients, path, onDone)
}

func newImportWizardFor(u *UI, kind, path string, onDone func()) *importWizard {
	w := &importWizard{ui: u, kind: kind, path: path, onDone: onDone, choices: reports.PatientFieldChoices}
	switch kind {
	case workflow.ImportVisits:
		w.choices = reports.VisitFieldChoices
	case workflow.ImportAppointments:
		w.choices = reports.AppointmentFieldChoices
	}
	w.sheet = widget.NewSelect(nil, func(string) {
		w.header.SetText("") // another sheet: its header is found again
		w.load()
	})
	w.dayFirst = widget.NewCheck("Dates like 03/04/1960 are day first (3 April)", func(bool) { w.replan() })
	w.header = widget.NewEntry()
	w.header.SetPlaceHolder("found by Kindly")
	w.header.OnSubmitted = func(string) { w.mapping = nil; w.replan() }
	w.columns = container.NewVBox()
	w.summary = widget.NewLabelWithStyle("Reading "+path+"…", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	w.summary.Wrapping = fyne.TextWrapWord
	w.details = widget.NewLabel("")
	w.details.Wrapping = fyne.TextWrapWord
	w.busy = widget.NewProgressBarInfinite()
	w.progress = widget.NewProgressBar()
	w.progress.Hide()
	w.show = widget.NewSelect(previewFilters, func(string) { w.fillPreview() })
	w.show.SetSelectedIndex(0)
	w.preview = w.newPreview()
	w.importB = widget.NewButton("Import", w.onImport)
	w.importB.Importance = widget.HighImportance
	w.importB.Disable()
	w.rejectsB = widget.NewButton("Save rejected rows…", w.onSaveRejects)
	w.rejectsB.Disable()
	w.cancelB = widget.NewButton("Cancel import", w.onCancel)
	w.cancelB.Hide()
	top := container.NewVBox(widget.NewForm(widget.NewFormItem("Sheet", w.sheet),
		widget.NewFormItem("Column names on row", w.header)), w.dayFirst)
	w.right = container.NewBorder(
		container.NewVBox(w.summary, w.busy, w.details, container.NewBorder(nil, nil, widget.NewLabel("Show"), nil, w.show)),
		nil, nil, nil, w.preview)
	body := container.NewHSplit(
		container.NewBorder(widget.NewLabelWithStyle("Columns", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, container.NewVScroll(w.columns)),
		w.right)
	body.SetOffset(0.36)
	content := container.NewBorder(top, container.NewVBox(w.progress, container.NewHBox(w.importB, w.rejectsB, w.cancelB)), nil, nil, body)
	w.dlg = dialog.NewCustom("Import "+kind+" from "+shortPath(path), "Close", content, u.window)
	w.dlg.Resize(dialogSize(u.window, 1100, 720))
	w.dlg.Show()
	w.load()
	return w
}

func shortPath(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// load reads the chosen sheet in the background and plans it.
func (w *importWizard) load() {
	sheet := w.sheet.Selected
	w.importB.Disable()
	w.busy.Show()
	restart(w.ui, &w.reading, func(context.Context) (*reports.Table, error) { return workflow.ReadSheet(w.path, sheet) },
		func(t *reports.Table, err error) {
			if err != nil {
				w.busy.Hide()
				w.summary.SetText("This file cannot be imported: " + errorText(err))
				return
			}
			w.table, w.mapping = t, nil
			if len(w.sheet.Options) == 0 {
				w.sheet.Options = t.Sheets
				onChanged := w.sheet.OnChanged
				w.sheet.OnChanged = nil // showing the sheet just read is not a new choice
				w.sheet.SetSelectedIndex(indexOf(t.Sheets, t.Sheet))
				w.sheet.OnChanged = onChanged
			}
			w.replan()
		})
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return 0
}

// replan runs the dry run - the command line's, on the sheet already
// read - in the background with the current choices.
func (w *importWizard) replan() {
	if w.table == nil {
		return
	}
	o := reports.Options{Sheet: w.table.Sheet, Mapping: maps.Clone(w.mapping), PreviewRows: workflow.DryRunRows}
	if n, err := strconv.Atoi(strings.TrimSpace(w.header.Text)); err == nil && n > 0 {
		o.HeaderRow = n
	}
	if w.dayFirst.Checked {
		d := reports.DayFirst
		o.DateOrder = &d
	}
	t := w.table
	w.summary.SetText("Checking every row…")
	w.busy.Show()
	w.importB.Disable()
	restart(w.ui, &w.planning, func(ctx context.Context) (*reports.Plan, error) {
		return w.ui.work.Plan(ctx, w.kind, t, o)
	}, func(p *reports.Plan, err error) {
		w.busy.Hide()
		if err != nil {
			w.summary.SetText("Cannot import this sheet: " + errorText(err))
			return
		}
		w.plan = p
		o.HeaderRow, o.Mapping = p.HeaderRow, maps.Clone(p.Mapping)
		w.planned = o
		w.header.SetText(strconv.Itoa(p.HeaderRow))
		if w.mapping == nil {
			w.mapping = maps.Clone(p.Mapping)
			w.showColumns()
		}
		w.showPlan()
	})
}

func (w *importWizard) showColumns() {
	w.columns.RemoveAll()
	var labels []string
	for _, f := range w.choices {
		labels = append(labels, f.Label)
	}
	for i, h := range w.plan.Header {
		col := i
		sel := widget.NewSelect(labels, nil)
		sel.SetSelected(reports.FieldLabelIn(w.choices, w.mapping[col]))
		sel.OnChanged = func(label string) {
			for _, f := range w.choices {
				if f.Label != label {
					continue
				}
				if f.Field == reports.FieldNone {
					delete(w.mapping, col)
					continue
				}
				for c, other := range w.mapping { // one column per field: the choice wins, as with --map
					if other == f.Field && c != col {
						delete(w.mapping, c)
						if c < len(w.columns.Objects) {
							w.columnSelect(c).SetSelected(reports.FieldLabelIn(w.choices, reports.FieldNone))
						}
					}
				}
				w.mapping[col] = f.Field
			}
			w.replan()
		}
		name := h
		if strings.TrimSpace(name) == "" {
			name = fmt.Sprintf("(column %d)", col+1)
		}
		label := widget.NewLabel(name)
		label.Truncation = fyne.TextTruncateEllipsis // a long column name is cut with an ellipsis, not mid-letter
		w.columns.Add(container.NewGridWithColumns(2, label, sel))
	}
}

// columnSelect is the field list of the sheet's column c.
func (w *importWizard) columnSelect(c int) *widget.Select {
	return w.columns.Objects[c].(*fyne.Container).Objects[1].(*widget.Select)
}

func (w *importWizard) showPlan() {
	p := w.plan
	w.summary.SetText(fmt.Sprintf("Header on row %d. %s.", p.HeaderRow, workflow.ImportCounts(p.Counts(), true)))
	var notes []string
	for _, warn := range p.Warnings {
		notes = append(notes, "Note: "+warn)
	}
	w.details.SetText(strings.Join(notes, "\n"))
	if len(notes) == 0 {
		w.details.Hide()
	} else {
		w.details.Show()
	}
	w.right.Refresh()
	w.cols = w.cols[:0]
	for col := range p.Header {
		if p.Mapping[col] != reports.FieldNone && p.Mapping[col] != "" {
			w.cols = append(w.cols, col)
		}
	}
	w.fillPreview()
	if p.Added+p.Updated > 0 {
		w.importB.Enable()
	} else {
		w.importB.Disable()
	}
	if p.Rejected > 0 {
		w.rejectsB.Enable()
	} else {
		w.rejectsB.Disable()
	}
}

// previewFilters choose which rows the preview lists.
var previewFilters = []string{"All rows", "Rows to check", "Rejected rows", "Rows to add", "Rows to update", "Unchanged rows"}

var previewActions = map[string]reports.Action{"Rejected rows": reports.ActionReject, "Rows to add": reports.ActionAdd,
	"Rows to update": reports.ActionUpdate, "Unchanged rows": reports.ActionUnchanged}

// previewLimit caps the rows listed: enough to check a sheet by eye.
const previewLimit = 1000

// fillPreview lists the plan's rows that the filter lets through.
func (w *importWizard) fillPreview() {
	w.shown = w.shown[:0]
	if w.plan == nil || w.preview == nil {
		return
	}
	want, filtered := previewActions[w.show.Selected]
	toCheck := w.show.Selected == "Rows to check"
	for _, r := range w.plan.Rows {
		if len(w.shown) == previewLimit {
			break
		}
		switch {
		case toCheck && (r.Action == reports.ActionReject || len(r.Flags) == 0):
		case filtered && r.Action != want:
		default:
			w.shown = append(w.shown, r)
		}
	}
	for i := range w.cols {
		w.preview.SetColumnWidth(3+i, 150)
	}
	w.preview.ScrollToTop()
	w.preview.Refresh()
}

var actionWords = map[reports.Action]string{reports.ActionAdd: "Add", reports.ActionUpdate: "Update",
	reports.ActionUnchanged: "Unchanged", reports.ActionReject: "Rejected"}

// newPreview is a table: sheet row, result, why (or what to check), and
// the mapped cells.
func (w *importWizard) newPreview() *widget.Table {
	t := widget.NewTableWithHeaders(
		func() (int, int) { return len(w.shown), 3 + len(w.cols) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			if id.Row >= len(w.shown) {
				l.SetText("")
				return
			}
			r := w.shown[id.Row]
			text, style := "", fyne.TextStyle{}
			switch {
			case id.Col == 0:
				text = strconv.Itoa(r.Row)
			case id.Col == 1:
				text = actionWords[r.Action]
				if r.Action != reports.ActionReject && len(r.Flags) > 0 {
					text += ", check"
				}
				style.Bold = r.Action == reports.ActionReject || len(r.Flags) > 0
			case id.Col == 2:
				text = rowWhy(r)
			case id.Col-3 < len(w.cols):
				text = w.plan.Shown(r, w.cols[id.Col-3])
			}
			l.TextStyle = style
			l.SetText(text)
		})
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.TextStyle.Bold = true
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		switch {
		case id.Col == 0:
			l.SetText("Row")
		case id.Col == 1:
			l.SetText("Result")
		case id.Col == 2:
			l.SetText("Why, or what to check")
		case id.Col-3 < len(w.cols) && w.plan != nil:
			l.SetText(reports.FieldLabelIn(w.choices, w.plan.Mapping[w.cols[id.Col-3]]))
		default:
			l.SetText("")
		}
	}
	t.SetColumnWidth(0, 60)
	t.SetColumnWidth(1, 110)
	t.SetColumnWidth(2, 380)
	return t
}

// onImport imports the file as the command line does, with the choices
// of the dry run shown: it writes only if it plans what the practice saw.
// One transaction, with progress and cancel.
func (w *importWizard) onImport() {
	if w.plan == nil {
		return
	}
	o := w.planned
	expect := w.plan.Counts()
	o.Expect = &expect
	ctx, cancel := context.WithCancel(w.ui.ctx)
	w.cancel = cancel
	w.importB.Disable()
	w.progress.SetValue(0)
	w.progress.Show()
	w.cancelB.Show()
	w.summary.SetText("Importing… (a backup is made first)")
	req := workflow.ImportRequest{Kind: w.kind, File: w.path, Options: o}
	bar := newLatest(w.ui, w.progress.SetValue)
	background(w.ui, func(context.Context) (workflow.ImportResult, error) {
		defer cancel()
		return w.ui.work.Import(ctx, req, func(done, total int) {
			if done == workflow.ImportStartsOver {
				w.ui.do(func() { w.summary.SetText(workflow.CheckingAgain) })
				done = 0
			}
			bar.put(float64(done) / float64(max(total, 1)))
		})
	}, func(res workflow.ImportResult, err error) {
		w.cancel = nil
		w.cancelB.Hide()
		if err != nil {
			w.summary.SetText("Nothing was imported: " + errorText(err))
			w.importB.Enable()
			return
		}
		w.progress.SetValue(1)
		sum := res.Summary
		w.summary.SetText("Imported: " + workflow.ImportCounts(sum.Counts(), false) + ".")
		if w.onDone != nil {
			w.onDone()
		}
	})
}

func (w *importWizard) onCancel() {
	if w.cancel != nil {
		w.cancel()
	}
}

func (w *importWizard) onSaveRejects() {
	w.ui.chooseSaveFile("rejected rows.xlsx", w.saveRejects)
}

func (w *importWizard) saveRejects(path string) {
	p := w.plan
	background(w.ui, func(context.Context) (int, error) { return w.ui.work.SaveRejects(p, path, true) }, // the save dialog asked about replacing
		func(n int, err error) {
			if err != nil {
				w.ui.showError(err)
				return
			}
			what := fmt.Sprintf("%d rejected rows", n)
			if n == 1 {
				what = "1 rejected row"
			}
			w.summary.SetText(fmt.Sprintf("%s saved to %s, with the reason for each.", what, shortPath(path)))
		})
}

// rowWhy is a row's reason and what to check in it, in one line.
func rowWhy(r reports.RowResult) string {
	parts := []string{}
	if r.Reason != "" {
		parts = append(parts, r.Reason)
	}
	if r.Archive {
		parts = append(parts, "archived: deceased, inactive or moved - never contacted")
	}
	if len(r.Flags) > 0 && r.Action != reports.ActionReject {
		parts = append(parts, strings.Join(r.Flags, "; "))
	}
	return strings.Join(parts, " - ")
}
