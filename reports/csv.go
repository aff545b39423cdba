package reports

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// readCSV streams a CSV or tab-separated text file: UTF-8 (with or without
// BOM), UTF-16 with BOM (Excel's "Unicode text") or Windows-1252, the
// delimiter guessed. Row numbers are the file's as a spreadsheet shows it:
// blank lines count.
func readCSV(f *os.File, path string, emit func(t *Table, rows [][]string) error) (*Table, error) {
	name := filepath.Base(path)
	info, err := f.Stat()
	if err != nil {
		return nil, unreadable("%v", err)
	}
	if info.Size() > maxFileSize {
		return nil, unreadable("%s is %d MB, more than Kindly reads (%d MB): split it, or save only the patient list", name, info.Size()>>20, maxFileSize>>20)
	}
	br := bufio.NewReaderSize(f, 64<<10)
	sample, _ := br.Peek(64 << 10)
	if len(bytes.TrimSpace(sample)) == 0 {
		return nil, unreadable("the file is empty")
	}
	t := &Table{File: path, Sheet: "CSV", Sheets: []string{"CSV"}}
	lines := &lineDecoder{}
	switch {
	case bytes.HasPrefix(sample, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
		t.Encoding, lines.src = "UTF-8", br
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}), bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
		t.Encoding = "UTF-16"
		lines.src = bufio.NewReader(transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()))
	default:
		if bytes.IndexByte(sample, 0) >= 0 {
			return nil, unreadable("the file looks binary, not like a CSV text file")
		}
		t.Encoding, lines.src = "UTF-8", br
		if good, bad := utf8Evidence(sample); bad > 0 && good == 0 {
			t.Encoding, lines.all1252 = "Windows-1252", true
		}
	}
	// The delimiter, from the first lines.
	var head bytes.Buffer
	for i := 0; i < 10; i++ {
		l, err := lines.readLine()
		head.Write(l)
		var long lineTooLong
		if errors.As(err, &long) {
			return nil, unreadable("%s: %v: is it a patient list?", name, long)
		}
		if err != nil {
			lines.err = err
			break
		}
	}
	t.Delimiter = guessDelimiter(head.Bytes())
	if avg := head.Len() / max(bytes.Count(head.Bytes(), []byte("\n")), 1); avg > 0 {
		t.RowsHint = int(info.Size()) / avg
	}
	cr := newCSVRecords(io.MultiReader(bytes.NewReader(head.Bytes()), lines), t.Delimiter)
	t.RowNotes = &rowNotes{}
	rows := newChunker(t, name, emit)
	var spans, strays []int // rows (1-based) with a cell over several lines, with a stray quote
	for {
		rec, err := cr.next()
		if err == io.EOF {
			break
		}
		var long lineTooLong
		if errors.As(err, &long) {
			return nil, unreadable("%s: %v: is it a patient list?", name, long)
		}
		if err != nil {
			return nil, unreadable("the CSV file cannot be read: %v", err)
		}
		row := rows.n // 0-based, as the sheet's rows
		switch {
		case rec.endLine > rec.startLine:
			spans = append(spans, row+1)
			t.RowNotes.add(row, fmt.Sprintf("a quoted cell runs over lines %d-%d of the file: check that it holds one patient's details", rec.startLine, rec.endLine))
		case rec.stray || rec.unclosed:
			strays = append(strays, row+1)
			t.RowNotes.add(row, "a cell has a quote that does not close where the cell ends: read as text up to the next separator; check its spelling")
		}
		if err := rows.add(unquoteFormulas(trimRow(rec.fields))); err != nil {
			return nil, err
		}
	}
	if err := rows.flush(); err != nil {
		return nil, err
	}
	if len(spans) > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%s a quoted cell over several lines of the file (rows %s): check that each holds one patient.",
			rowsHave(len(spans)), numberList(spans)))
	}
	if len(strays) > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%s a stray quote, read as text up to the next separator (rows %s): no row was merged with the next.",
			rowsHave(len(strays)), numberList(strays)))
	}
	if n := len(lines.other); n > 0 {
		msg := fmt.Sprintf("Line %d was not UTF-8 like the rest of the file and was read as Windows-1252: check its accents.", lines.other[0])
		if n > 1 {
			msg = fmt.Sprintf("%d lines were not UTF-8 like the rest of the file and were read as Windows-1252 (lines %s): check their accents.",
				n, numberList(lines.other))
		}
		t.Notes = append(t.Notes, msg)
	}
	return t, nil
}

func rowsHave(n int) string {
	if n == 1 {
		return "1 row has"
	}
	return fmt.Sprintf("%d rows have", n)
}

// unquoteFormulas takes off the apostrophe a CSV export (Kindly's own,
// and others following OWASP's advice) puts before text that starts like
// a formula: "'+1 555 0100" is the phone number "+1 555 0100".
func unquoteFormulas(rec []string) []string {
	for i, v := range rec {
		if len(v) > 1 && v[0] == '\'' && risky(v[1:]) {
			rec[i] = v[1:]
		}
	}
	return rec
}

// utf8Evidence counts a sample's multi-byte UTF-8 characters (good) and
// bytes that are not UTF-8 (bad), to tell UTF-8 from Windows-1252.
func utf8Evidence(b []byte) (good, bad int) {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size == 1:
			if len(b) >= utf8.UTFMax || utf8.FullRune(b) {
				bad++
			}
		case size > 1:
			good++
		}
		b = b[size:]
	}
	return good, bad
}

// lineDecoder hands out a text file line by line as UTF-8: a line that is
// not UTF-8 is read as Windows-1252 (and its number kept), so one odd line
// does not turn a whole file's accents into "MÃ¼ller".
type lineDecoder struct {
	src     *bufio.Reader
	all1252 bool  // the whole file is Windows-1252
	line    int   // lines read
	other   []int // lines read as Windows-1252 in a UTF-8 file
	buf     []byte
	err     error
}

// maxLine is the longest line read: far more than a row of patient
// details, far less than a file of nothing but commas, whose one line
// would become millions of empty cells.
const maxLine = 1 << 20

// lineTooLong is the error of a line longer than maxLine.
type lineTooLong struct{ line int }

func (e lineTooLong) Error() string {
	return fmt.Sprintf("line %d is longer than %d KB, more than a row of patient details", e.line, maxLine>>10)
}

func (d *lineDecoder) readLine() ([]byte, error) {
	var l []byte
	var err error
	for {
		var frag []byte
		frag, err = d.src.ReadSlice('\n')
		l = append(l, frag...)
		if len(l) > maxLine {
			return nil, lineTooLong{d.line + 1}
		}
		if err != bufio.ErrBufferFull {
			break
		}
	}
	if len(l) == 0 {
		return nil, err
	}
	d.line++
	if d.all1252 || !utf8.Valid(l) {
		if !d.all1252 {
			d.other = append(d.other, d.line)
		}
		if dec, _, derr := transform.Bytes(charmap.Windows1252.NewDecoder(), l); derr == nil {
			l = dec
		}
	}
	return l, err
}

func (d *lineDecoder) Read(p []byte) (int, error) {
	for len(d.buf) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		d.buf, d.err = d.readLine()
	}
	n := copy(p, d.buf)
	d.buf = d.buf[n:]
	return n, nil
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
