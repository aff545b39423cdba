package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/mailer"
	"kindly/workflow"
)

// templatesScreen edits templates with a merge-field picker, checks them
// as you type, previews them for a real patient and sends a test.
type templatesScreen struct {
	ui         *UI
	list       *widget.List
	rows       []data.Template
	name       *widget.Entry
	subject    *widget.Entry
	body       *widget.Entry
	fields     *widget.Select
	problems   *widget.Label
	preview    *widget.Label
	status     *widget.Label
	previewFor *widget.Entry
	sample     data.Patient
	settings   data.Settings // the practice and its subject words, for checks and the preview
	today      data.Date
	box        fyne.CanvasObject
}

func newTemplatesScreen(u *UI) *templatesScreen {
	s := &templatesScreen{ui: u}
	s.list = widget.NewList(func() int { return len(s.rows) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("Template name")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.rows[id].Name) })
	s.list.OnSelected = func(id widget.ListItemID) {
		t := s.rows[id]
		s.name.SetText(t.Name)
		s.subject.SetText(t.Subject)
		s.body.SetText(t.Body)
	}
	newB := widget.NewButton("New template", func() {
		s.list.UnselectAll()
		s.name.SetText("")
		s.subject.SetText("")
		s.body.SetText("Dear {{name | \"patient\"}},\n\n")
	})
	right := container.NewHSplit(s.editor(), s.previewPane())
	left := container.NewBorder(heading("Templates"), newB, nil, nil, s.list)
	split := container.NewHSplit(left, right)
	split.SetOffset(0.2)
	s.box = split
	return s
}

// editor is the template being written: its name, subject, merge fields,
// the name rule, the body, its problems, Save and the test email.
func (s *templatesScreen) editor() fyne.CanvasObject {
	s.name, s.subject = widget.NewEntry(), widget.NewEntry()
	s.body = widget.NewMultiLineEntry()
	s.body.SetMinRowsVisible(12)
	s.body.Wrapping = fyne.TextWrapWord
	s.subject.OnChanged = func(string) { s.check() }
	s.body.OnChanged = func(string) { s.check() }
	s.fields = widget.NewSelect(mailer.FieldNames(), s.onInsertField)
	s.fields.PlaceHolder = "Insert a merge field…"
	s.problems = widget.NewLabel("")
	s.problems.Wrapping = fyne.TextWrapWord
	s.problems.Importance = widget.WarningImportance
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord // a long "Not saved: ..." wraps instead of widening the window
	save := widget.NewButton("Save", s.onSave)
	save.Importance = widget.HighImportance
	test := widget.NewButton("Send a test to myself", s.onTest)
	names := widget.NewLabel(mailer.NameRule)
	names.Wrapping, names.TextStyle.Italic = fyne.TextWrapWord, true
	return container.NewBorder(
		widget.NewForm(widget.NewFormItem("Name", s.name), widget.NewFormItem("Subject", s.subject), widget.NewFormItem("", s.fields),
			widget.NewFormItem("", names)),
		container.NewVBox(s.messages(), container.NewHBox(save, test)), nil, nil, s.body)
}

// previewPane is the email as a patient gets it, for a patient typed.
func (s *templatesScreen) previewPane() fyne.CanvasObject {
	s.preview = widget.NewLabel("")
	s.preview.Wrapping = fyne.TextWrapWord
	s.previewFor = widget.NewEntry()
	s.previewFor.SetPlaceHolder("Preview for… (type a patient's name, press Enter)")
	s.previewFor.OnSubmitted = s.onPreviewFor
	return container.NewBorder(container.NewVBox(heading("Preview"), s.previewFor), nil, nil, nil, container.NewVScroll(s.preview))
}

func (s *templatesScreen) content() fyne.CanvasObject { return s.box }

// messages are the template's problems and the last save's outcome, in a
// scrolling box of a few lines: a long refusal never makes the window
// taller or wider.
func (s *templatesScreen) messages() fyne.CanvasObject {
	box := container.NewVScroll(container.NewVBox(s.problems, s.status))
	box.SetMinSize(fyne.NewSize(200, 90))
	return box
}

// templatesShown is what the templates screen loads.
type templatesShown struct {
	templates []data.Template
	sample    data.Patient
	settings  data.Settings
	today     data.Date
}

func (s *templatesScreen) refresh() {
	background(s.ui, func(ctx context.Context) (templatesShown, error) {
		d, err := s.ui.work.TemplateDesk(ctx)
		return templatesShown{templates: d.Templates, sample: d.Sample, settings: d.Settings, today: d.Today}, err
	}, func(sh templatesShown, err error) {
		if err != nil {
			s.ui.showError(err)
			return
		}
		s.rows, s.settings, s.today = sh.templates, sh.settings, sh.today
		if s.sample.ID == 0 { // a patient the practice chose to preview for stays chosen
			s.sample = sh.sample
		}
		s.list.Refresh()
		if len(sh.templates) > 0 && s.name.Text == "" {
			s.list.Select(0)
		}
		s.check()
	})
}

func (s *templatesScreen) template() mailer.Template {
	return mailer.Template{Name: s.name.Text, Subject: s.subject.Text, Body: s.body.Text}
}

// check validates as you type and renders the preview for a real patient,
// with the settings loaded with the screen.
func (s *templatesScreen) check() {
	t := s.template()
	s.problems.SetText(strings.Join(workflow.CheckTemplate(t, s.settings), "\n"))
	m, err := t.Render(s.sample, s.settings.Practice, s.today)
	if err != nil {
		s.preview.SetText("")
		return
	}
	s.preview.SetText("To: " + m.To + "\nSubject: " + m.Subject + "\n\n" + m.Text)
}

func (s *templatesScreen) onInsertField(f string) {
	if f == "" {
		return
	}
	s.body.SetText(insertAt(s.body.Text, s.body.CursorRow, s.body.CursorColumn, "{{"+f+"}}"))
	s.fields.ClearSelected()
}

// insertAt puts text at a row and column of a multi-line string.
func insertAt(text string, row, col int, insert string) string {
	lines := strings.Split(text, "\n")
	if row >= len(lines) {
		return text + insert
	}
	runes := []rune(lines[row])
	col = min(col, len(runes))
	lines[row] = string(runes[:col]) + insert + string(runes[col:])
	return strings.Join(lines, "\n")
}

func (s *templatesScreen) onSave() {
	t := s.template()
	if err := t.Validate(); err != nil {
		s.status.SetText("Not saved: " + errorText(err))
		return
	}
	background(s.ui, func(ctx context.Context) ([]string, error) { return s.ui.work.SaveTemplate(ctx, t) },
		func(_ []string, err error) {
			if err != nil {
				s.status.SetText("Not saved: " + errorText(err))
				return
			}
			s.status.SetText("Saved.")
			s.refresh()
		})
}

func (s *templatesScreen) onTest() {
	t, sample := s.template(), s.sample
	s.status.SetText("Sending a test…")
	background(s.ui, func(ctx context.Context) (string, error) { return s.ui.work.SendTemplateTest(ctx, t, sample) },
		func(to string, err error) {
			if err != nil {
				s.status.SetText("Test not sent: " + errorText(err))
				return
			}
			s.status.SetText("Test sent to " + to + ".")
		})
}

// onPreviewFor shows the preview for the first patient matching the name.
func (s *templatesScreen) onPreviewFor(typed string) {
	background(s.ui, func(ctx context.Context) ([]data.Patient, error) {
		return s.ui.work.Patients(ctx, data.PatientQuery{Search: typed, Limit: 1})
	}, func(ps []data.Patient, err error) {
		if err != nil || len(ps) == 0 {
			s.status.SetText("No patient matches " + typed + ".")
			return
		}
		s.sample = ps[0]
		s.check()
	})
}
