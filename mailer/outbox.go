package mailer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"kindly/data"
)

// Progress is the state of a running send, for progress bars and logs.
type Progress struct {
	Sent, Failed, Skipped int
	Remaining             int
	Waiting               time.Duration // > 0 while waiting for a limit or a retry
	Note                  string
}

// Sender works an occurrence's outbox: one SMTP connection, the limits,
// retries; the state of every message is on disk before and after its
// SMTP transaction, so a restart resumes exactly.
type Sender struct {
	Store    *data.Store
	Account  Account
	Practice data.Practice
	Limits   Limits
	// Window is when emails may go out, in Location (the practice's zone).
	Window   data.Window
	Location *time.Location
	// MaxAttempts per message for temporary failures (default 5).
	MaxAttempts int
	// Backoff is the wait before retry n (default 2^n seconds, at most 5 minutes).
	Backoff func(attempt int) time.Duration
	// Sleep waits d or until ctx ends; tests replace it with a fake clock.
	Sleep    func(ctx context.Context, d time.Duration) error
	Progress func(Progress)
	// Dial opens the SMTP session (default: Dial with Account and Practice).
	Dial func(ctx context.Context) (Session, error)
}

// Session is an open SMTP connection (a *Connection in real use).
type Session interface {
	Send(Message) error
	Close() error
}

// ErrStopped says a run ended before its queue was empty.
type ErrStopped struct{ Reason string }

func (e *ErrStopped) Error() string { return "sending stopped: " + e.Reason }

func (s *Sender) defaults() {
	if s.MaxAttempts == 0 {
		s.MaxAttempts = 5
	}
	if s.Backoff == nil {
		s.Backoff = func(n int) time.Duration { return min(time.Duration(1<<min(n, 8))*time.Second, 5*time.Minute) }
	}
	if s.Sleep == nil {
		s.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	if s.Dial == nil {
		s.Dial = func(ctx context.Context) (Session, error) {
			c, err := Dial(ctx, s.Account, s.Practice)
			if err != nil {
				return nil, err // not a typed nil inside the interface
			}
			return c, nil
		}
	}
}

// failure sorts a send error: temporary (retry), the recipient's (fail
// this message only) or the account's (stop the run).
type failure int

const (
	failTemporary failure = iota
	failRecipient
	failAccount
)

func classify(err error) failure {
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		switch {
		case code >= 500 && se.Reason == gomail.ErrSMTPMailFrom:
			return failAccount
		case code >= 500:
			return failRecipient
		}
	}
	if errors.Is(err, ErrTooManyRecipients) || strings.Contains(err.Error(), "cannot receive email") {
		return failRecipient
	}
	return failTemporary
}

// recipientReason puts a permanent failure in plain words.
func recipientReason(err error) string {
	var se *gomail.SendError
	code := 0
	if errors.As(err, &se) {
		code = se.ErrorCode()
	}
	switch code {
	case 550, 551, 553:
		return "the address does not exist or does not accept email (" + err.Error() + ")"
	case 552:
		return "the patient's mailbox is full (" + err.Error() + ")"
	case 554:
		return "the receiving server refused the message (" + err.Error() + ")"
	}
	return err.Error()
}

// Run sends the queued messages of one occurrence until none are left,
// ctx ends (a pause: the rest stays queued), or the account fails.
func (s *Sender) Run(ctx context.Context, c data.Campaign, occurrence string) (Progress, error) {
	s.defaults()
	var pr Progress
	if n, err := s.Store.RecoverInterrupted(ctx); err != nil {
		return pr, err
	} else if n > 0 {
		pr.Note = fmt.Sprintf("%d emails were being sent when Kindly stopped; they are marked uncertain and will not be sent again", n)
	}
	report := func() {
		if s.Progress != nil {
			counts, _ := s.Store.OutboxCounts(context.WithoutCancel(ctx), c.ID, occurrence)
			pr.Remaining = counts[data.StatusQueued]
			s.Progress(pr)
		}
	}
	var conn Session
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	dialAttempts := 0
	var window []data.OutboxMessage // the next few queued messages
	for {
		if err := ctx.Err(); err != nil {
			return pr, err
		}
		if len(window) == 0 {
			var err error
			if window, err = s.Store.NextQueuedBatch(ctx, c.ID, occurrence, 50); err != nil {
				return pr, err
			}
			if len(window) == 0 {
				report()
				return pr, nil
			}
		}
		m := window[0]
		if s.Location != nil {
			if open, next := s.Window.InWindow(s.Store.Now().In(s.Location)); !open && !next.IsZero() {
				pr.Waiting, pr.Note = next.Sub(s.Store.Now()), "outside the send window until "+next.Format("Mon 2 Jan 15:04")
				report()
				if err := s.Sleep(ctx, pr.Waiting); err != nil {
					return pr, err
				}
				pr.Waiting, pr.Note = 0, ""
				continue
			}
		}
		if wait, err := s.limitWait(ctx); err != nil {
			return pr, err
		} else if wait > 0 {
			pr.Waiting, pr.Note = wait, "waiting for the mailbox's sending limit"
			report()
			if err := s.Sleep(ctx, wait); err != nil {
				return pr, err
			}
			pr.Waiting, pr.Note = 0, ""
			continue
		}
		if conn == nil {
			var err error
			conn, err = s.Dial(ctx)
			if err != nil {
				conn = nil
				if classifyDial(err) == failAccount {
					return pr, &ErrStopped{err.Error()}
				}
				dialAttempts++
				if dialAttempts >= s.MaxAttempts {
					return pr, &ErrStopped{err.Error()}
				}
				pr.Waiting, pr.Note = s.Backoff(dialAttempts), "cannot reach the mail server, trying again: "+err.Error()
				report()
				if err := s.Sleep(ctx, pr.Waiting); err != nil {
					return pr, err
				}
				pr.Waiting = 0
				continue
			}
			dialAttempts = 0
		}
		// On disk before the SMTP transaction: a crash now leaves "sending",
		// which the next run turns into "uncertain" instead of sending again.
		// The same statement re-checks consent: an opt-out since queueing wins.
		window = window[1:]
		claimed, err := s.Store.ClaimForSending(ctx, m.ID, c.Purpose)
		if err != nil {
			return pr, err
		}
		if !claimed {
			if may, why, err := s.Store.MaySend(ctx, m.PatientID, c.Purpose); err != nil {
				return pr, err
			} else if !may {
				if err := s.Store.MarkResult(ctx, m.ID, data.StatusSkipped, why); err != nil {
					return pr, err
				}
				pr.Skipped++
			}
			continue
		}
		sendErr := conn.Send(Message{To: m.Email, Subject: m.Subject, Text: m.Text, HTML: m.HTML})
		bg := context.WithoutCancel(ctx) // the result is recorded even when paused meanwhile
		if sendErr == nil {
			if err := s.Store.MarkResult(bg, m.ID, data.StatusSent, ""); err != nil {
				return pr, err
			}
			pr.Sent++
			if (pr.Sent+pr.Failed)%25 == 0 {
				report()
			}
			continue
		}
		switch classify(sendErr) {
		case failRecipient:
			if err := s.Store.MarkResult(bg, m.ID, data.StatusFailed, recipientReason(sendErr)); err != nil {
				return pr, err
			}
			pr.Failed++
		case failAccount:
			if err := s.Store.MarkResult(bg, m.ID, data.StatusQueued, ""); err != nil {
				return pr, err
			}
			return pr, &ErrStopped{"the mailbox refused to send: " + sendErr.Error()}
		default:
			conn.Close()
			conn = nil
			if m.Attempts+1 >= s.MaxAttempts {
				if err := s.Store.MarkResult(bg, m.ID, data.StatusFailed, "gave up after repeated temporary errors: "+sendErr.Error()); err != nil {
					return pr, err
				}
				pr.Failed++
				continue
			}
			if err := s.Store.MarkResult(bg, m.ID, data.StatusQueued, "will retry: "+sendErr.Error()); err != nil {
				return pr, err
			}
			window = nil // read the queue again, this message first
			pr.Waiting, pr.Note = s.Backoff(m.Attempts+1), "temporary error, retrying: "+sendErr.Error()
			report()
			if err := s.Sleep(ctx, pr.Waiting); err != nil {
				return pr, err
			}
			pr.Waiting, pr.Note = 0, ""
		}
	}
}

// classifyDial tells a login problem (stop and tell the practice) from a
// network problem (try again).
func classifyDial(err error) failure {
	lower := strings.ToLower(err.Error())
	for _, s := range []string{"password", "authentication", "auth", "535", "534", "tls", "certificate"} {
		if strings.Contains(lower, s) {
			return failAccount
		}
	}
	return failTemporary
}

// limitWait says how long to wait before the next message may go out.
func (s *Sender) limitWait(ctx context.Context) (time.Duration, error) {
	now := s.Store.Now()
	check := func(limit int, window time.Duration) (time.Duration, error) {
		if limit <= 0 {
			return 0, nil
		}
		since := now.Add(-window)
		n, err := s.Store.SentSince(ctx, since)
		if err != nil || n < limit {
			return 0, err
		}
		oldest, err := s.Store.OldestSentSince(ctx, since)
		if err != nil {
			return 0, err
		}
		return max(oldest.Add(window).Sub(now)+time.Second, time.Second), nil
	}
	day, err := check(s.Limits.PerDay, 24*time.Hour)
	if err != nil || day > 0 {
		return day, err
	}
	return check(s.Limits.PerMinute, time.Minute)
}
