package reports

import (
	"context"
	"fmt"
	"sort"

	"github.com/xuri/excelize/v2"

	"kindly/data"
)

// CampaignReport writes a workbook with sent, failed, bounced, skipped and opted-out
// messages per campaign and month, and a column chart of them per month.
func CampaignReport(ctx context.Context, s *data.Store, path string) (int, error) {
	stats, err := s.CampaignMonthlyStats(ctx)
	if err != nil {
		return 0, err
	}
	f := excelize.NewFile()
	defer f.Close()
	const sheet, chartSheet = "Results", "Chart"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return 0, err
	}
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBE7"}}})
	text, _ := f.NewStyle(&excelize.Style{NumFmt: 49})
	titles := []string{"Campaign", "Month", "Sent", "Failed", "Bounced", "Skipped", "of them opted out"}
	widths := []float64{30, 10, 10, 10, 10, 10, 18}
	for i, t := range titles {
		c := cellName(i+1, 1)
		f.SetCellValue(sheet, c, t)
		f.SetCellStyle(sheet, c, c, head)
		col, _ := excelize.ColumnNumberToName(i + 1)
		f.SetColWidth(sheet, col, col, widths[i])
	}
	for i, m := range stats {
		r := i + 2
		f.SetCellValue(sheet, cellName(1, r), m.Campaign)
		if risky(m.Campaign) {
			f.SetCellStyle(sheet, cellName(1, r), cellName(1, r), text)
		}
		f.SetCellValue(sheet, cellName(2, r), m.Month)
		for j, v := range []int{m.Sent, m.Failed, m.Bounced, m.Skipped, m.OptedOut} {
			f.SetCellValue(sheet, cellName(3+j, r), v)
		}
	}
	last := max(len(stats)+1, 2)
	f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	f.AutoFilter(sheet, "A1:G"+fmt.Sprint(last), nil)

	// Per month over all campaigns, for the chart.
	months := map[string][5]int{}
	var order []string
	for _, m := range stats {
		t, ok := months[m.Month]
		if !ok {
			order = append(order, m.Month)
		}
		t[0] += m.Sent
		t[1] += m.Failed
		t[2] += m.Bounced
		t[3] += m.Skipped
		t[4] += m.OptedOut
		months[m.Month] = t
	}
	sort.Strings(order)
	if _, err := f.NewSheet(chartSheet); err != nil {
		return 0, err
	}
	for i, t := range []string{"Month", "Sent", "Failed", "Bounced", "Skipped", "of them opted out"} {
		f.SetCellValue(chartSheet, cellName(i+1, 1), t)
		f.SetCellStyle(chartSheet, cellName(i+1, 1), cellName(i+1, 1), head)
	}
	for i, mo := range order {
		f.SetCellValue(chartSheet, cellName(1, i+2), mo)
		for j, v := range months[mo] {
			f.SetCellValue(chartSheet, cellName(2+j, i+2), v)
		}
	}
	rows := max(len(order)+1, 2)
	var series []excelize.ChartSeries
	for j := range 5 {
		col, _ := excelize.ColumnNumberToName(2 + j)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$%s$1", chartSheet, col),
			Categories: fmt.Sprintf("%s!$A$2:$A$%d", chartSheet, rows),
			Values:     fmt.Sprintf("%s!$%s$2:$%s$%d", chartSheet, col, col, rows),
		})
	}
	err = f.AddChart(chartSheet, "G2", &excelize.Chart{
		Type:   excelize.Col,
		Series: series,
		Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Emails per month"}}},
		Legend: excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{
			Width: 720, Height: 360,
		},
	})
	if err != nil {
		return 0, fmt.Errorf("cannot draw the chart: %w", err)
	}
	return len(stats), saveAtomic(f, path)
}
