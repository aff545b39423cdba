package reports

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"sync"
)

// csvRecord is one row of a CSV file as read, with where it lay in the file
// and what was odd about it.
type csvRecord struct {
	fields             []string // nil for a blank line
	startLine, endLine int      // 1-based lines of the file
	// stray: a quote closed before its cell ended ("Jack" John): the rest
	// was read as text up to the next separator, as Excel and Python do.
	stray bool
	// unclosed: a quote never closed within maxQuotedLines lines: the cell
	// was read as text to the end of its line, and the lines below stay rows.
	unclosed bool
}

// maxQuotedLines is how many lines one quoted cell may span: an address or
// a note over a few lines, never a stray quote swallowing the patients
// below it.
const maxQuotedLines = 12

// csvRecords reads CSV records the way Excel and Python's csv module read
// them - never merging rows on a stray quote - from text that is UTF-8.
type csvRecords struct {
	r       *bufio.Reader
	comma   rune
	line    int    // the last line started
	pending []rune // text to read again before r (after an unclosed quote)
}

func newCSVRecords(r io.Reader, comma rune) *csvRecords {
	return &csvRecords{r: bufio.NewReaderSize(r, 64<<10), comma: comma}
}

func (c *csvRecords) readRune() (rune, error) {
	if len(c.pending) > 0 {
		r := c.pending[0]
		c.pending = c.pending[1:]
		return r, nil
	}
	r, _, err := c.r.ReadRune()
	return r, err
}

func (c *csvRecords) unread(r rune) { c.pending = append([]rune{r}, c.pending...) }

// next reads the next record; io.EOF after the last.
func (c *csvRecords) next() (csvRecord, error) {
	rec := csvRecord{startLine: c.line + 1}
	var field strings.Builder
	fieldStart := true // at the start of a cell
	any := false       // the line had anything at all
	end := func() (csvRecord, error) {
		c.line++
		rec.endLine = c.line
		if any {
			rec.fields = append(rec.fields, field.String())
		}
		return rec, nil
	}
	for {
		r, err := c.readRune()
		if errors.Is(err, io.EOF) {
			if !any && len(rec.fields) == 0 {
				return rec, io.EOF
			}
			return end()
		}
		if err != nil {
			return rec, err
		}
		switch {
		case r == '\r':
			if n, err := c.readRune(); err == nil && n != '\n' {
				c.unread(n)
			}
			return end()
		case r == '\n':
			return end()
		case r == c.comma:
			any = true
			rec.fields = append(rec.fields, field.String())
			field.Reset()
			fieldStart = true
		case r == '"' && fieldStart:
			any = true
			fieldStart = false
			if err := c.quoted(&field, &rec); err != nil {
				return rec, err
			}
		default:
			any = true
			fieldStart = false
			field.WriteRune(r)
		}
	}
}

// quoted reads a quoted cell after its opening quote, into field.
func (c *csvRecords) quoted(field *strings.Builder, rec *csvRecord) error {
	var raw []rune // the cell as written, for reading it again as text
	lines := 0
	for {
		r, err := c.readRune()
		if errors.Is(err, io.EOF) {
			return c.unclosedCell(field, raw, rec)
		}
		if err != nil {
			return err
		}
		raw = append(raw, r)
		if r == '"' {
			n, err := c.readRune()
			if err == nil && n == '"' { // "" is a quote inside the cell
				raw = append(raw, n)
				field.WriteRune('"')
				continue
			}
			if err == nil {
				c.unread(n)
			}
			break
		}
		if r == '\n' {
			if lines++; lines >= maxQuotedLines {
				return c.unclosedCell(field, raw, rec)
			}
		}
		field.WriteRune(r)
	}
	c.line += lines
	// After the closing quote: text up to the separator belongs to the cell.
	for {
		r, err := c.readRune()
		if err != nil {
			return nil // io.EOF: the record ends; next() sees it again
		}
		if r == c.comma || r == '\n' || r == '\r' {
			c.unread(r)
			return nil
		}
		rec.stray = true
		field.WriteRune(r)
	}
}

// unclosedCell reads a quote that never closed as a literal quote: the
// cell is its text up to the end of its line, and what followed is read
// again as the rows it is.
func (c *csvRecords) unclosedCell(field *strings.Builder, raw []rune, rec *csvRecord) error {
	rec.unclosed = true
	field.Reset()
	field.WriteRune('"')
	for i, r := range raw {
		if r == '\n' || r == '\r' {
			c.pending = append(append([]rune{}, raw[i:]...), c.pending...)
			return nil
		}
		if r == c.comma {
			c.pending = append(append([]rune{}, raw[i:]...), c.pending...)
			return nil
		}
		field.WriteRune(r)
	}
	return nil
}

// rowNotes are what reading a file found about single rows (0-based row
// index -> what to check), for the import to flag those rows. Shared by
// the copies of a Table.
type rowNotes struct {
	mu    sync.Mutex
	notes map[int][]string
}

func (n *rowNotes) add(row int, note string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.notes == nil {
		n.notes = map[int][]string{}
	}
	n.notes[row] = append(n.notes[row], note)
}

// of is what was found about row (nil: nothing, also for a nil rowNotes).
func (n *rowNotes) of(row int) []string {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.notes[row]
}
