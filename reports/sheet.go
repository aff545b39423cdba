package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"kindly/data"
)

// column is one column of an exported sheet.
type column struct {
	title string
	width float64
}

// sheetWriter streams one sheet of rows to an xlsx file: frozen header,
// autofilter, set widths, real dates, and no cell a spreadsheet would run.
type sheetWriter struct {
	f         *excelize.File
	sw        *excelize.StreamWriter
	sheet     string
	cols      []column
	row       int
	dateStyle int
	textStyle int
	headStyle int
}

func newSheetWriter(sheet string, cols []column, expectedRows int) (*sheetWriter, error) {
	f := excelize.NewFile(excelize.Options{TmpDir: tempDir()}) // a big sheet spills to a file: Kindly's own folder
	w := &sheetWriter{f: f, sheet: sheet, cols: cols}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, err
	}
	// The dimension up front lets readers size the sheet before streaming it.
	if err := f.SetSheetDimension(sheet, "A1:"+cellName(len(cols), expectedRows+1)); err != nil {
		f.Close()
		return nil, err
	}
	var err error
	dateFmt := "yyyy-mm-dd"
	if w.dateStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		f.Close()
		return nil, err
	}
	// Text format: Excel keeps the cell text even when someone edits it.
	if w.textStyle, err = f.NewStyle(&excelize.Style{NumFmt: 49}); err != nil {
		f.Close()
		return nil, err
	}
	if w.headStyle, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBE7"}}}); err != nil {
		f.Close()
		return nil, err
	}
	// The filter goes on before streaming: the stream writer keeps it,
	// while the sheet cannot be changed once streamed.
	if err := f.AutoFilter(sheet, "A1:"+cellName(len(cols), max(expectedRows+1, 2)), nil); err != nil {
		f.Close()
		return nil, err
	}
	if w.sw, err = f.NewStreamWriter(sheet); err != nil {
		f.Close()
		return nil, err
	}
	for i, c := range cols {
		if err := w.sw.SetColWidth(i+1, i+1, c.width); err != nil {
			f.Close()
			return nil, err
		}
	}
	if err := w.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		f.Close()
		return nil, err
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: w.headStyle, Value: c.title}
	}
	if err := w.sw.SetRow("A1", head); err != nil {
		f.Close()
		return nil, err
	}
	w.row = 1
	return w, nil
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// risky says whether a spreadsheet could take the text for a formula.
func risky(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// add writes one row. Strings that start like a formula are written as
// text-formatted text; dates as dates; zero dates as empty cells.
func (w *sheetWriter) add(values ...any) error {
	w.row++
	cells := make([]any, len(values))
	for i, v := range values {
		switch v := v.(type) {
		case string:
			if risky(v) {
				cells[i] = excelize.Cell{StyleID: w.textStyle, Value: v}
			} else {
				cells[i] = v
			}
		case data.Date:
			if v.IsZero() {
				cells[i] = nil
			} else {
				cells[i] = excelize.Cell{StyleID: w.dateStyle, Value: v.Time(time.UTC)}
			}
		case time.Time:
			if v.IsZero() {
				cells[i] = nil
			} else {
				cells[i] = excelize.Cell{StyleID: w.dateStyle, Value: v}
			}
		default:
			cells[i] = v
		}
	}
	return w.sw.SetRow(cellName(1, w.row), cells)
}

// save finishes the sheet and writes it to path via a temporary file, so
// a failed export never leaves half a file behind.
func (w *sheetWriter) save(path string) (err error) {
	defer w.f.Close()
	if err := w.sw.Flush(); err != nil {
		return err
	}
	return saveAtomic(w.f, path)
}

func saveAtomic(f *excelize.File, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".kindly-export-*.xlsx")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	name := tmp.Name()
	defer os.Remove(name)
	if err := f.Write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(name, 0o600); err != nil {
		return err
	}
	return data.ReplaceFile(name, path)
}
