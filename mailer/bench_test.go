package mailer

import (
	"context"
	"fmt"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"kindly/data"
	"kindly/internal/mailpittest"
	"kindly/internal/memprobe"
	"kindly/internal/storetest"
)

// benchPractice has n patients who may get care reminders, and a campaign to all.
func benchPractice(b *testing.B, n int) (*data.Store, data.Campaign) {
	s, err := data.Open(storetest.Database(b)) // a file, or with KINDLY_TEST_DB=postgres a database on the server
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := context.Background()
	err = s.WithBatch(ctx, func(bt *data.Batch) error {
		for i := 0; i < n; i++ {
			p := data.Patient{FirstName: fmt.Sprintf("Pat%d", i), LastName: "Bench", Email: fmt.Sprintf("pat%d@example.com", i)}
			if err := bt.AddPatient(&p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	c := data.Campaign{Name: "Bench", Purpose: data.PurposeCare}
	if err := s.CreateCampaign(ctx, &c); err != nil {
		b.Fatal(err)
	}
	return s, c
}

// BenchmarkSend compares Kindly's sender (state on disk per message, one
// connection, limits off) with a bare go-mail loop over one connection
// into the same Mailpit, for 1,000 and 10,000 personalised messages.
func BenchmarkSend(b *testing.B) {
	// Each run gets a fresh Mailpit: a mailbox that already holds thousands
	// of messages slows the server, and would favour whichever runs first.
	fresh := func(b *testing.B) Account {
		mp := mailpittest.Start(b)
		return Account{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: TLSNone, From: "Sunny Clinic <front@sunny.example>", ReplyTimeout: 30 * time.Second}
	}
	tpl := Starters[0]
	today := data.Date{Year: 2026, Month: 10, Day: 1}
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("bare-go-mail-loop-%d", n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				acct := fresh(b)
				b.StartTimer()
				c, err := gomail.NewClient(acct.Host, gomail.WithPort(acct.Port), gomail.WithTLSPortPolicy(gomail.NoTLS))
				if err != nil {
					b.Fatal(err)
				}
				if err := c.DialWithContext(context.Background()); err != nil {
					b.Fatal(err)
				}
				for i := 0; i < n; i++ {
					m, _ := tpl.Render(data.Patient{FirstName: fmt.Sprintf("Pat%d", i), Email: fmt.Sprintf("pat%d@example.com", i)}, practice, today)
					msg, err := build(acct, practice, m)
					if err != nil {
						b.Fatal(err)
					}
					if err := c.Send(msg); err != nil {
						b.Fatal(err)
					}
				}
				c.Close()
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds()*float64(b.N), "msgs/s")
		})
		b.Run(fmt.Sprintf("kindly-sender-%d", n), func(b *testing.B) {
			var peak float64
			occ := 0
			s, c := benchPractice(b, n)
			for b.Loop() {
				b.StopTimer()
				acct := fresh(b)
				occ++
				o := fmt.Sprint(occ)
				if _, err := s.QueueCampaign(context.Background(), c, o, data.Rule{Kind: data.KindAll}, data.QueueOptions{BypassCap: true}, func(p data.Patient) (data.Rendered, error) {
					m, err := tpl.Render(p, practice, today)
					return data.Rendered{Subject: m.Subject, Text: m.Text, HTML: m.HTML}, err
				}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				peak = max(peak, memprobe.PeakHeapMB(func() {
					// With a progress report, as the window and the command line run it.
					pr, err := (&Sender{Store: s, Account: acct, Practice: practice, Progress: func(Progress) {}}).Run(context.Background(), c, o)
					if err != nil || pr.Sent != n {
						b.Fatalf("sent %d of %d: %v", pr.Sent, n, err)
					}
				}))
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds()*float64(b.N), "msgs/s")
			b.ReportMetric(peak, "peak-heap-MB")
		})
	}
}
