package reports

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kindly/data"
	"kindly/data/demo"
	"kindly/internal/memprobe"
	"kindly/internal/storetest"
)

const benchRows = 100_000

var (
	benchFileOnce sync.Once
	benchFile     string
	benchFileErr  error
)

// benchWorkbook writes a 100,000-row, 12-column patient sheet once per run.
func benchWorkbook(b *testing.B) string {
	benchFileOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kindly-import-bench-")
		if err != nil {
			benchFileErr = err
			return
		}
		benchFile = filepath.Join(dir, "patients.xlsx")
		// Written cell by cell (not streamed) so text lands in the shared
		// string table, as Excel and LibreOffice write it.
		f := excelize.NewFile()
		defer f.Close()
		f.SetSheetRow("Sheet1", "A1", &[]any{"Patient ID", "Last name", "First name", "Email", "Phone", "Date of birth",
			"Sex", "Zip", "Language", "Tags", "Newsletter", "Notes"})
		dateFmt := "yyyy-mm-dd"
		dateStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
		f.SetColStyle("Sheet1", "F", dateStyle)
		for i := 0; i < benchRows; i++ {
			born := time.Date(1930+i%90, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if benchFileErr = f.SetSheetRow("Sheet1", cell, &[]any{fmt.Sprintf("B%06d", i), fmt.Sprintf("Last%d", i), "First",
				fmt.Sprintf("p%d@example.com", i), fmt.Sprintf("555-%07d", i), born, []string{"F", "M"}[i%2], 10000 + i%900,
				"en", "newsletter", []string{"yes", "no"}[i%2], "imported for the benchmark"}); benchFileErr != nil {
				return
			}
		}
		benchFileErr = f.SaveAs(benchFile)
	})
	if benchFileErr != nil {
		b.Fatal(benchFileErr)
	}
	return benchFile
}

// BenchmarkImport100k compares excelize's own streaming read of the sheet
// with Kindly's whole import (read, plan, back up, write) of the same file.
func BenchmarkImport100k(b *testing.B) {
	path := benchWorkbook(b)
	b.Run("bare-excelize-stream-read", func(b *testing.B) {
		for b.Loop() {
			f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
			if err != nil {
				b.Fatal(err)
			}
			rows, _ := f.Rows("Sheet1")
			n := 0
			for rows.Next() {
				if _, err := rows.Columns(); err != nil {
					b.Fatal(err)
				}
				n++
			}
			rows.Close()
			f.Close()
			if n != benchRows+1 {
				b.Fatalf("%d rows", n)
			}
		}
	})
	// Kindly's own read of the same sheet (what the import reads with).
	b.Run("kindly-read", func(b *testing.B) {
		for b.Loop() {
			n := 0
			if _, err := readTable(path, "", func(_ *Table, rows [][]string) error { n += len(rows); return nil }); err != nil {
				b.Fatal(err)
			}
			if n != benchRows+1 {
				b.Fatalf("%d rows", n)
			}
		}
	})
	// The command line's import: rows are planned and written while the
	// file is still being read.
	b.Run("kindly-import", func(b *testing.B) {
		benchImport(b, func(s *data.Store) {
			p, _, err := importPatients(context.Background(), s, path, Options{}, nil)
			if err != nil {
				b.Fatal(err)
			}
			if p.Added != benchRows {
				b.Fatalf("import: %+v", p.Counts())
			}
		})
	})
	// The window's import: a dry run to show first (the whole sheet read
	// and planned, for the preview), then the command line's import, which
	// writes only if it plans what the dry run showed.
	b.Run("kindly-dry-run-then-import", func(b *testing.B) {
		benchImport(b, func(s *data.Store) {
			t, err := ReadTable(path, "")
			if err != nil {
				b.Fatal(err)
			}
			p, err := PlanPatients(context.Background(), s, t, Options{PreviewRows: 1000})
			if err != nil {
				b.Fatal(err)
			}
			if p.Added != benchRows {
				b.Fatalf("plan: %+v", p.Counts())
			}
			seen := p.Counts()
			if _, _, err := importPatients(context.Background(), s, path, Options{Expect: &seen}, nil); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// benchImport times run on a fresh database per iteration.
func benchImport(b *testing.B, run func(s *data.Store)) {
	var peak float64
	for b.Loop() {
		b.StopTimer()
		s, err := data.Open(storetest.Database(b)) // a file, or with KINDLY_TEST_DB=postgres a database on the server
		if err != nil {
			b.Fatal(err)
		}
		s.SetBackupDir(b.TempDir())
		b.StartTimer()
		peak = max(peak, memprobe.PeakHeapMB(func() { run(s) }))
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(peak, "peak-heap-MB")
}

// BenchmarkExport100k writes 100,000 demo patients to xlsx.
func BenchmarkExport100k(b *testing.B) {
	dir := b.TempDir()
	s, err := data.Open(filepath.Join(dir, "kindly.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := demo.Fill(context.Background(), s, demo.Options{Patients: benchRows, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	n, _ := s.CountPatients(context.Background(), data.PatientQuery{})
	out := filepath.Join(dir, "export.xlsx")
	var peak float64
	for b.Loop() {
		peak = max(peak, memprobe.PeakHeapMB(func() {
			got, err := ExportPatients(context.Background(), s, "", out, nil)
			if err != nil || got != n {
				b.Fatalf("export: %d of %d, %v", got, n, err)
			}
		}))
	}
	b.ReportMetric(peak, "peak-heap-MB")
	b.ReportMetric(float64(n), "patients")
}

// TestMain removes the benchmark's workbook after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchFile != "" {
		os.RemoveAll(filepath.Dir(benchFile))
	}
	os.Exit(code)
}
