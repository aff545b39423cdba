// Package reports reads patients and visits from spreadsheets and writes
// exports and reports. It is the only package that knows excelize.
package reports

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Table is one sheet of a spreadsheet, read whole: rows of cell texts.
type Table struct {
	File   string
	Sheet  string
	Sheets []string // all sheets of the workbook (one for CSV)
	Rows   [][]string
	// RowsHint is how many rows the sheet says it has (0: it does not say);
	// it sizes progress bars before the rows are read.
	RowsHint int
	// Date1904 says the workbook counts its dates from 1904 (old Mac Excel),
	// not from 1900: the same serial number is another day.
	Date1904 bool
	// Encoding and Delimiter describe a CSV file as read.
	Encoding  string
	Delimiter rune
}

// ErrUnreadable wraps every "this file cannot be read" problem.
var ErrUnreadable = errors.New("cannot read the file")

func unreadable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnreadable, fmt.Sprintf(format, args...))
}

// ReadTable reads a .xlsx or .csv/.txt file; sheet "" means the first sheet.
func ReadTable(path, sheet string) (*Table, error) {
	var rows [][]string
	t, err := readTable(path, sheet, func(_ *Table, chunk [][]string) error {
		rows = append(rows, chunk...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	t.Rows = dropTrailingEmptyRows(rows)
	return t, nil
}

// dropTrailingEmptyRows cuts the empty rows (already trimmed by trimRow)
// off the end of a sheet.
func dropTrailingEmptyRows(rows [][]string) [][]string {
	for len(rows) > 0 && len(rows[len(rows)-1]) == 0 {
		rows = rows[:len(rows)-1]
	}
	return rows
}

// chunkRows is how many rows readTable hands over at a time.
const chunkRows = 1024

// readTable reads a sheet and hands its rows to emit in order, a chunk at
// a time, as they are read (trailing empty cells trimmed). The returned
// table describes the file; its Rows are left empty.
func readTable(path, sheet string, emit func(t *Table, rows [][]string) error) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, unreadable("%v", err)
	}
	defer f.Close()
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		return readXLSX(f, path, sheet, emit)
	case ".csv", ".txt", ".tsv":
		t, err := readCSV(f)
		if err != nil {
			return nil, err
		}
		t.File, t.RowsHint = path, len(t.Rows)
		rows := t.Rows
		t.Rows = nil
		for i := range rows {
			rows[i] = trimRow(rows[i])
		}
		for len(rows) > 0 && err == nil {
			n := min(len(rows), chunkRows)
			err = emit(t, rows[:n:n])
			rows = rows[n:]
		}
		return t, err
	case ".xls":
		return nil, unreadable("%s is an old Excel 97-2003 file (.xls); open it in Excel or LibreOffice and save it as .xlsx or CSV", filepath.Base(path))
	}
	return nil, unreadable("%s is not an .xlsx or .csv file", filepath.Base(path))
}

// oleSignature starts old .xls files and password-protected .xlsx files.
var oleSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

func readXLSX(r io.ReadSeeker, path, sheet string, emit func(t *Table, rows [][]string) error) (*Table, error) {
	head := make([]byte, 8)
	n, _ := io.ReadFull(r, head)
	if n == 0 {
		return nil, unreadable("%s is empty", filepath.Base(path))
	}
	if bytes.Equal(head[:n], oleSignature) {
		return nil, unreadable("%s is password-protected (or an old .xls file saved as .xlsx); save it again without a password", filepath.Base(path))
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, unreadable("%v", err)
	}
	// Raw values: dates arrive as serial numbers, which we read ourselves.
	wb, err := excelize.OpenReader(r, excelize.Options{RawCellValue: true})
	if err != nil {
		if errors.Is(err, excelize.ErrWorkbookPassword) {
			return nil, unreadable("%s is password-protected; save it again without a password", filepath.Base(path))
		}
		return nil, unreadable("%s is not a readable Excel workbook (it may be damaged): %v", filepath.Base(path), err)
	}
	defer wb.Close()
	t := &Table{File: path, Sheets: wb.GetSheetList()}
	if len(t.Sheets) == 0 {
		return nil, unreadable("%s has no sheets", filepath.Base(path))
	}
	if props, err := wb.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		t.Date1904 = *props.Date1904
	}
	t.Sheet = t.Sheets[0]
	if sheet != "" {
		found := false
		for _, s := range t.Sheets {
			if strings.EqualFold(s, sheet) {
				t.Sheet, found = s, true
			}
		}
		if !found {
			return nil, unreadable("there is no sheet %q in %s (sheets: %s)", sheet, filepath.Base(path), strings.Join(t.Sheets, ", "))
		}
	}
	if dim, err := wb.GetSheetDimension(t.Sheet); err == nil {
		if _, last, ok := strings.Cut(dim, ":"); ok {
			if _, n, err := excelize.CellNameToCoordinates(last); err == nil {
				t.RowsHint = n
			}
		}
	}
	rows, err := wb.Rows(t.Sheet)
	if err != nil {
		return nil, unreadable("cannot read sheet %q: %v", t.Sheet, err)
	}
	defer rows.Close()
	chunk := make([][]string, 0, chunkRows)
	for rows.Next() {
		cells, err := rows.Columns()
		if err != nil {
			return nil, unreadable("cannot read sheet %q: %v", t.Sheet, err)
		}
		if chunk = append(chunk, trimRow(cells)); len(chunk) == chunkRows {
			if err := emit(t, chunk); err != nil {
				return nil, err
			}
			chunk = make([][]string, 0, chunkRows)
		}
	}
	if err := rows.Error(); err != nil {
		return nil, unreadable("cannot read sheet %q: %v", t.Sheet, err)
	}
	if len(chunk) > 0 {
		if err := emit(t, chunk); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// readCSV decodes UTF-8 (with or without BOM), UTF-16 with BOM (Excel's
// "Unicode text") or Windows-1252, and guesses the delimiter.
func readCSV(r io.Reader) (*Table, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, unreadable("%v", err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, unreadable("the file is empty")
	}
	t := &Table{Sheet: "CSV", Sheets: []string{"CSV"}}
	var text []byte
	switch {
	case bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}):
		t.Encoding, text = "UTF-8", raw[3:]
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}), bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		t.Encoding = "UTF-16"
		text, _, err = transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder(), raw)
		if err != nil {
			return nil, unreadable("the file is not valid UTF-16: %v", err)
		}
	case utf8.Valid(raw):
		t.Encoding, text = "UTF-8", raw
	default:
		t.Encoding = "Windows-1252"
		text, _, err = transform.Bytes(charmap.Windows1252.NewDecoder(), raw)
		if err != nil {
			return nil, unreadable("%v", err)
		}
	}
	if bytes.IndexByte(text, 0) >= 0 {
		return nil, unreadable("the file looks binary, not like a CSV text file")
	}
	t.Delimiter = guessDelimiter(text)
	cr := csv.NewReader(bytes.NewReader(text))
	cr.Comma = t.Delimiter
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, unreadable("the CSV file is malformed: %v", err)
		}
		t.Rows = append(t.Rows, rec)
	}
	return t, nil
}

// guessDelimiter picks the character that splits the first lines most consistently.
func guessDelimiter(text []byte) rune {
	lines := strings.SplitN(string(text), "\n", 11)
	if len(lines) > 10 {
		lines = lines[:10]
	}
	best, bestScore := ',', -1
	for _, d := range []rune{',', ';', '\t', '|'} {
		score := 0
		for _, l := range lines {
			score += strings.Count(l, string(d))
		}
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// trimRow drops a row's trailing empty cells.
func trimRow(r []string) []string {
	end := len(r)
	for end > 0 && strings.TrimSpace(r[end-1]) == "" {
		end--
	}
	return r[:end]
}
