// Package reports reads patients and visits from spreadsheets and writes
// exports and reports. It is the only package that knows excelize.
package reports

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Table is one sheet of a spreadsheet, read whole: rows of cell texts.
type Table struct {
	File   string
	Sheet  string
	Sheets []string // all sheets of the workbook (one for CSV)
	Rows   [][]string
	// Hidden says which columns the sheet hides (xlsx only).
	Hidden []bool
	// RowsHint is how many rows the sheet says it has (0: it does not say);
	// it sizes progress bars before the rows are read.
	RowsHint int
	// Date1904 says the workbook counts its dates from 1904 (old Mac Excel),
	// not from 1900: the same serial number is another day.
	Date1904 bool
	// Encoding and Delimiter describe a CSV file as read.
	Encoding  string
	Delimiter rune
	// Notes are what reading the file found for the practice to know: the
	// sheet chosen, lines in another encoding.
	Notes []string
	// RowNotes are what reading the file found about single rows (a cell
	// over several lines, a stray quote): the import flags those rows.
	RowNotes *rowNotes
}

// ErrUnreadable wraps every "this file cannot be read" problem.
var ErrUnreadable = errors.New("cannot read the file")

func unreadable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnreadable, fmt.Sprintf(format, args...))
}

// The bounds of what Kindly reads: a practice's list is 500 to 20,000
// patients; beyond these a file is refused at once, in plain words, before
// it costs the computer its memory.
const (
	maxRows       = 500_000
	maxColumns    = 250
	maxCell       = 32_767           // Excel's own limit of a cell's text
	maxSheetXML   = 600 << 20        // a sheet's XML, unzipped
	maxUnzipped   = 1 << 30          // the whole workbook, unzipped
	maxFileSize   = 300 << 20        // a CSV file
	staleTempFile = 30 * time.Minute // excelize's temp files older than this are leftovers
)

// ReadTable reads a .xlsx or .csv/.txt file whole; sheet "" picks the sheet
// that looks most like a list of patients or visits.
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
		return nil, openWords(path, err)
	}
	defer f.Close()
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		return readXLSX(f, path, sheet, emit)
	case ".csv", ".txt", ".tsv":
		return readCSV(f, path, emit)
	case ".xls":
		return nil, unreadable("%s is an old Excel 97-2003 file (.xls); open it in Excel or LibreOffice and save it as .xlsx or CSV", filepath.Base(path))
	}
	return nil, unreadable("%s is not an .xlsx or .csv file", filepath.Base(path))
}

// openWords says in plain words why a file cannot be opened.
func openWords(path string, err error) error {
	name := filepath.Base(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return unreadable("there is no file %s in %s: check the name and the folder", name, filepath.Dir(path))
	case errors.Is(err, fs.ErrPermission):
		return unreadable("Kindly is not allowed to read %s: copy it to your Documents folder and import the copy", name)
	}
	return unreadable("%s cannot be opened: %v", name, err)
}

// damageWords says what is wrong with a damaged part of a workbook.
func damageWords(err error) string {
	var corrupt flate.CorruptInputError
	switch {
	case errors.As(err, &corrupt), errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrFormat), errors.Is(err, io.ErrUnexpectedEOF):
		return "the file is cut short or its packed data is broken"
	}
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		return "its sheet data is broken"
	}
	return err.Error()
}

// oleSignature starts old .xls files and password-protected .xlsx files.
var oleSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// tempDir is where excelize may spill big sheets while writing: Kindly's
// own folder, owner-only, whose leftovers (a killed export's rows -
// patient data) are removed the next time.
func tempDir() string {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("kindly-%d", os.Getuid()))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	os.Chmod(dir, 0o700)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTempFile {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return dir
}

func readXLSX(f *os.File, path, sheet string, emit func(t *Table, rows [][]string) error) (*Table, error) {
	name := filepath.Base(path)
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	if n == 0 {
		return nil, unreadable("%s is empty", name)
	}
	if bytes.Equal(head[:n], oleSignature) {
		return nil, unreadable("%s is password-protected (or an old .xls file saved as .xlsx); save it again without a password", name)
	}
	book, err := openBook(f)
	if err != nil {
		return nil, unreadable("%s is not a readable Excel workbook (it may be damaged): %v", name, err)
	}
	if err := book.checkSize(name); err != nil {
		return nil, err
	}
	sst, err := book.sharedStrings()
	if err != nil {
		return nil, unreadable("%s is not a readable Excel workbook (its text cannot be read, it may be damaged): %v", name, err)
	}
	t := &Table{File: path, Sheets: book.names, Date1904: book.date1904}
	if len(t.Sheets) == 0 {
		return nil, unreadable("%s has no sheets", name)
	}
	if t.Sheet, err = chooseSheet(book, sst, t.Sheets, sheet, name); err != nil {
		return nil, err
	}
	if sheet == "" && len(t.Sheets) > 1 {
		var others []string
		for _, s := range t.Sheets {
			if s != t.Sheet {
				others = append(others, s)
			}
		}
		t.Notes = append(t.Notes, fmt.Sprintf("Read the sheet %q, which looks most like a list (the file also has: %s).", t.Sheet, strings.Join(others, ", ")))
	}
	dim, hidden := book.sheetHead(t.Sheet)
	t.Hidden = hidden
	if _, last, ok := strings.Cut(dim, ":"); ok {
		if cols, n := columnOf(last), rowOf(last); n > 0 {
			if n > maxRows {
				return nil, tooMany(name, n, "rows", maxRows)
			}
			if cols > maxColumns && n > 1 {
				return nil, tooMany(name, cols, "columns", maxColumns)
			}
			t.RowsHint = n
		}
	}
	if n := book.rowCount(t.Sheet); n > maxRows {
		return nil, tooMany(name, n, "rows", maxRows)
	} else if n > 0 && t.RowsHint == 0 {
		t.RowsHint = n
	}
	rows := newChunker(t, name, emit)
	err = book.sheetRows(t.Sheet, sst, func(cells []string) error { return rows.add(trimRow(cells)) })
	switch {
	case errors.Is(err, errTooManyRows):
		return nil, tooMany(name, maxRows+1, "rows", maxRows)
	case errors.Is(err, errTooManyColumns):
		return nil, unreadable("%s: row %d has more columns than Kindly reads (at most %d): is it a patient list?", name, rows.n+1, maxColumns)
	case errors.Is(err, ErrUnreadable):
		return nil, err
	case err != nil && ctxOrEmitError(err):
		return nil, err
	case err != nil:
		return nil, unreadable("%s is damaged: sheet %q cannot be read past row %d (%s). Open it in Excel or LibreOffice and save it again, or export it again from the practice system",
			name, t.Sheet, rows.n, damageWords(err))
	}
	return t, rows.flush()
}

// chunker hands a file's rows to emit a chunk at a time, each row checked
// against the bounds.
type chunker struct {
	t     *Table
	file  string
	emit  func(t *Table, rows [][]string) error
	chunk [][]string
	n     int // rows handed out
}

func newChunker(t *Table, file string, emit func(t *Table, rows [][]string) error) *chunker {
	return &chunker{t: t, file: file, emit: emit, chunk: make([][]string, 0, chunkRows)}
}

func (c *chunker) add(cells []string) error {
	c.n++
	if err := checkRow(c.file, c.n, cells); err != nil {
		return err
	}
	if c.chunk = append(c.chunk, cells); len(c.chunk) == chunkRows {
		return c.flush()
	}
	return nil
}

// flush hands over the rows not handed over yet.
func (c *chunker) flush() error {
	if len(c.chunk) == 0 {
		return nil
	}
	err := c.emit(c.t, c.chunk)
	c.chunk = make([][]string, 0, chunkRows)
	return err
}

// ctxOrEmitError says an error came from the reader's consumer (the import
// was cancelled), not from the file.
func ctxOrEmitError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// rowOf is the row of a cell reference ("C7" is 7); 0 when it has none.
func rowOf(ref string) int {
	i := strings.IndexFunc(ref, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 0 {
		return 0
	}
	n, err := strconv.Atoi(ref[i:])
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// chooseSheet is the sheet asked for, or - when none is - the one whose
// first rows name the most fields a patient or visit import reads.
func chooseSheet(b *book, sst []string, sheets []string, asked, file string) (string, error) {
	if asked != "" {
		for _, s := range sheets {
			if strings.EqualFold(s, asked) {
				return s, nil
			}
		}
		return "", unreadable("there is no sheet %q in %s (sheets: %s)", asked, file, strings.Join(sheets, ", "))
	}
	if len(sheets) == 1 {
		return sheets[0], nil
	}
	fields := append(append([]Field{}, patientFields...), FieldVisitDate, FieldService)
	best, bestScore := sheets[0], -1
	for _, s := range sheets {
		var head [][]string
		b.sheetRows(s, sst, func(cells []string) error {
			if head = append(head, cells); len(head) == headerSearchRows {
				return errStop
			}
			return nil
		})
		if score := bestHeaderScore(head, fields); score > bestScore {
			best, bestScore = s, score
		}
	}
	return best, nil
}

// tooMany refuses a file with more rows or columns than a patient list has.
func tooMany(file string, n int, what string, most int) error {
	if what == "rows" {
		return unreadable("%s has more than %d rows, more than Kindly reads: split it, or save only the patient list", file, most)
	}
	return unreadable("%s has %d %s, more than Kindly reads (at most %d): split it, or save only the patient list", file, n, what, most)
}

// checkRow refuses rows beyond the bounds.
func checkRow(file string, n int, cells []string) error {
	if n > maxRows {
		return tooMany(file, n, "rows", maxRows)
	}
	if len(cells) > maxColumns {
		return unreadable("%s: row %d has %d columns, more than Kindly reads (at most %d): is it a patient list?", file, n, len(cells), maxColumns)
	}
	for i, c := range cells {
		if len(c) > maxCell {
			return unreadable("%s: the cell in row %d, column %d holds %d characters, more than a spreadsheet cell can (%d)", file, n, i+1, len(c), maxCell)
		}
	}
	return nil
}

// trimRow drops a row's trailing empty cells.
func trimRow(r []string) []string {
	end := len(r)
	for end > 0 && strings.TrimSpace(r[end-1]) == "" {
		end--
	}
	return r[:end]
}
