package workflow

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"kindly/data"
	"kindly/internal/dovecottest"
	"kindly/internal/memprobe"
	"kindly/internal/storetest"
	"kindly/mailer"
)

// BenchmarkCheckInbox reads a mailbox of 10,000 messages - the kinds
// of mailer/testdata/inbox in turn, so about half are bounces, a worst
// case for the database - from a real Dovecot: the first check reads
// them all, the next only the 100 that arrived since.
func BenchmarkCheckInbox(b *testing.B) {
	const total, later = 10000, 100
	dv := dovecottest.Start(b)
	b.Setenv(mailer.PasswordEnv, dv.Password)
	files, err := filepath.Glob(filepath.Join("..", "mailer", "testdata", "inbox", "*.eml"))
	if err != nil || len(files) == 0 {
		b.Fatalf("fixtures: %v", err)
	}
	sort.Strings(files)
	var raws [][]byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		raws = append(raws, raw)
	}
	for i := range total {
		dv.Deliver(b, raws[i%len(raws)])
	}
	ctx := context.Background()
	var first, next time.Duration
	var peak float64
	runs := 0
	for b.Loop() {
		b.StopTimer()
		w := New(storetest.Open(b, time.Time{}))
		if err := w.Demo(ctx, 2000, 1, false, nil); err != nil {
			b.Fatal(err)
		}
		st, _ := w.Settings(ctx)
		st.Practice = data.Practice{Name: "Sunny Clinic", Address: "1 Main St", Phone: "555-0100", Email: "front@sunny.example"}
		st.Mail = data.MailAccount{Host: "127.0.0.1", Port: 2525, TLS: data.TLSNone, User: dv.User, From: "front@sunny.example",
			IMAPHost: "127.0.0.1", IMAPPort: dv.Port, IMAPTLS: data.TLSNone}
		if err := w.SaveSettings(ctx, st, ""); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var rep InboxReport
		start := time.Now()
		peak = max(peak, memprobe.PeakHeapMB(func() { rep, err = w.CheckInbox(ctx, nil) }))
		first += time.Since(start)
		if err != nil || rep.Read < total {
			b.Fatalf("first check read %d: %v", rep.Read, err)
		}
		b.StopTimer()
		for i := range later {
			dv.Deliver(b, raws[i%len(raws)])
		}
		b.StartTimer()
		start = time.Now()
		peak = max(peak, memprobe.PeakHeapMB(func() { rep, err = w.CheckInbox(ctx, nil) }))
		next += time.Since(start)
		if err != nil || rep.Read != later {
			b.Fatalf("the next check read %d: %v", rep.Read, err)
		}
		runs++
	}
	b.ReportMetric(first.Seconds()/float64(runs), "first-s")
	b.ReportMetric(float64(next.Milliseconds())/float64(runs), "next-ms")
	b.ReportMetric(peak, "peak-heap-MB")
}
