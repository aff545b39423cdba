package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Campaign purposes: care reminders go to everyone not opted out,
// promotions only to patients who opted in.
const (
	PurposeCare      = "care"
	PurposePromotion = "promotion"
)

// CampaignStatus is where a campaign stands.
type CampaignStatus string

// The statuses of a campaign.
const (
	CampaignDraft     CampaignStatus = "draft"     // not complete, or not scheduled: sent when the practice presses Send
	CampaignScheduled CampaignStatus = "scheduled" // waits for its next occurrence
	CampaignSending   CampaignStatus = "sending"   // a run is being sent (or was, when Kindly stopped)
	CampaignPaused    CampaignStatus = "paused"    // a run was paused or stopped; Send resumes it
	CampaignDone      CampaignStatus = "done"      // sent (or cancelled); nothing more is planned
)

// Campaign is a planned mailing: who (segment), what (template), when (schedule).
type Campaign struct {
	ID         int64
	Name       string
	Purpose    string
	SegmentID  int64 // 0 when not chosen yet
	TemplateID int64 // 0 when not chosen yet
	Schedule   string
	Status     CampaignStatus
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CreateCampaign saves a new campaign as a draft and sets c.ID.
func (s *Store) CreateCampaign(ctx context.Context, c *Campaign) error {
	if err := checkText("name", "the campaign's name", c.Name, MaxNameLength); err != nil {
		return err
	}
	c.Name = OneLine(c.Name) // names reach subjects, calendars and terminals: one clean line
	if c.Name == "" {
		return &ValidationError{"name", "Please give the campaign a name."}
	}
	if c.Purpose != PurposeCare && c.Purpose != PurposePromotion {
		return &ValidationError{"purpose", "A campaign is either a care reminder or a promotion."}
	}
	if c.Schedule == "" {
		c.Schedule = "{}"
	}
	sched, err := ParseSchedule(c.Schedule)
	if err != nil {
		return &ValidationError{"schedule", err.Error()}
	}
	if c.Status == "" {
		c.Status = CampaignDraft
		if sched.Kind != "" && c.SegmentID != 0 && c.TemplateID != 0 {
			c.Status = CampaignScheduled
		}
	}
	now := s.stamp()
	err = s.db.QueryRowContext(ctx, `INSERT INTO campaigns (name, purpose, segment_id, template_id, schedule, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.Name, c.Purpose, nullID(c.SegmentID), nullID(c.TemplateID), c.Schedule, c.Status, now, now).Scan(&c.ID)
	if err != nil {
		if errors.Is(mapError(err), ErrDuplicate) {
			return &ValidationError{"name", fmt.Sprintf("There is already a campaign called %q.", c.Name)}
		}
		return fmt.Errorf("cannot save the campaign: %w", err)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// UpdateCampaign saves a campaign's purpose, segment, template and schedule.
func (s *Store) UpdateCampaign(ctx context.Context, c *Campaign) error {
	if c.Purpose != PurposeCare && c.Purpose != PurposePromotion {
		return &ValidationError{"purpose", "A campaign is either a care reminder or a promotion."}
	}
	sched, err := ParseSchedule(c.Schedule)
	if err != nil {
		return &ValidationError{"schedule", err.Error()}
	}
	// A draft becomes scheduled once complete with a schedule, and back; a
	// campaign that is sending, paused or done keeps its status.
	waiting := CampaignDraft
	if sched.Kind != "" && c.SegmentID != 0 && c.TemplateID != 0 {
		waiting = CampaignScheduled
	}
	_, err = s.db.ExecContext(ctx, `UPDATE campaigns SET purpose = ?, segment_id = ?, template_id = ?, schedule = ?, updated_at = ?,
		status = CASE WHEN status IN ('draft', 'scheduled') THEN ? ELSE status END
		WHERE id = ?`, c.Purpose, nullID(c.SegmentID), nullID(c.TemplateID), c.Schedule, s.stamp(), waiting, c.ID)
	if err != nil {
		return fmt.Errorf("cannot save the campaign: %w", mapError(err))
	}
	return s.db.QueryRowContext(ctx, `SELECT status FROM campaigns WHERE id = ?`, c.ID).Scan(&c.Status)
}

const campaignColumns = `id, name, purpose, coalesce(segment_id, 0), coalesce(template_id, 0), schedule, status, created_at, updated_at`

func scanCampaign(row scanner) (Campaign, error) {
	var c Campaign
	var created, updated string
	err := row.Scan(&c.ID, &c.Name, &c.Purpose, &c.SegmentID, &c.TemplateID, &c.Schedule, &c.Status, &created, &updated)
	c.CreatedAt, _ = time.Parse(time.RFC3339, created)
	c.UpdatedAt, _ = time.Parse(time.RFC3339, updated)
	return c, err
}

// Campaigns lists all campaigns by name.
func (s *Store) Campaigns(ctx context.Context) ([]Campaign, error) {
	return queryAll(ctx, s, "list campaigns", `SELECT `+campaignColumns+` FROM campaigns ORDER BY name COLLATE NOCASE`, scanCampaign)
}

// CampaignByName loads a campaign; the name is matched ignoring case.
func (s *Store) CampaignByName(ctx context.Context, name string) (Campaign, error) {
	c, err := scanCampaign(s.db.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE name = ?`, strings.TrimSpace(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("campaign %q: %w", name, ErrNotFound)
	}
	return c, err
}

// OutboxEntry is one message of a campaign occurrence to one patient.
type OutboxEntry struct {
	ID          int64
	CampaignID  int64
	Campaign    string
	Occurrence  string
	PatientID   int64
	PatientName string
	Email       string
	Subject     string
	Status      string
	Reason      string
	Attempts    int
	QueuedAt    time.Time
	SentAt      time.Time
}

// EachOutboxEntry calls fn for every outbox row (of one campaign, or all
// when campaignID is 0), oldest first, reading them one at a time.
func (s *Store) EachOutboxEntry(ctx context.Context, campaignID int64, fn func(OutboxEntry) error) error {
	return s.eachRow(ctx, "read the send log", `SELECT o.id, o.campaign_id, c.name, o.occurrence, coalesce(o.patient_id, 0),
		coalesce(p.last_name || ', ' || p.first_name, ''), o.email, o.subject, o.status, o.reason, o.attempts,
		o.queued_at, coalesce(o.sent_at, '')
		FROM outbox o JOIN campaigns c ON c.id = o.campaign_id LEFT JOIN patients p ON p.id = o.patient_id
		WHERE ? = 0 OR o.campaign_id = ? ORDER BY o.id`, []any{campaignID, campaignID}, func(row scanner) error {
		var e OutboxEntry
		var queued, sent string
		if err := row.Scan(&e.ID, &e.CampaignID, &e.Campaign, &e.Occurrence, &e.PatientID, &e.PatientName, &e.Email,
			&e.Subject, &e.Status, &e.Reason, &e.Attempts, &queued, &sent); err != nil {
			return err
		}
		e.QueuedAt, _ = time.Parse(time.RFC3339, queued)
		e.SentAt, _ = time.Parse(time.RFC3339, sent)
		return fn(e)
	})
}

// MonthlyStats counts one campaign's messages in one month by outcome.
type MonthlyStats struct {
	Campaign string
	Month    string // "2026-10"
	Sent     int
	Failed   int
	Bounced  int // sent, and came back (the inbox read the bounce)
	Skipped  int // every email skipped, the opted-out ones too: the campaign page says the same
	OptedOut int // of the skipped, those whose patient had opted out
}

// CampaignMonthlyStats counts every campaign's messages per month (of
// sending, or of queueing for messages not sent).
func (s *Store) CampaignMonthlyStats(ctx context.Context) ([]MonthlyStats, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.name, substr(coalesce(o.sent_at, o.queued_at), 1, 7) AS month,
		count(*) FILTER (WHERE o.status = 'sent'), count(*) FILTER (WHERE o.status = 'failed'),
		count(*) FILTER (WHERE o.status = 'bounced'), count(*) FILTER (WHERE o.status = 'skipped'),
		count(*) FILTER (WHERE o.status = 'skipped' AND o.reason LIKE 'opted out%')
		FROM outbox o JOIN campaigns c ON c.id = o.campaign_id
		GROUP BY c.name, month ORDER BY c.name COLLATE NOCASE, month`)
	if err != nil {
		return nil, fmt.Errorf("cannot count campaign results: %w", err)
	}
	defer rows.Close()
	var out []MonthlyStats
	for rows.Next() {
		var m MonthlyStats
		if err := rows.Scan(&m.Campaign, &m.Month, &m.Sent, &m.Failed, &m.Bounced, &m.Skipped, &m.OptedOut); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CountOutbox counts the outbox rows of one campaign, or all when campaignID is 0.
func (s *Store) CountOutbox(ctx context.Context, campaignID int64) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE ? = 0 OR campaign_id = ?`, campaignID, campaignID).Scan(&n)
	return n, err
}
