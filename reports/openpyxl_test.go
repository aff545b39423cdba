package reports

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"
)

// readBack is a workbook as openpyxl - an independent reader - sees it.
type readBack struct {
	Sheets     []string   `json:"sheets"`
	Rows       [][]string `json:"rows"`
	Types      [][]string `json:"types"`
	Formats    [][]string `json:"formats"`
	Freeze     string     `json:"freeze"`
	AutoFilter string     `json:"autofilter"`
	Widths     []float64  `json:"widths"`
}

const openpyxlScript = `
import json, sys, datetime
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.worksheets[0]
rows, types, formats = [], [], []
for row in ws.iter_rows():
    r, t, f = [], [], []
    for c in row:
        v = c.value
        if isinstance(v, datetime.datetime):
            v = v.date().isoformat()
        r.append("" if v is None else str(v))
        t.append(c.data_type)
        f.append(c.number_format)
    rows.append(r); types.append(t); formats.append(f)
widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(i+1)].width or 0 for i in range(ws.max_column)]
print(json.dumps({"sheets": wb.sheetnames, "rows": rows, "types": types, "formats": formats,
    "freeze": ws.freeze_panes or "", "autofilter": ws.auto_filter.ref or "", "widths": widths}))
`

// readWithOpenpyxl opens an xlsx with Debian's python3-openpyxl. CI
// installs it; elsewhere the test is skipped when it is missing.
func readWithOpenpyxl(t *testing.T, path string) readBack {
	t.Helper()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import openpyxl").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("python3-openpyxl is missing in CI: %v", err)
		}
		t.Skip("python3-openpyxl not installed (apt-get install python3-openpyxl)")
	}
	out, err := exec.Command(py, "-c", openpyxlScript, path).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("openpyxl cannot open %s: %s", path, ee.Stderr)
		}
		t.Fatal(err)
	}
	var rb readBack
	if err := json.Unmarshal(out, &rb); err != nil {
		t.Fatal(err)
	}
	return rb
}
