package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/mailer"
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
	box        fyne.CanvasObject
}

func newTemplatesScreen(u *UI) *templatesScreen {
	s := &templatesScreen{ui: u}
	s.list = widget.NewList(func() int { return len(s.rows) },
		func() fyne.CanvasObject { return widget.NewLabel("Template name") },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.rows[id].Name) })
	s.list.OnSelected = func(id widget.ListItemID) {
		t := s.rows[id]
		s.name.SetText(t.Name)
		s.subject.SetText(t.Subject)
		s.body.SetText(t.Body)
	}
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
	s.preview = widget.NewLabel("")
	s.preview.Wrapping = fyne.TextWrapWord
	s.status = widget.NewLabel("")
	s.previewFor = widget.NewEntry()
	s.previewFor.SetPlaceHolder("Preview for… (type a patient's name, press Enter)")
	s.previewFor.OnSubmitted = s.onPreviewFor
	save := widget.NewButton("Save", s.onSave)
	save.Importance = widget.HighImportance
	test := widget.NewButton("Send a test to myself", s.onTest)
	newB := widget.NewButton("New template", func() {
		s.list.UnselectAll()
		s.name.SetText("")
		s.subject.SetText("")
		s.body.SetText("Dear {{name | \"patient\"}},\n\n")
	})
	editor := container.NewBorder(
		widget.NewForm(widget.NewFormItem("Name", s.name), widget.NewFormItem("Subject", s.subject), widget.NewFormItem("", s.fields)),
		container.NewVBox(s.problems, container.NewHBox(save, test, s.status)), nil, nil, s.body)
	previewBox := container.NewBorder(container.NewVBox(widget.NewLabelWithStyle("Preview", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.previewFor), nil, nil, nil,
		container.NewVScroll(s.preview))
	right := container.NewHSplit(editor, previewBox)
	left := container.NewBorder(widget.NewLabelWithStyle("Templates", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), newB, nil, nil, s.list)
	split := container.NewHSplit(left, right)
	split.SetOffset(0.2)
	s.box = split
	return s
}

func (s *templatesScreen) content() fyne.CanvasObject { return s.box }

func (s *templatesScreen) refresh() {
	go func() {
		ctx := context.Background()
		ts, err := s.ui.store.Templates(ctx)
		sample := data.Patient{FirstName: "Anna", LastName: "Smith", Email: "anna@example.com"}
		if ps, _ := s.ui.store.Patients(ctx, data.PatientQuery{Limit: 1}); len(ps) == 1 {
			sample = ps[0]
		}
		s.ui.do(func() {
			if err != nil {
				s.ui.showError(err)
				return
			}
			s.rows, s.sample = ts, sample
			s.list.Refresh()
			if len(ts) > 0 && s.name.Text == "" {
				s.list.Select(0)
			}
		})
	}()
}

func (s *templatesScreen) template() mailer.Template {
	return mailer.Template{Name: s.name.Text, Subject: s.subject.Text, Body: s.body.Text}
}

// check validates as you type and renders the preview for a real patient.
func (s *templatesScreen) check() {
	t := s.template()
	var problems []string
	if err := t.Validate(); err != nil && !strings.HasPrefix(err.Error(), "name") {
		problems = append(problems, err.Error())
	}
	problems = append(problems, mailer.SubjectWarnings(t.Subject)...)
	s.problems.SetText(strings.Join(problems, "\n"))
	pr := mailer.LoadPractice(s.ui.store)
	today, _ := s.ui.store.Today()
	m, err := t.Render(s.sample, pr, today)
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
		s.status.SetText("Not saved: " + err.Error())
		return
	}
	go func() {
		dt := data.Template{Name: t.Name, Subject: t.Subject, Body: t.Body}
		err := s.ui.store.SaveTemplate(context.Background(), &dt)
		s.ui.do(func() {
			if err != nil {
				s.status.SetText("Not saved: " + errorText(err))
				return
			}
			s.status.SetText("Saved.")
			s.refresh()
		})
	}()
}

func (s *templatesScreen) onTest() {
	t := s.template()
	sample := s.sample
	s.status.SetText("Sending a test…")
	go func() {
		st, pr, err := mailer.Ready(s.ui.store)
		if err == nil && pr.Email == "" {
			err = errString("set the practice's email in Settings first")
		}
		var conn *mailer.Connection
		if err == nil {
			conn, err = mailer.Dial(context.Background(), st.Account, pr)
		}
		if err == nil {
			defer conn.Close()
			today, _ := s.ui.store.Today()
			var m mailer.Message
			if m, err = t.Render(sample, pr, today); err == nil {
				m.To, m.Subject = pr.Email, "[Test] "+m.Subject
				err = conn.Send(m)
			}
		}
		s.ui.do(func() {
			if err != nil {
				s.status.SetText("Test not sent: " + errorText(err))
				return
			}
			s.status.SetText("Test sent to " + pr.Email + ".")
		})
	}()
}

type errString string

func (e errString) Error() string { return string(e) }

// onPreviewFor shows the preview for the first patient matching the name.
func (s *templatesScreen) onPreviewFor(typed string) {
	go func() {
		ps, err := s.ui.store.Patients(context.Background(), data.PatientQuery{Search: typed, Limit: 1})
		s.ui.do(func() {
			if err != nil || len(ps) == 0 {
				s.status.SetText("No patient matches " + typed + ".")
				return
			}
			s.sample = ps[0]
			s.check()
		})
	}()
}
