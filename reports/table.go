package reports

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"kindly/data"
)

// table is one exported table of rows: an xlsx sheet, or a CSV file when
// the practice names the file .csv.
type table interface {
	add(values ...any) error
	// save finishes the file at the path it was made for; discard drops it.
	save() error
	discard()
}

// newTable starts the table for path: CSV when path ends in .csv,
// otherwise an xlsx workbook with one sheet.
func newTable(path, sheet string, cols []column, expectedRows int) (table, error) {
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		return newCSVTable(path, cols)
	}
	w, err := newSheetWriter(sheet, cols, expectedRows)
	if err != nil {
		return nil, err
	}
	return &sheetTable{w, path}, nil
}

type sheetTable struct {
	*sheetWriter
	path string
}

func (t *sheetTable) save() error { return t.sheetWriter.save(t.path) }
func (t *sheetTable) discard()    { t.f.Close() }

// csvTable writes the CSV that Excel on Windows opens as it is: UTF-8 with
// a byte order mark (without it Excel reads Windows-1252 and "Müller"
// comes out as "MÃ¼ller"), CRLF line ends, a comma between fields. It is
// written beside the target and moved over it when done, so a failed
// export never leaves half a file.
type csvTable struct {
	path string
	tmp  *os.File
	buf  *bufio.Writer
	w    *csv.Writer
}

func newCSVTable(path string, cols []column) (*csvTable, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".kindly-export-*.csv")
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	t := &csvTable{path: path, tmp: tmp, buf: bufio.NewWriterSize(tmp, 64<<10)}
	t.buf.WriteString("\uFEFF")
	t.w = csv.NewWriter(t.buf)
	t.w.UseCRLF = true
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = c.title
	}
	if err := t.add(head...); err != nil {
		t.discard()
		return nil, err
	}
	return t, nil
}

func (t *csvTable) add(values ...any) error {
	rec := make([]string, len(values))
	for i, v := range values {
		rec[i] = csvCell(v)
	}
	return t.w.Write(rec)
}

// csvCell is a value as CSV text. Dates are ISO dates, which every
// spreadsheet reads as dates. Text a spreadsheet would run as a formula
// ("=HYPERLINK(...)", "+1 555 0100", "@SUM") gets a leading apostrophe, as
// OWASP advises for CSV; Kindly's import takes it off again.
func csvCell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		if risky(v) {
			return "'" + v
		}
		return v
	case data.Date:
		if v.IsZero() {
			return ""
		}
		return v.String()
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.Format("2006-01-02")
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	default:
		return fmt.Sprint(v)
	}
}

func (t *csvTable) save() error {
	t.w.Flush()
	err := t.w.Error()
	if err == nil {
		err = t.buf.Flush()
	}
	if cerr := t.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(t.tmp.Name(), 0o600)
	}
	if err == nil {
		err = data.ReplaceFile(t.tmp.Name(), t.path)
	}
	if err != nil {
		os.Remove(t.tmp.Name())
		return fmt.Errorf("cannot write %s: %w", t.path, err)
	}
	return nil
}

func (t *csvTable) discard() {
	t.tmp.Close()
	os.Remove(t.tmp.Name())
}
