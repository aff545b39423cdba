package reports

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// readBothWays reads every sheet of a workbook with Kindly's reader and
// with excelize's (raw values), each row's trailing empty cells trimmed.
func readBothWays(t *testing.T, path string) (ours, theirs map[string][][]string) {
	t.Helper()
	ours, theirs = map[string][][]string{}, map[string][][]string{}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := openBook(f)
	if err != nil {
		t.Fatal(err)
	}
	sst, err := b.sharedStrings()
	if err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	if !reflect.DeepEqual(b.names, wb.GetSheetList()) {
		t.Errorf("%s: sheets %q, excelize %q", path, b.names, wb.GetSheetList())
	}
	if props, err := wb.GetWorkbookProps(); err == nil && props.Date1904 != nil && *props.Date1904 != b.date1904 {
		t.Errorf("%s: 1904 dates %v, excelize %v", path, b.date1904, *props.Date1904)
	}
	for _, sheet := range b.names {
		var rows [][]string
		if err := b.sheetRows(sheet, sst, func(cells []string) error {
			rows = append(rows, trimRow(cells))
			return nil
		}); err != nil {
			t.Fatalf("%s %s: %v", path, sheet, err)
		}
		ours[sheet] = dropTrailingEmptyRows(rows)
		it, err := wb.Rows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		rows = nil
		for it.Next() {
			cells, err := it.Columns()
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, trimRow(cells))
		}
		it.Close()
		theirs[sheet] = dropTrailingEmptyRows(rows)
	}
	return ours, theirs
}

func compareSheets(t *testing.T, path string, ours, theirs map[string][][]string) {
	t.Helper()
	for sheet, want := range theirs {
		got := ours[sheet]
		if len(got) != len(want) {
			t.Errorf("%s %s: %d rows, excelize %d", filepath.Base(path), sheet, len(got), len(want))
			continue
		}
		for i := range want {
			if len(got[i]) == 0 && len(want[i]) == 0 {
				continue
			}
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s %s row %d:\n ours     %q\n excelize %q", filepath.Base(path), sheet, i+1, got[i], want[i])
			}
		}
	}
}

// Every workbook in testdata - written by LibreOffice, openpyxl and
// excelize - reads the same with Kindly's reader as with excelize's.
func TestSheetReaderAgreesWithExcelize(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.xlsx")
	if len(files) < 3 {
		t.Fatalf("only %d workbooks in testdata", len(files))
	}
	for _, path := range files {
		ours, theirs := readBothWays(t, path)
		compareSheets(t, path, ours, theirs)
	}
}

// What other writers put in a sheet: rich text and phonetic hints in the
// shared strings, inline strings, escapes for characters XML cannot hold,
// booleans, errors, a formula's cached text, rows and cells without
// references, skipped rows, and a namespace prefix on every element.
func TestSheetReaderOddWorkbook(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd.xlsx")
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?>
<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:workbookPr date1904="1"/><x:sheets><x:sheet name="Patients" sheetId="1" r:id="rId1"/><x:sheet name="Plain" sheetId="2" r:id="rId2"/></x:sheets></x:workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
		"xl/sharedStrings.xml": `<?xml version="1.0" encoding="UTF-8"?>
<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6"><x:si><x:t>Last name</x:t></x:si><x:si><x:t>First name</x:t></x:si><x:si><x:r><x:rPr><x:b/></x:rPr><x:t>Mül</x:t></x:r><x:r><x:t xml:space="preserve">ler </x:t></x:r><x:rPh sb="0" eb="1"><x:t>ミュラー</x:t></x:rPh></x:si><x:si><x:t>Line_x000D_
break &amp; _x005F_x0008_ &lt;tag&gt;</x:t></x:si><x:si><x:t/></x:si><x:si><x:t>Email</x:t></x:si></x:sst>`,
		"xl/worksheets/sheet1.xml": `<?xml version="1.0" encoding="UTF-8"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:E9"/><x:sheetData>
<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="s"><x:v>5</x:v></x:c></x:row>
<x:row r="2"><x:c r="A2" t="s"><x:v>2</x:v></x:c><x:c r="B2" t="inlineStr"><x:is><x:r><x:t>An</x:t></x:r><x:r><x:t>na_x000A_</x:t></x:r></x:is></x:c><x:c r="C2" t="str"><x:f>LOWER("A@X.EXAMPLE")</x:f><x:v>a@x.example</x:v></x:c><x:c r="D2" t="b"><x:v>1</x:v></x:c><x:c r="E2" t="e"><x:v>#N/A</x:v></x:c></x:row>
<x:row r="4"><x:c r="A4" t="s"><x:v>3</x:v></x:c><x:c r="C4"><x:v>12345.5</x:v></x:c><x:c r="D4" t="d"><x:v>1960-03-04T00:00:00Z</x:v></x:c></x:row>
<x:row><x:c t="s"><x:v>4</x:v></x:c><x:c><x:v>7030</x:v></x:c><x:c t="s"><x:v>99</x:v></x:c><x:c><x:f>1+1</x:f></x:c><x:c t="inlineStr"><x:is><x:t>end</x:t></x:is></x:c></x:row>
<x:row r="9" spans="1:3"><x:c r="B9" s="3" t="n"><x:v>-1.5E-3</x:v></x:c></x:row>
</x:sheetData></x:worksheet>`,
		"xl/worksheets/sheet2.xml": `<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>only</t></is></c></row></sheetData></worksheet>`,
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	ours, theirs := readBothWays(t, path)
	compareSheets(t, path, ours, theirs)
	want := [][]string{
		{"Last name", "First name", "Email"},
		{"Müller ", "Anna\n", "a@x.example", "1", "#N/A"},
		nil,
		{"Line\r\nbreak & _x0008_ <tag>", "", "12345.5", "1960-03-04T00:00:00Z"},
		{"", "7030", "", "", "end"},
		nil, nil, nil,
		{"", "-1.5E-3"},
	}
	if got := ours["Patients"]; !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n%q\nwant\n%q", got, want)
	}
	tab, err := ReadTable(path, "")
	if err != nil || tab.Sheet != "Patients" || !tab.Date1904 || tab.RowsHint != 9 {
		t.Errorf("table %+v, %v", tab, err)
	}
}

// A big sheet's rows are counted before it is read, so a file of a
// million rows that omits its dimension is refused at once.
func TestBigSheetRowsCountedFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rows.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	put := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	put("xl/workbook.xml", `<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	put("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>Last name</t></is></c></row>"+
		strings.Repeat("<row/>", maxRows)+"</sheetData></worksheet>")
	zw.Close()
	f.Close()

	r, _ := os.Open(path)
	defer r.Close()
	b, err := openBook(r)
	if err != nil {
		t.Fatal(err)
	}
	if n := b.rowCount("S"); n != -1 {
		t.Errorf("a small sheet is counted: %d", n)
	}
	defer func(was uint64) { bigSheet = was }(bigSheet)
	bigSheet = 0
	if n := b.rowCount("S"); n != maxRows+1 {
		t.Errorf("rows counted: %d, want %d", n, maxRows+1)
	}
	if _, err := ReadTable(path, ""); !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "more than 500000 rows") {
		t.Errorf("err = %v", err)
	}
}
