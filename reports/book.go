package reports

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"
)

// book is an xlsx file's package, looked into before excelize reads it:
// the sizes its parts unzip to, and what excelize does not say cheaply
// (which columns a sheet hides).
type book struct {
	zr       *zip.Reader
	names    []string          // the sheets, in the workbook's order
	sheets   map[string]string // sheet name -> XML part
	sstPart  string            // the shared strings' part
	date1904 bool              // dates count from 1904 (old Mac Excel)
}

func openBook(f *os.File) (*book, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, info.Size())
	if err != nil {
		return nil, err
	}
	b := &book{zr: zr, sheets: map[string]string{}}
	// workbook.xml names the sheets by relationship id; its .rels file maps
	// the ids to parts.
	// (Names are matched without their namespace: "strict" workbooks use
	// other namespaces for the same elements.)
	var wbx struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := b.decode("xl/workbook.xml", &wbx); err != nil {
		return nil, fmt.Errorf("its list of sheets cannot be read: %w", err)
	}
	if err := b.decode("xl/_rels/workbook.xml.rels", &rels); err != nil {
		return nil, fmt.Errorf("its list of parts cannot be read: %w", err)
	}
	targets := map[string]string{}
	for _, r := range rels.Rels {
		t := strings.TrimPrefix(r.Target, "/")
		if !strings.HasPrefix(t, "xl/") {
			t = path.Join("xl", t)
		}
		targets[r.ID] = t
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			b.sstPart = t
		}
	}
	for _, s := range wbx.Sheets {
		b.names = append(b.names, s.Name)
		b.sheets[s.Name] = targets[s.RID]
	}
	b.date1904 = wbx.Pr.Date1904 == "1" || wbx.Pr.Date1904 == "true"
	return b, nil
}

func (b *book) file(name string) *zip.File {
	for _, f := range b.zr.File {
		if strings.EqualFold(f.Name, name) {
			return f
		}
	}
	return nil
}

func (b *book) decode(name string, v any) error {
	f := b.file(name)
	if f == nil {
		return os.ErrNotExist
	}
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	return xml.NewDecoder(r).Decode(v)
}

// checkSize refuses a workbook that unzips to more than Kindly reads (a
// small file can hold a million rows of the same cell).
func (b *book) checkSize(file string) error {
	var total uint64
	for _, f := range b.zr.File {
		total += f.UncompressedSize64
		if strings.HasPrefix(f.Name, "xl/worksheets/") && f.UncompressedSize64 > maxSheetXML {
			return unreadable("%s holds a sheet too big for Kindly (%d MB unpacked, at most %d MB): split it, or save only the patient list",
				file, f.UncompressedSize64>>20, maxSheetXML>>20)
		}
	}
	if total > maxUnzipped {
		return unreadable("%s unpacks to %d MB, more than Kindly reads (%d MB): save only the patient list", file, total>>20, maxUnzipped>>20)
	}
	return nil
}

// sheet is the zip entry of the named sheet, nil when unknown.
func (b *book) sheet(name string) *zip.File {
	part, ok := b.sheets[name]
	if !ok {
		for n, p := range b.sheets {
			if strings.EqualFold(n, name) {
				part, ok = p, true
			}
		}
	}
	if !ok {
		return nil
	}
	return b.file(part)
}

// bigSheet is the unpacked size from which a sheet's rows are counted
// before it is read (about 250,000 rows of patient details): a sheet can
// omit or misstate its dimension, and reading 500,000 rows only to refuse
// the file would cost the practice half a minute.
var bigSheet uint64 = 100 << 20

// rowCount counts a big sheet's rows in its XML without parsing it: the
// number of the last row (a sheet can skip rows), or more than maxRows as
// soon as that is sure. -1 for a sheet smaller than bigSheet, or when it
// cannot tell.
func (b *book) rowCount(sheet string) int {
	f := b.sheet(sheet)
	if f == nil || f.UncompressedSize64 < bigSheet {
		return -1
	}
	r, err := f.Open()
	if err != nil {
		return -1
	}
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	n := 0
	for n <= maxRows {
		if _, err := br.ReadSlice('<'); err == bufio.ErrBufferFull {
			continue
		} else if err != nil {
			break
		}
		head, _ := br.Peek(16)
		if i := bytes.IndexByte(head, ':'); i > 0 && !bytes.ContainsAny(head[:i], " \t\r\n/>\"") {
			head = head[i+1:] // <x:row> in a workbook that names its namespace
		}
		if len(head) < 4 || string(head[:3]) != "row" || !strings.ContainsRune(" \t\r\n/>", rune(head[3])) {
			continue
		}
		n++
		tag, _ := br.ReadSlice('>')
		if i := bytes.Index(tag, []byte(` r="`)); i >= 0 {
			if j := bytes.IndexByte(tag[i+4:], '"'); j >= 0 {
				if v, err := strconv.Atoi(string(tag[i+4 : i+4+j])); err == nil && v > n {
					n = v
				}
			}
		}
	}
	return n
}

// sheetHead reads what a sheet says before its rows: the range it
// declares ("A1:L100001", "" when none) and which columns it hides (nil
// when none or when it cannot tell).
func (b *book) sheetHead(sheet string) (dimension string, hidden []bool) {
	f := b.sheet(sheet)
	if f == nil {
		return "", nil
	}
	r, err := f.Open()
	if err != nil {
		return "", nil
	}
	defer r.Close()
	dec := xml.NewDecoder(r)
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return dimension, hidden
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch el.Name.Local {
		case "dimension":
			dimension = attr(el, "ref")
		case "sheetData":
			return dimension, hidden
		case "col":
			var lo, hi int
			isHidden := false
			for _, a := range el.Attr {
				switch a.Name.Local {
				case "min":
					lo, _ = strconv.Atoi(a.Value)
				case "max":
					hi, _ = strconv.Atoi(a.Value)
				case "hidden":
					isHidden = a.Value == "1" || a.Value == "true"
				}
			}
			if !isHidden || lo < 1 || hi < lo {
				continue
			}
			hi = min(hi, maxColumns)
			for len(hidden) < hi {
				hidden = append(hidden, false)
			}
			for c := lo; c <= hi; c++ {
				hidden[c-1] = true
			}
		}
	}
}
