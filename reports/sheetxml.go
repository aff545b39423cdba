package reports

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Kindly reads the cells of a workbook it imports straight from the
// sheet's XML, with the shared strings held as plain strings. excelize's
// reader (used to write every workbook) keeps each shared string in
// several structures and decodes every cell by reflection: for 100,000
// patients it peaks near 200 MB and takes twice as long. The values are
// excelize's raw cell values - a test reads every workbook in testdata
// both ways and compares them cell by cell.

// errStop ends a read early: enough rows were seen.
var errStop = errors.New("stop reading")

// sharedStrings reads the workbook's table of shared strings: the text of
// each item, its runs of rich text joined, phonetic hints left out.
func (b *book) sharedStrings() ([]string, error) {
	f := b.file(b.sstPart)
	if f == nil {
		return nil, nil
	}
	r, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	dec := xml.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	var out []string
	var text strings.Builder
	inItem, inText, phonetic := false, false, 0
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "sst":
				if n, err := strconv.Atoi(attr(t, "uniqueCount")); err == nil && n > 0 {
					out = make([]string, 0, min(n, maxRows*4))
				}
			case "si":
				inItem = true
				text.Reset()
			case "rPh":
				phonetic++
			case "t":
				inText = inItem && phonetic == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				out = append(out, unescapeOOXML(text.String()))
				inItem = false
			case "rPh":
				phonetic--
			case "t":
				inText = false
			}
		case xml.CharData:
			if inText {
				text.Write(t)
			}
		}
	}
}

// sheetRows hands a sheet's rows to fn in order, as cell texts; rows the
// sheet skips come as empty rows, as a spreadsheet shows them. fn may
// return errStop to end the read.
func (b *book) sheetRows(sheet string, sst []string, fn func(cells []string) error) error {
	f := b.sheet(sheet)
	if f == nil {
		return errors.New("the sheet's part is missing from the workbook")
	}
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	dec := xml.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	var (
		row                []string
		rowNum             int // the row being read (1-based)
		emitted            int // rows handed to fn
		col                int // the cell's column (1-based)
		kind               string
		value, inline      strings.Builder
		inValue, inInline  bool
		inText, hasFormula bool
		hasInline          bool
		phonetic           int
	)
	emit := func() error {
		for emitted+1 < rowNum { // skipped rows
			emitted++
			if emitted > maxRows {
				return errTooManyRows
			}
			if err := fn(nil); err != nil {
				return err
			}
		}
		emitted++
		if emitted > maxRows {
			return errTooManyRows
		}
		cells := row
		row = nil
		return fn(cells)
	}
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				rowNum++
				if n, err := strconv.Atoi(attr(t, "r")); err == nil && n > rowNum {
					rowNum = n
				}
				if rowNum > maxRows {
					return errTooManyRows
				}
				row, col = nil, 0
			case "c":
				col++
				if ref := attr(t, "r"); ref != "" {
					if col = columnOf(ref); col <= 0 || rowOf(ref) <= 0 {
						return fmt.Errorf("a cell has the reference %q, which no spreadsheet cell has", ref)
					}
				}
				if col > maxColumns*4 {
					return errTooManyColumns
				}
				kind = attr(t, "t")
				value.Reset()
				inline.Reset()
				hasFormula, hasInline = false, false
			case "v":
				inValue = true
			case "f":
				hasFormula = true
			case "is":
				inInline, hasInline = true, true
			case "rPh":
				phonetic++
			case "t":
				inText = inInline && phonetic == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "c":
				v := cellValue(kind, value.String(), inline.String(), hasInline, sst)
				if v != "" || hasFormula {
					for len(row) < col-1 {
						row = append(row, "")
					}
					row = append(row, v)
				}
			case "v":
				inValue = false
			case "is":
				inInline = false
			case "rPh":
				phonetic--
			case "t":
				inText = false
			case "row":
				if err := emit(); err != nil {
					return err
				}
			case "sheetData":
				return nil
			}
		case xml.CharData:
			switch {
			case inValue:
				value.Write(t)
			case inText:
				inline.Write(t)
			}
		}
	}
}

var (
	errTooManyRows    = errors.New("too many rows")
	errTooManyColumns = errors.New("too many columns")
)

// cellValue is a cell's text as excelize gives it raw: shared and inline
// strings resolved, numbers, dates and booleans as stored.
func cellValue(kind, v, inline string, hasInline bool, sst []string) string {
	switch kind {
	case "s":
		if v == "" {
			return ""
		}
		if i, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && i >= 0 && i < len(sst) {
			return sst[i]
		}
		return ""
	case "inlineStr":
		if hasInline {
			return unescapeOOXML(inline)
		}
	}
	return v
}

// columnOf is the column of a cell reference ("C7" is 3); 0 when it does
// not start with one to three letters.
func columnOf(ref string) int {
	col := 0
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c >= 'A' && c <= 'Z':
			col = col*26 + int(c-'A'+1)
		case c >= 'a' && c <= 'z':
			col = col*26 + int(c-'a'+1)
		case i == 0 || i > 3:
			return 0
		default:
			return col
		}
	}
	if len(ref) > 3 {
		return 0
	}
	return col
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// unescapeOOXML undoes the escapes Office writes for characters XML cannot
// hold: _x000D_ is a carriage return, _x005F_ an underscore that would
// otherwise start one.
func unescapeOOXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var out strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 32); err == nil {
				out.WriteRune(rune(n))
				i += 7
				continue
			}
		}
		out.WriteByte(s[i])
		i++
	}
	return out.String()
}
