package app

import (
	"context"
	"fmt"
	"image/color"
	"net/url"
	"path/filepath"
	"runtime"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/workflow"
)

// reportsScreen makes the exports and the campaign report, and draws the
// emails sent per month.
type reportsScreen struct {
	ui       *UI
	status   *widget.Label
	segment  *widget.Select // whose members "Segment members" exports
	progress *widget.ProgressBar
	chart    *fyne.Container
	totals   []data.MonthlyStats // per campaign, for the table
	table    *widget.Table
	written  string // the file the last export wrote
	open     *widget.Button
	reveal   *widget.Button
	box      fyne.CanvasObject
}

// exportKinds are the workbooks a practice can make, by button.
var exportKinds = []struct{ label, file, kind string }{
	{"All patients", "patients.xlsx", workflow.ExportPatients},
	{"Send log (every email)", "send log.xlsx", workflow.ExportLog},
	{"Campaign calendar", "calendar.xlsx", workflow.ExportCalendar},
	{"Campaign report with chart", "campaign report.xlsx", workflow.ExportReport},
}

// segmentExport is the button that exports the chosen segment's members.
const segmentExport = "Members of the segment"

func newReportsScreen(u *UI) *reportsScreen {
	s := &reportsScreen{ui: u, status: widget.NewLabel("")}
	s.status.Wrapping = fyne.TextWrapWord
	buttons := container.NewGridWithColumns(2)
	for _, k := range exportKinds {
		k := k
		buttons.Add(widget.NewButtonWithIcon(k.label+"…", theme.DocumentSaveIcon(), func() { s.onExport(k.label, k.file) }))
	}
	s.segment = widget.NewSelect(nil, nil)
	s.segment.PlaceHolder = "(choose a segment)"
	segB := widget.NewButtonWithIcon(segmentExport+"…", theme.DocumentSaveIcon(), func() {
		if s.segment.Selected == "" {
			s.status.SetText("Choose the segment first.")
			return
		}
		s.onExport(segmentExport, s.segment.Selected+".xlsx")
	})
	segRow := container.NewBorder(nil, nil, widget.NewLabel("Segment"), segB, s.segment)
	s.progress = widget.NewProgressBar()
	s.progress.Hide()
	s.chart = container.NewStack()
	s.table = s.totalsTable()
	s.open = widget.NewButtonWithIcon("Open", theme.FileIcon(), func() { s.openFile(s.written) })
	s.reveal = widget.NewButtonWithIcon("Show in folder", theme.FolderOpenIcon(), func() { s.openFile(filepath.Dir(s.written)) })
	s.open.Hide()
	s.reveal.Hide()
	heading := widget.NewLabelWithStyle("Reports", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	chartTitle := widget.NewLabelWithStyle("Emails sent per month", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	tableTitle := widget.NewLabelWithStyle("Per campaign", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	results := container.NewVSplit(container.NewBorder(chartTitle, nil, nil, nil, s.chart),
		container.NewBorder(tableTitle, nil, nil, nil, stretched(s.table, 60, 4, 1, 1, 1, 1, 1)))
	results.SetOffset(0.62)
	s.box = container.NewBorder(container.NewVBox(heading, widget.NewLabel("Excel workbooks open in Excel, LibreOffice and Numbers."),
		buttons, segRow, s.progress, container.NewBorder(nil, nil, nil, container.NewHBox(s.open, s.reveal), s.status)),
		nil, nil, nil, results)
	return s
}

func (s *reportsScreen) content() fyne.CanvasObject { return s.box }

// reportsShown is what the reports screen loads.
type reportsShown struct {
	stats    []data.MonthlyStats
	segments []string
}

func (s *reportsScreen) refresh() {
	background(s.ui, func(ctx context.Context) (reportsShown, error) {
		f, err := s.ui.work.ReportFigures(ctx)
		return reportsShown{stats: f.Monthly, segments: f.Segments}, err
	}, func(sh reportsShown, err error) {
		s.segment.Options = sh.segments
		s.segment.Refresh()
		if err != nil {
			s.status.SetText("Cannot read the results: " + errorText(err))
			return
		}
		s.chart.Objects = []fyne.CanvasObject{monthlyChart(sh.stats)}
		s.chart.Refresh()
		s.totals = campaignTotals(sh.stats)
		s.table.Refresh()
	})
}

// monthlyChart draws the emails sent per month as bars (red on top: failed
// or bounced), with a scale on the left and the months below.
func monthlyChart(stats []data.MonthlyStats) fyne.CanvasObject {
	sent, failed := map[string]int{}, map[string]int{}
	for _, m := range stats {
		sent[m.Month] += m.Sent
		failed[m.Month] += m.Failed + m.Bounced
	}
	var months []string
	for m := range sent {
		months = append(months, m)
	}
	sort.Strings(months)
	if len(months) == 0 {
		return widget.NewLabel("Nothing sent yet: the chart fills as campaigns go out.")
	}
	peak := 1
	for _, m := range months {
		peak = max(peak, sent[m]+failed[m])
	}
	top := niceCeiling(peak + peak/10) // room above the highest bar for its number
	const height = 180
	fg := theme.Color(theme.ColorNameForeground)
	text := func(s string, size float32) *canvas.Text {
		t := canvas.NewText(s, fg)
		t.TextSize = size
		return t
	}
	// The scale: the top, the middle and 0, level with the bars.
	scale := container.NewWithoutLayout()
	for _, v := range []int{top, top / 2, 0} {
		t := text(fmt.Sprint(v), 12)
		t.Alignment = fyne.TextAlignTrailing
		t.Move(fyne.NewPos(0, float32(height)*(1-float32(v)/float32(top))-8))
		t.Resize(fyne.NewSize(44, 16))
		scale.Add(t)
	}
	scaleBox := container.NewGridWrap(fyne.NewSize(48, height+40), scale)
	axis := canvas.NewRectangle(fg)
	axis.SetMinSize(fyne.NewSize(1, height))

	bars := container.NewHBox()
	for _, m := range months {
		h := float32(height) * float32(sent[m]) / float32(top)
		fh := float32(height) * float32(failed[m]) / float32(top)
		bar := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
		bar.SetMinSize(fyne.NewSize(48, h))
		fail := canvas.NewRectangle(color.NRGBA{R: 0xd9, G: 0x53, B: 0x4f, A: 0xff})
		fail.SetMinSize(fyne.NewSize(48, fh))
		spacer := canvas.NewRectangle(color.Transparent)
		spacer.SetMinSize(fyne.NewSize(48, height-h-fh))
		count := text(fmt.Sprint(sent[m]), 12)
		count.Alignment = fyne.TextAlignCenter
		label := text(monthLabel(m), 12)
		label.Alignment = fyne.TextAlignCenter
		// No padding inside a column: its bar stands level with the scale.
		above := container.NewStack(spacer, container.NewBorder(nil, count, nil, nil))
		col := container.New(layout.NewCustomPaddedVBoxLayout(0), above, fail, bar, label)
		bars.Add(col)
	}
	legend := widget.NewLabel("Emails sent per month (red: failed or bounced). The scale on the left counts emails.")
	legend.Wrapping = fyne.TextWrapWord
	plot := container.NewBorder(nil, nil, container.NewHBox(scaleBox, container.NewVBox(axis)), nil, container.NewHScroll(bars))
	return container.NewBorder(nil, legend, nil, nil, plot)
}

// niceCeiling is the scale's top: the next round number at or above n.
func niceCeiling(n int) int {
	step := 1
	for step*10 < n {
		step *= 10
	}
	for _, f := range []int{1, 2, 5, 10} {
		if f*step >= n {
			return f * step
		}
	}
	return n
}

// monthLabel is "2026-10" as a person reads it: "Oct 2026".
func monthLabel(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return t.Format("Jan 2006")
}

// campaignTotals sums each campaign's emails over the months.
func campaignTotals(stats []data.MonthlyStats) []data.MonthlyStats {
	byName := map[string]*data.MonthlyStats{}
	var out []data.MonthlyStats
	var order []string
	for _, m := range stats {
		t, ok := byName[m.Campaign]
		if !ok {
			t = &data.MonthlyStats{Campaign: m.Campaign}
			byName[m.Campaign] = t
			order = append(order, m.Campaign)
		}
		t.Sent += m.Sent
		t.Failed += m.Failed
		t.Bounced += m.Bounced
		t.Skipped += m.Skipped
		t.OptedOut += m.OptedOut
	}
	for _, name := range order {
		out = append(out, *byName[name])
	}
	return out
}

var totalsHeads = []string{"Campaign", "Sent", "Failed", "Bounced", "Skipped", "of them opted out"}

// totalsTable shows each campaign's results.
func (s *reportsScreen) totalsTable() *widget.Table {
	return headedTable(totalsHeads, func() int { return len(s.totals) }, func(row, col int, l *widget.Label) {
		r := s.totals[row]
		if col == 0 {
			l.SetText(r.Campaign)
			return
		}
		l.SetText(fmt.Sprint([]int{r.Sent, r.Failed, r.Bounced, r.Skipped, r.OptedOut}[col-1]))
	})
}

func (s *reportsScreen) onExport(label, file string) {
	s.ui.chooseSaveFile(file, func(path string) { s.export(label, path) })
}

// export writes one workbook in the background.
func (s *reportsScreen) export(label, path string) {
	s.status.SetText("Writing " + shortPath(path) + "…")
	s.open.Hide()
	s.reveal.Hide()
	s.progress.SetValue(0)
	s.progress.Show()
	req := workflow.ExportRequest{Out: path, Overwrite: true} // the save dialog asked before writing over a file
	switch label {
	case segmentExport:
		req.Kind, req.Name = workflow.ExportSegment, s.segment.Selected
		label = segmentExport + " " + req.Name
	default:
		for _, k := range exportKinds {
			if k.label == label {
				req.Kind = k.kind
			}
		}
	}
	bar := newLatest(s.ui, s.progress.SetValue)
	progress := func(done, total int) {
		bar.put(float64(done) / float64(max(total, 1)))
	}
	background(s.ui, func(ctx context.Context) (int, error) { return s.ui.work.Export(ctx, req, progress) },
		func(_ int, err error) {
			s.progress.Hide()
			if err != nil {
				s.status.SetText("Not written: " + errorText(err))
				return
			}
			s.status.SetText(label + " written to " + path)
			s.written = path
			s.open.Show()
			s.reveal.Show()
		})
}

// openFile opens a file in the program the computer opens it with (Excel,
// for a workbook), or a folder in the file manager.
func (s *reportsScreen) openFile(path string) {
	if path == "" {
		return
	}
	u := &url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	if runtime.GOOS == "windows" {
		u.Path = "/" + u.Path // file:///C:/Users/...
	}
	if err := s.ui.app.OpenURL(u); err != nil {
		s.status.SetText("Cannot open " + path + ": " + errorText(err))
	}
}
