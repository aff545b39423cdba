package reports

import (
	"context"
	"strings"
	"time"

	"kindly/data"
)

var patientExportColumns = []column{
	{"Practice ID", 12}, {"Last name", 18}, {"First name", 16}, {"Preferred name", 14}, {"Email", 32},
	{"Phone", 18}, {"Date of birth", 13}, {"Sex", 6}, {"Postal code", 11}, {"Language", 9}, {"Tags", 28},
	{"Care reminders", 15}, {"Promotions", 12}, {"Do not contact", 14}, {"Archived", 9}, {"Added", 12}, {"Notes", 40},
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ExportPatients writes patients to an xlsx file: all current patients,
// or the members of a segment when segment is not "". It returns how many.
// The database is read on one core while the sheet is written on the
// other: rows travel in chunks from a reading goroutine.
func ExportPatients(ctx context.Context, s *data.Store, segment, path string, progress func(done, total int)) (int, error) {
	rule, total, err := exportScope(ctx, s, segment)
	if err != nil {
		return 0, err
	}
	w, err := newTable(path, "Patients", patientExportColumns, total)
	if err != nil {
		return 0, err
	}
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	chunks, readErr := readForExport(readCtx, s, rule)
	n := 0
	for chunk := range chunks {
		for _, r := range chunk {
			if err = w.add(exportCells(r)...); err != nil {
				break
			}
			if n++; n%2000 == 0 && progress != nil {
				progress(n, total)
			}
		}
		if err != nil {
			stopReading()
			for range chunks { // let the reader finish
			}
			break
		}
	}
	if err == nil {
		err = *readErr
	}
	if err != nil {
		w.discard()
		return 0, err
	}
	if err := w.save(); err != nil {
		return 0, err
	}
	if progress != nil {
		progress(n, n)
	}
	return n, nil
}

// exportScope is who an export holds - a segment's rule, or nil for all
// current patients - and how many they are.
func exportScope(ctx context.Context, s *data.Store, segment string) (*data.Rule, int, error) {
	if segment == "" {
		n, err := s.CountPatients(ctx, data.PatientQuery{})
		return nil, n, err
	}
	seg, err := s.SegmentByName(ctx, segment)
	if err != nil {
		return nil, 0, err
	}
	n, err := s.SegmentCount(ctx, seg.Rule)
	return &seg.Rule, n, err
}

// exportRow is a patient with their tags, as the export reads them.
type exportRow struct {
	p    data.Patient
	tags string
}

// exportCells are a patient's cells in the export's columns.
func exportCells(r exportRow) []any {
	p := r.p
	return []any{p.ExternalID, p.LastName, p.FirstName, p.PreferredName, p.Email, p.Phone,
		p.BirthDate, p.Sex, p.PostalCode, p.Language, r.tags,
		strings.ReplaceAll(p.CareConsent, "_", " "), strings.ReplaceAll(p.PromoConsent, "_", " "),
		yesNo(p.DoNotContact), yesNo(p.Archived), p.CreatedAt, p.Notes}
}

// readForExport reads the patients in chunks of 256 on a goroutine of its
// own; the reader's error is set when the channel closes.
func readForExport(ctx context.Context, s *data.Store, rule *data.Rule) (<-chan []exportRow, *error) {
	chunks := make(chan []exportRow, 4)
	var readErr error
	go func() {
		defer close(chunks)
		chunk := make([]exportRow, 0, 256)
		readErr = s.EachPatientForExport(ctx, rule, false, func(p data.Patient, tags string) error {
			if chunk = append(chunk, exportRow{p, tags}); len(chunk) == cap(chunk) {
				select {
				case chunks <- chunk:
				case <-ctx.Done():
					return ctx.Err()
				}
				chunk = make([]exportRow, 0, 256)
			}
			return nil
		})
		if readErr == nil && len(chunk) > 0 {
			chunks <- chunk
		}
	}()
	return chunks, &readErr
}

var logColumns = []column{
	{"Campaign", 24}, {"Occurrence", 12}, {"Patient", 24}, {"Email", 32}, {"Subject", 40},
	{"Status", 10}, {"Reason", 40}, {"Attempts", 9}, {"Queued", 12}, {"Sent", 12},
}

// ExportLog writes the send log (every outbox row, or one campaign's when
// campaign is not "") to an xlsx file and returns how many rows.
func ExportLog(ctx context.Context, s *data.Store, campaign, path string) (int, error) {
	var id int64
	if campaign != "" {
		c, err := s.CampaignByName(ctx, campaign)
		if err != nil {
			return 0, err
		}
		id = c.ID
	}
	total, err := s.CountOutbox(ctx, id)
	if err != nil {
		return 0, err
	}
	w, err := newTable(path, "Send log", logColumns, total)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.EachOutboxEntry(ctx, id, func(e data.OutboxEntry) error {
		n++
		return w.add(e.Campaign, e.Occurrence, e.PatientName, e.Email, e.Subject, e.Status, e.Reason, e.Attempts, e.QueuedAt, e.SentAt)
	})
	if err != nil {
		w.discard()
		return 0, err
	}
	if err := w.save(); err != nil {
		return 0, err
	}
	return n, nil
}

var calendarColumns = []column{{"Campaign", 28}, {"Purpose", 14}, {"Status", 11}, {"Schedule", 50}, {"Created", 12}, {"Changed", 12}}

// ExportCalendar writes the campaigns and their schedules to an xlsx file.
func ExportCalendar(ctx context.Context, s *data.Store, path string) (int, error) {
	cs, err := s.Campaigns(ctx)
	if err != nil {
		return 0, err
	}
	w, err := newTable(path, "Calendar", calendarColumns, len(cs))
	if err != nil {
		return 0, err
	}
	for _, c := range cs {
		purpose := "care reminder"
		if c.Purpose == data.PurposePromotion {
			purpose = "promotion"
		}
		if err := w.add(c.Name, purpose, c.Status, c.Schedule, c.CreatedAt, c.UpdatedAt); err != nil {
			w.discard()
			return 0, err
		}
	}
	if err := w.save(); err != nil {
		return 0, err
	}
	return len(cs), nil
}

// WriteRejects writes a plan's rejected rows, as they were, plus a
// "reason" column, so they can be fixed and imported again.
func WriteRejects(p *Plan, path string) (int, error) {
	cols := make([]column, 0, len(p.Header)+2)
	cols = append(cols, column{"Row", 6}, column{"Reason", 40})
	for _, h := range p.Header {
		cols = append(cols, column{h, 16})
	}
	w, err := newTable(path, "Rejected rows", cols, p.Rejected)
	if err != nil {
		return 0, err
	}
	// Date columns are written as dates, as the practice saw them: a
	// workbook's raw cell holds the serial number ("42991").
	dateCols := map[int]bool{}
	for _, f := range []Field{FieldBirthDate, FieldVisitDate} {
		if col, ok := p.cols[f]; ok {
			dateCols[col] = true
		}
	}
	today := data.DateOf(time.Now())
	n := 0
	for _, r := range p.Rows {
		if r.Action != ActionReject {
			continue
		}
		vals := []any{r.Row, r.Reason}
		for i, c := range r.Cells {
			if dateCols[i] {
				if d, err := parseDate(c, p.DateOrder, p.Table.Date1904, today); err == nil {
					vals = append(vals, d)
					continue
				}
			}
			vals = append(vals, c)
		}
		if err := w.add(vals...); err != nil {
			w.discard()
			return 0, err
		}
		n++
	}
	return n, w.save()
}

var recipientColumns = []column{{"Patient", 28}, {"Email", 30}, {"Gets it", 9}, {"Result", 11}, {"When", 17}, {"Why not", 50}, {"Patient number", 14}}

// ExportRecipients writes who a campaign's email went to, when and with
// what result, then who its next send emails and who it skips, with the
// reason (rows as workflow.Recipients lists them); times in loc.
func ExportRecipients(rows []data.Recipient, loc *time.Location, path string) (int, error) {
	w, err := newTable(path, "Recipients", recipientColumns, len(rows))
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		gets := "yes"
		if !r.Gets {
			gets = "no"
		}
		when := ""
		if r.Result != "" && !r.At.IsZero() { // handled already; "" is the next send's
			when = r.At.In(loc).Format("2006-01-02 15:04")
		}
		if err := w.add(r.Name, r.Email, gets, r.Result, when, r.Reason, r.PatientID); err != nil {
			w.discard()
			return 0, err
		}
	}
	if err := w.save(); err != nil {
		return 0, err
	}
	return len(rows), nil
}
