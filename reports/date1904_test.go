package reports

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kindly/data"
)

// write1904 writes a workbook in the 1904 date system (old Mac Excel) with
// n patients whose birth dates are date serial numbers of that system.
func write1904(t *testing.T, path string, n int, born func(i int) time.Time) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	yes := true
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
		t.Fatal(err)
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetDimension("Sheet1", fmt.Sprintf("A1:C%d", n+1)); err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	sw.SetRow("A1", []any{"Last name", "First name", "Date of birth"})
	epoch := time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		serial := born(i).Sub(epoch).Hours() / 24
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, []any{fmt.Sprintf("Mac%d", i), "Pat", excelize.Cell{StyleID: dateStyle, Value: serial}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// A workbook in the 1904 date system: its serial numbers are other days
// than the same numbers in the 1900 system (1,462 days later). The dry
// run and the one-pass import both read them as the workbook means them,
// as openpyxl, an independent reader, does.
func TestDate1904Workbook(t *testing.T) {
	born := func(i int) time.Time { return time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*7) }
	for _, n := range []int{5, headRows + 500} { // read whole, and planned while read
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "mac.xlsx")
			write1904(t, path, n, born)
			if n == 5 {
				rb := readWithOpenpyxl(t, path)
				if rb.Rows[1][2] != "1950-01-01" || rb.Rows[5][2] != "1950-01-29" {
					t.Fatalf("openpyxl reads the test's dates as %q and %q", rb.Rows[1][2], rb.Rows[5][2])
				}
			}
			s := newStore(t)
			p, err := planFile(t, s, path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Added != n || p.Rows[0].Patient.BirthDate.String() != "1950-01-01" {
				t.Fatalf("dry run: %+v, first born %s", p.Counts(), p.Rows[0].Patient.BirthDate)
			}
			if got := p.Shown(p.Rows[3], 2); got != "1950-01-22" {
				t.Fatalf("preview shows %q", got)
			}
			if _, _, err := importPatients(context.Background(), s, path, Options{}, nil); err != nil {
				t.Fatal(err)
			}
			ps, err := s.Patients(context.Background(), data.PatientQuery{Search: fmt.Sprint("Mac", n-1), Limit: 5})
			if err != nil || len(ps) != 1 || !ps[0].BirthDate.Time(time.UTC).Equal(born(n-1)) {
				t.Fatalf("stored %+v, %v; want born %s", ps, err, born(n-1).Format("2006-01-02"))
			}
		})
	}
}
