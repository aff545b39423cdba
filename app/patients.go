package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/workflow"
)

const patientPage = 200

type patientColumn struct {
	title string
	width float32
	sort  data.PatientSort
	value func(p data.Patient, ds dateStyle) string
}

var patientColumns = []patientColumn{
	{"Name", 220, data.SortName, func(p data.Patient, ds dateStyle) string { return p.DisplayName() }},
	{"Born", 110, data.SortBirthDate, func(p data.Patient, ds dateStyle) string { return ds.day(p.BirthDate) }},
	{"Email", 280, data.SortEmail, func(p data.Patient, ds dateStyle) string { return p.Email }},
	{"Phone", 150, "", func(p data.Patient, ds dateStyle) string { return p.Phone }},
	{"Care", 120, "", func(p data.Patient, ds dateStyle) string {
		if p.DoNotContact {
			return "do not contact"
		}
		return map[string]string{data.CareAllowed: "allowed", data.CareOptedOut: "opted out"}[p.CareConsent]
	}},
	{"Promotions", 110, "", func(p data.Patient, ds dateStyle) string {
		return map[string]string{data.PromoUnknown: "-", data.PromoOptedIn: "opted in", data.PromoOptedOut: "opted out"}[p.PromoConsent]
	}},
	{"Added", 110, data.SortCreated, func(p data.Patient, ds dateStyle) string { return ds.day(data.DateOf(p.CreatedAt.In(ds.loc))) }},
}

// patientsScreen lists patients page by page from SQL: only the pages on
// screen are held in memory.
type patientsScreen struct {
	ui     *UI
	search *widget.Entry
	form   *patientForm      // the last form opened, for tests
	grid   fyne.CanvasObject // the table, grown to the window
	count  *widget.Label
	head   *fyne.Container // the title row with the count and the buttons
	table  *widget.Table
	box    fyne.CanvasObject

	// Touched on the UI goroutine only.
	query   data.PatientQuery
	total   int
	pages   map[int][]data.Patient
	loading map[int]bool
	// first is the first page of the newest query, and counting its count
	// when the page was full; pageLoads marks pages of older queries, which
	// are dropped.
	first, counting, pageLoads task
}

func newPatientsScreen(u *UI) *patientsScreen {
	s := &patientsScreen{ui: u, query: data.PatientQuery{Sort: data.SortName}}
	s.search = widget.NewEntry()
	s.search.SetPlaceHolder("Search by name, email or phone (Ctrl+F)")
	s.search.OnChanged = s.onSearchChanged
	s.count = widget.NewLabel("")
	s.table = widget.NewTable(
		func() (int, int) { return s.total, len(patientColumns) },
		func() fyne.CanvasObject { l := widget.NewLabel(""); l.Truncation = fyne.TextTruncateEllipsis; return l },
		s.updateCell)
	s.table.ShowHeaderRow = true
	s.table.CreateHeader = func() fyne.CanvasObject { return widget.NewButton("", nil) }
	s.table.UpdateHeader = s.updateHeader
	var widths []float32
	for i, c := range patientColumns {
		s.table.SetColumnWidth(i, c.width)
		widths = append(widths, c.width)
	}
	s.table.OnSelected = s.onRowSelected
	heading := widget.NewLabelWithStyle("Patients", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	add := widget.NewButtonWithIcon("New patient", theme.ContentAddIcon(), s.onNewPatient)
	add.Importance = widget.HighImportance
	var importB *widget.Button
	importB = widget.NewButtonWithIcon("Import spreadsheet…", theme.UploadIcon(), func() { importMenu(s.ui, importB, s.reload) })
	s.head = container.NewBorder(nil, nil, heading, container.NewHBox(s.count, importB, add))
	top := container.NewVBox(s.head, s.search)
	s.grid = grown(s.table, widths...)
	s.box = container.NewBorder(top, nil, nil, nil, s.grid)
	return s
}

func (s *patientsScreen) content() fyne.CanvasObject { return s.box }

func (s *patientsScreen) onNewPatient() {
	f := showPatientForm(s.ui, data.Patient{}, nil, s.reload)
	s.form = f
	f.onAdded = func(p data.Patient) {
		// The new patient shows, even when a search would hide them.
		if s.search.Text != "" {
			who := p.Email
			if who == "" {
				who = p.LastName
			}
			s.search.SetText(who)
		}
	}
}

// onRowSelected opens the patient of the tapped row.
func (s *patientsScreen) onRowSelected(id widget.TableCellID) {
	s.table.UnselectAll()
	rows := s.pages[id.Row/patientPage]
	if id.Row%patientPage >= len(rows) {
		return
	}
	s.ui.openPatient(rows[id.Row%patientPage].ID, s.reload)
}

func (s *patientsScreen) refresh() { s.reload() }

func (s *patientsScreen) onSearchChanged(text string) {
	s.query.Search = text
	s.reload()
}

func (s *patientsScreen) onSort(col int) {
	c := patientColumns[col]
	if c.sort == "" {
		return
	}
	if s.query.Sort == c.sort {
		s.query.Descending = !s.query.Descending
	} else {
		s.query.Sort, s.query.Descending = c.sort, false
	}
	s.reload()
}

// reload shows the first page of the newest query as soon as it is read,
// then counts the matches when the page was full; a search typed on
// cancels the page and the count before.
func (s *patientsScreen) reload() {
	q := s.query
	s.pages, s.loading = map[int][]data.Patient{}, map[int]bool{}
	s.pageLoads.stop() // pages of the old query are dropped
	s.counting.stop()
	restart(s.ui, &s.first, func(ctx context.Context) (workflow.PatientPage, error) {
		return s.ui.work.FirstPage(ctx, q, patientPage)
	}, func(fp workflow.PatientPage, err error) {
		if err != nil {
			s.count.SetText("Search failed: " + errorText(err))
			return
		}
		s.total = fp.Total
		s.pages[0] = fp.Rows
		if fp.Counted {
			s.count.SetText(patientsText(fp.Total))
		} else {
			s.count.SetText("Counting patients…")
			s.countAll(q)
		}
		s.head.Refresh() // the count's width changed: lay the row out again
		s.table.Refresh()
		s.table.ScrollToTop()
	})
}

// countAll counts the matches of a query whose first page was full, and
// lets the table scroll over all of them.
func (s *patientsScreen) countAll(q data.PatientQuery) {
	restart(s.ui, &s.counting, func(ctx context.Context) (int, error) {
		return s.ui.work.CountPatients(ctx, q)
	}, func(n int, err error) {
		if err != nil {
			s.count.SetText("Counting failed: " + errorText(err))
			return
		}
		s.total = n
		s.count.SetText(patientsText(n))
		s.head.Refresh()
		s.table.Refresh()
	})
}

func (s *patientsScreen) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	b := o.(*widget.Button)
	if id.Col < 0 {
		b.SetText("")
		return
	}
	// The sorted column shows an arrow icon: the window's font has no arrow
	// glyphs, and one missing glyph loads a system font (16 MB) to find it.
	c := patientColumns[id.Col]
	b.SetIcon(nil)
	if c.sort != "" && c.sort == s.query.Sort {
		b.SetIcon(theme.MenuDropUpIcon())
		if s.query.Descending {
			b.SetIcon(theme.MenuDropDownIcon())
		}
	}
	b.SetText(c.title)
	col := id.Col
	b.OnTapped = func() { s.onSort(col) }
}

func (s *patientsScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	page, idx := id.Row/patientPage, id.Row%patientPage
	rows, ok := s.pages[page]
	if !ok {
		l.SetText("…")
		s.loadPage(page)
		return
	}
	if idx >= len(rows) {
		l.SetText("")
		return
	}
	l.SetText(patientColumns[id.Col].value(rows[idx], s.ui.dates))
}

// loadPage fetches one page in the background.
func (s *patientsScreen) loadPage(page int) {
	if s.loading[page] {
		return
	}
	s.loading[page] = true
	q, gen := s.query, s.pageLoads.gen
	q.Offset, q.Limit = page*patientPage, patientPage
	background(s.ui, func(ctx context.Context) ([]data.Patient, error) { return s.ui.work.Patients(ctx, q) },
		func(rows []data.Patient, err error) {
			if gen != s.pageLoads.gen {
				return // a page of an earlier query
			}
			if err != nil {
				s.count.SetText("Loading failed: " + errorText(err))
				return
			}
			s.pages[page] = rows
			s.table.Refresh()
		})
}
