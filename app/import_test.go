package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/reports"
)

// The import wizard on the LibreOffice-written messy workbook: the first
// sheet holds notes, so the patient sheet is read; a bad address and a
// formula's text are imported and flagged, a duplicate row rejected.
func TestImportWizard(t *testing.T) {
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	done := make(chan struct{}, 1)
	var wiz *importWizard
	onUI(u, func() {
		wiz = newImportWizard(u, filepath.Join("..", "reports", "testdata", "patients-messy.xlsx"), func() { done <- struct{}{} })
	})
	waitFor(t, u, "the patient sheet's dry run", func() bool { return strings.Contains(wiz.summary.Text, "7 to add") })
	onUI(u, func() {
		if wiz.sheet.Selected != "Patients" || !strings.Contains(wiz.details.Text, `Read the sheet "Patients"`) {
			t.Errorf("sheet %q, details %q", wiz.sheet.Selected, wiz.details.Text)
		}
		wiz.sheet.SetSelected("Notes")
	})
	waitFor(t, u, "the notes sheet's verdict", func() bool { return strings.Contains(wiz.summary.Text, "no header row") })
	onUI(u, func() { wiz.sheet.SetSelected("Patients") })
	waitFor(t, u, "the dry run", func() bool { return strings.Contains(wiz.summary.Text, "7 to add") })
	onUI(u, func() {
		if !strings.Contains(wiz.summary.Text, "Header on row 3") || !strings.Contains(wiz.summary.Text, "2 to check") ||
			!strings.Contains(wiz.details.Text, "leading zeros") || len(wiz.columns.Objects) != 9 {
			t.Errorf("summary %q details %q columns %d", wiz.summary.Text, wiz.details.Text, len(wiz.columns.Objects))
		}
		// The preview lists every row with its result and the mapped cells.
		if rows, cols := wiz.preview.Length(); rows != 8 || cols != 3+9 {
			t.Errorf("preview %d x %d, want 8 rows x 12 columns", rows, cols)
		}
		wiz.show.SetSelected("Rejected rows")
		if len(wiz.shown) != 1 || wiz.shown[0].Row != 9 || !strings.Contains(rowWhy(wiz.shown[0]), "the same patient as row 4") {
			t.Errorf("rejected rows in the preview: %+v", wiz.shown)
		}
		// The rows to check, each with what to check next to its result.
		wiz.show.SetSelected("Rows to check")
		if len(wiz.shown) != 2 || wiz.shown[0].Row != 7 || !strings.Contains(rowWhy(wiz.shown[0]), `email not usable: "not-an-email"`) ||
			wiz.shown[1].Row != 10 || !strings.Contains(rowWhy(wiz.shown[1]), "looks like a formula") {
			t.Errorf("rows to check in the preview: %+v", wiz.shown)
		}
		if result, why := previewCellText(wiz, 0, 1), previewCellText(wiz, 0, 2); result != "Add, check" || !strings.Contains(why, "not-an-email") {
			t.Errorf("row 7 shows %q, %q", result, why)
		}
	})
	// Choosing another header row re-reads the columns.
	onUI(u, func() { wiz.header.SetText("4"); wiz.header.OnSubmitted("4") })
	waitFor(t, u, "the other header row", func() bool {
		return strings.Contains(wiz.summary.Text, "Header on row 4") || strings.Contains(wiz.summary.Text, "Cannot")
	})
	onUI(u, func() { wiz.header.SetText("3"); wiz.header.OnSubmitted("3") })
	waitFor(t, u, "the header row again", func() bool { return strings.Contains(wiz.summary.Text, "Header on row 3. 7 to add") })
	onUI(u, func() {
		wiz.show.SetSelected("All rows")
		t.Logf("busy %v details %v summary %v", wiz.busy.Visible(), wiz.details.MinSize(), wiz.summary.MinSize())
	})
	writeScreenshot(t, w, "import.png")
	rejects := filepath.Join(t.TempDir(), "rejects.xlsx")
	onUI(u, func() { wiz.saveRejects(rejects) })
	waitFor(t, u, "the rejects file", func() bool { return strings.Contains(wiz.summary.Text, "1 rejected row saved") })
	if _, err := os.Stat(rejects); err != nil {
		t.Fatal(err)
	}
	onUI(u, func() { wiz.onImport() })
	waitFor(t, u, "the import", func() bool { return received(done) })
	onUI(u, func() {
		if !strings.HasPrefix(wiz.summary.Text, "Imported: 7 added") || wiz.progress.Value != 1 {
			t.Errorf("after import: %q %v", wiz.summary.Text, wiz.progress.Value)
		}
	})
	if n, _ := storeOf(u).CountPatients(t.Context(), data.PatientQuery{}); n != 7 {
		t.Fatalf("%d patients", n)
	}
}

// The window imports what its dry run showed, through the command line's
// one-pass import: a file changed in between imports nothing.
func TestImportWizardRefusesAChangedFile(t *testing.T) {
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	path := filepath.Join(t.TempDir(), "patients.csv")
	sheet := "Last name,First name,Email\nLovelace,Ada,ada@example.com\nHopper,Grace,grace@example.com\n"
	if err := os.WriteFile(path, []byte(sheet), 0o600); err != nil {
		t.Fatal(err)
	}
	var wiz *importWizard
	onUI(u, func() { wiz = newImportWizard(u, path, nil) })
	waitFor(t, u, "the dry run", func() bool { return strings.Contains(wiz.summary.Text, "2 to add") })
	if err := os.WriteFile(path, []byte(sheet+"Curie,Marie,marie@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	onUI(u, func() { wiz.onImport() })
	waitFor(t, u, "the refusal", func() bool { return strings.HasPrefix(wiz.summary.Text, "Nothing was imported") })
	onUI(u, func() {
		if !strings.Contains(wiz.summary.Text, "changed since it was checked") || wiz.importB.Disabled() {
			t.Errorf("summary %q", wiz.summary.Text)
		}
	})
	if n, _ := storeOf(u).CountPatients(t.Context(), data.PatientQuery{}); n != 0 {
		t.Fatalf("%d patients imported from a changed file", n)
	}
}

// previewCellText is what the preview shows in a cell.
func previewCellText(w *importWizard, row, col int) string {
	l := widget.NewLabel("")
	w.preview.UpdateCell(widget.TableCellID{Row: row, Col: col}, l)
	return l.Text
}

// A column mapped by hand wins over the column that had its field, and
// the choice is remembered for the next file with the same columns - as
// with the command line's --map.
func TestImportWizardRemembersColumns(t *testing.T) {
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	path := filepath.Join("..", "reports", "testdata", "opendental.xlsx")
	done := make(chan struct{}, 1)
	var wiz *importWizard
	onUI(u, func() { wiz = newImportWizard(u, path, func() { done <- struct{}{} }) })
	waitFor(t, u, "the dry run", func() bool { return strings.Contains(wiz.summary.Text, "7 to add") })
	const hmPhone, wirelessPhone = 7, 8
	onUI(u, func() {
		if wiz.plan.Header[hmPhone] != "HmPhone" || wiz.columnSelect(wirelessPhone).Selected != "Phone" {
			t.Fatalf("header %q, WirelessPhone read as %q", wiz.plan.Header, wiz.columnSelect(wirelessPhone).Selected)
		}
		if !strings.Contains(wiz.details.Text, `Column "E-mail" is hidden`) || !strings.Contains(wiz.details.Text, "4 archived") && !strings.Contains(wiz.summary.Text, "4 archived") {
			t.Errorf("summary %q details %q", wiz.summary.Text, wiz.details.Text)
		}
		wiz.columnSelect(hmPhone).SetSelected("Phone")
		if got := wiz.columnSelect(wirelessPhone).Selected; got != "(skip this column)" {
			t.Errorf("WirelessPhone still read as %q", got)
		}
	})
	waitFor(t, u, "the dry run with HmPhone", func() bool {
		return wiz.plan.Mapping[hmPhone] == reports.FieldPhone && wiz.planned.Mapping[hmPhone] == reports.FieldPhone
	})
	onUI(u, func() { wiz.onImport() })
	waitFor(t, u, "the import", func() bool { return received(done) })
	bob, _ := storeOf(u).Patients(t.Context(), data.PatientQuery{Search: "Brown", IncludeArchived: true})
	if len(bob) != 1 || bob[0].Phone != "555-0102" || !bob[0].Archived {
		t.Fatalf("Bob: %+v", bob)
	}

	var again *importWizard
	onUI(u, func() { again = newImportWizard(u, path, nil) })
	waitFor(t, u, "the next dry run", func() bool { return again.plan != nil })
	onUI(u, func() {
		if !strings.Contains(again.details.Text, "as you chose at your last import") || again.columnSelect(hmPhone).Selected != "Phone" ||
			again.columnSelect(wirelessPhone).Selected != "(skip this column)" {
			t.Errorf("details %q, HmPhone %q, WirelessPhone %q", again.details.Text, again.columnSelect(hmPhone).Selected,
				again.columnSelect(wirelessPhone).Selected)
		}
	})
}
