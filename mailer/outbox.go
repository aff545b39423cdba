package mailer

import (
	"context"
	"time"

	"kindly/data"
)

// Outbox is what a Sender uses of the store (a *data.Store): the sending
// lock, the queue and its claims, the results, and what the limits count.
// Declared here, by its user, so the sender depends on these and no more.
type Outbox interface {
	Clock() time.Time
	LockSending() (unlock func(), err error)
	KeepSending(ctx context.Context) error
	MessageTag(ctx context.Context) (string, error)
	RecoverInterrupted(ctx context.Context) (int, error)

	NextQueuedBatch(ctx context.Context, campaignID int64, occurrence string, limit int) ([]data.OutboxMessage, error)
	MaySend(ctx context.Context, outboxID, patientID int64, purpose string) (bool, string, error)
	ClaimForSending(ctx context.Context, id int64, purpose string) (bool, string, error)
	MarkSentAndClaim(ctx context.Context, sentID, nextID int64, purpose string) (bool, string, error)
	MarkResult(ctx context.Context, id int64, status, reason string) error
	MarkRetry(ctx context.Context, id int64, at time.Time, reason string, counted bool) error
	MarkRefused(ctx context.Context, id int64, reason string, hard bool, bounceReason string) error
	TakeBackRefusal(ctx context.Context, id int64) error
	NextRetry(ctx context.Context, campaignID int64, occurrence string) (time.Time, int, error)
	OutboxCounts(ctx context.Context, campaignID int64, occurrence string) (map[string]int, error)

	SentSince(ctx context.Context, t time.Time) (int, error)
	OldestSentSince(ctx context.Context, t time.Time) (time.Time, error)
	RecordServerDayLimit(ctx context.Context, n int) error
	RecordPace(ctx context.Context, pace time.Duration) error
}

var _ Outbox = (*data.Store)(nil)
