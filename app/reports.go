package app

import (
	"context"
	"fmt"
	"image/color"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
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
	heading := widget.NewLabelWithStyle("Reports", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	chartTitle := widget.NewLabelWithStyle("Emails sent per month", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.box = container.NewBorder(container.NewVBox(heading, widget.NewLabel("Excel workbooks open in Excel, LibreOffice and Numbers."),
		buttons, segRow, s.progress, s.status),
		nil, nil, nil, container.NewBorder(chartTitle, nil, nil, nil, s.chart))
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
		var sh reportsShown
		segs, err := s.ui.store.Segments(ctx)
		if err != nil {
			return sh, err
		}
		for _, seg := range segs {
			sh.segments = append(sh.segments, seg.Name)
		}
		sh.stats, err = s.ui.store.CampaignMonthlyStats(ctx)
		return sh, err
	}, func(sh reportsShown, err error) {
		s.segment.Options = sh.segments
		s.segment.Refresh()
		if err != nil {
			s.status.SetText("Cannot read the results: " + errorText(err))
			return
		}
		s.chart.Objects = []fyne.CanvasObject{monthlyChart(sh.stats)}
		s.chart.Refresh()
	})
}

// monthlyChart draws sent (and failed) emails per month as bars.
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
	bars := container.NewHBox()
	const height = 220
	for _, m := range months {
		h := float32(height) * float32(sent[m]) / float32(peak)
		fh := float32(height) * float32(failed[m]) / float32(peak)
		bar := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
		bar.SetMinSize(fyne.NewSize(56, h))
		fail := canvas.NewRectangle(color.NRGBA{R: 0xd9, G: 0x53, B: 0x4f, A: 0xff})
		fail.SetMinSize(fyne.NewSize(56, fh))
		spacer := canvas.NewRectangle(color.Transparent)
		spacer.SetMinSize(fyne.NewSize(56, height-h-fh))
		count := canvas.NewText(fmt.Sprint(sent[m]), theme.Color(theme.ColorNameForeground))
		count.TextSize = 11
		label := canvas.NewText(m, theme.Color(theme.ColorNameForeground))
		label.TextSize = 11
		bars.Add(container.NewPadded(container.NewVBox(count, spacer, fail, bar, label)))
	}
	legend := widget.NewLabel("Bars: emails sent (red: failed or bounced), by month of sending.")
	return container.NewBorder(nil, legend, nil, nil, container.NewHScroll(bars))
}

func (s *reportsScreen) onExport(label, file string) {
	s.ui.chooseSaveFile(file, func(path string) { s.export(label, path) })
}

// export writes one workbook in the background.
func (s *reportsScreen) export(label, path string) {
	s.status.SetText("Writing " + shortPath(path) + "…")
	s.progress.SetValue(0)
	s.progress.Show()
	req := workflow.ExportRequest{Out: path}
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
	progress := func(done, total int) {
		s.ui.do(func() { s.progress.SetValue(float64(done) / float64(max(total, 1))) })
	}
	background(s.ui, func(ctx context.Context) (int, error) { return s.ui.work.Export(ctx, req, progress) },
		func(_ int, err error) {
			s.progress.Hide()
			if err != nil {
				s.status.SetText("Not written: " + errorText(err))
				return
			}
			s.status.SetText(label + " written to " + path)
		})
}
