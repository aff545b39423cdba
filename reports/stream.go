package reports

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"kindly/data"
)

// headRows is how many rows ImportPatients reads before it decides the
// header, the mapping and, provisionally, the date order and postal codes.
const headRows = 2000

// ProgressAgain, as the done of a progress report, says the import starts
// over: rows far down the sheet changed how a column reads (its dates), so
// the whole file is checked again and the bar goes back to the start.
const ProgressAgain = -1

// errDecidedOtherwise: rows further down the sheet changed a decision
// taken from its head, so the streamed write is rolled back and redone.
var errDecidedOtherwise = errors.New("the whole sheet decided otherwise than its first rows")

// errNothingWritten rolls back a streamed import in which every row was
// unchanged or rejected.
var errNothingWritten = errors.New("nothing to write")

// ImportPatients imports a patient file in one pass: rows are planned and
// written while the file is still being read, on the other core. The
// result is exactly what PlanPatients and ApplyPatients would do: the
// decisions taken from the head of the sheet (date order, postal codes)
// are checked against the whole sheet at the end and, if rows further
// down change them, the write is rolled back and redone from the whole
// sheet. As with ApplyPatients, a backup comes first and the write is one
// transaction: every row lands, or none does.
func ImportPatients(ctx context.Context, s *data.Store, path string, o Options, progress func(done, total int)) (*Plan, Result, error) {
	o.PreviewRows = 0 // an import plans every row
	// The reader and the planner stop when the import does.
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()

	type message struct {
		meta *Table
		rows [][]string
	}
	chunks := make(chan message, 8)
	var meta *Table
	var readErr error
	read := make(chan struct{})
	go func() {
		defer close(read)
		defer close(chunks)
		meta, readErr = readTable(path, o.Sheet, func(t *Table, rows [][]string) error {
			select {
			case chunks <- message{t, rows}:
				return nil
			case <-readCtx.Done():
				return readCtx.Err()
			}
		})
	}()
	// finish waits for the reader and gives the table its file details.
	t := &Table{File: path}
	finish := func() error {
		<-read
		if readErr != nil {
			return readErr
		}
		rows := dropTrailingEmptyRows(t.Rows)
		*t = *meta
		t.Rows = rows
		return nil
	}

	hint, need := 0, headRows+max(o.HeaderRow, 0) // a header chosen far down comes with rows below it
	for len(t.Rows) < need {
		m, ok := <-chunks
		if !ok {
			break
		}
		hint = m.meta.RowsHint
		// Rows are planned before the end: the file's details now.
		t.Sheet, t.Sheets, t.Date1904, t.Hidden, t.RowNotes = m.meta.Sheet, m.meta.Sheets, m.meta.Date1904, m.meta.Hidden, m.meta.RowNotes
		t.Rows = append(t.Rows, m.rows...)
	}
	if len(t.Rows) < need {
		// A small sheet: read whole already, plan it, then write it.
		if err := finish(); err != nil {
			return nil, Result{}, err
		}
		return planAndApply(ctx, s, t, o, PlanPatients, ApplyPatients, progress)
	}

	p, err := prepare(ctx, s, t, o, patientFields, FieldBirthDate)
	if err != nil {
		return nil, Result{}, err
	}
	pl, err := newPatientPlanner(ctx, s, p)
	if err != nil {
		return nil, Result{}, err
	}
	have := pl.ex.n
	res := Result{}
	if res.Backup, err = s.Backup(ctx, "before import"); err != nil {
		return nil, res, err
	}
	changed := false // nothing changed: the backup is only a copy of what is there
	defer func() {
		if !changed {
			s.DiscardBackup(res.Backup)
		}
	}()
	total := max(hint-p.HeaderRow, len(t.Rows)-p.HeaderRow)
	// Three steps run at once: the reader above; a planner, which plans
	// the rows as they arrive; and the writer below, which writes them and
	// lets them go - the plan keeps the rejected rows and those to check,
	// and counts the rest.
	p.compact = true
	guess := p.decided
	planned := make(chan []RowResult, 4)
	planDone := make(chan struct{})
	go func() {
		defer close(planDone)
		defer close(planned)
		send := func(base int, rows [][]string) bool {
			batch := make([]RowResult, 0, len(rows))
			for j, cells := range rows {
				batch = append(batch, RowResult{})
				if i := base + j; i < p.HeaderRow || !pl.row(i, cells, &batch[len(batch)-1]) { // the header and the rows above it are not patients
					batch = batch[:len(batch)-1]
				}
			}
			select {
			case planned <- batch:
				return true
			case <-readCtx.Done():
				return false
			}
		}
		if !send(0, t.Rows) {
			return
		}
		n := len(t.Rows) // the head stays in the table; the rows below it pass through
		for m := range chunks {
			for _, row := range m.rows {
				p.stats.add(row)
			}
			if !send(n, m.rows) {
				return
			}
			n += len(m.rows)
		}
	}()
	err = s.WithBatch(ctx, func(b *data.Batch) error {
		defer func() {
			stopReading() // a failed write stops the planner and the reader
			<-planDone
		}()
		done, expected := 0, total >= max(5000, have)
		if expected {
			// Bulk: rebuild the indexes once at the end.
			if err := b.ExpectPatients(total); err != nil {
				return err
			}
		}
		for batch := range planned {
			for k := range batch {
				r := &batch[k]
				p.tally(r)
				wrote, err := writePatientRow(b, r)
				if err != nil {
					return err
				}
				if r.notable() {
					p.Rows = append(p.Rows, *r)
				}
				if !wrote {
					continue
				}
				if done++; done%1000 == 0 {
					if !expected && done >= max(5000, have) {
						expected = true
						if err := b.ExpectPatients(max(done, total)); err != nil {
							return err
						}
					}
					if progress != nil {
						// The sheet's row count is a hint: stay below 100% until the end.
						progress(min(r.Row-1-p.HeaderRow, total-1), total)
					}
				}
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := finish(); err != nil {
			return err
		}
		p.decided, p.dateNotes = p.stats.decide(o)
		p.DateOrder = p.decided.order
		if p.decided != guess {
			return errDecidedOtherwise
		}
		if err := p.finish(); err != nil {
			return err
		}
		if err := p.expected(o); err != nil {
			return err
		}
		if progress != nil {
			progress(total, total)
		}
		if p.Added+p.Updated == 0 {
			return errNothingWritten // as ApplyPatients: no audit line for an import that changed nothing
		}
		return b.Audit("import", fmt.Sprintf("patients from %s (sheet %s): %s", filepath.Base(t.File), t.Sheet, p.Summary()))
	})
	switch {
	case errors.Is(err, errNothingWritten):
		err = nil
	case errors.Is(err, errDecidedOtherwise):
		// Read the sheet again, whole, and plan and write it as a dry run
		// would; the progress starts over, and says so.
		if progress != nil {
			progress(ProgressAgain, total)
		}
		var whole *Table
		if whole, err = ReadTable(path, t.Sheet); err != nil {
			return nil, res, err
		}
		if p, err = PlanPatients(ctx, s, whole, o); err != nil {
			return nil, res, err
		}
		if err := p.expected(o); err != nil {
			return p, res, err
		}
		if p.Added+p.Updated > 0 {
			err = writePatients(ctx, s, p, progress)
		}
	case errors.Is(err, ErrChangedSinceCheck), errors.Is(err, ErrNoRows):
	case err != nil && ctx.Err() != nil:
		// Cancelled: the transaction was rolled back under a statement in
		// use ("statement is closed"); the cause is the cancel.
		err = fmt.Errorf("the import was not saved, nothing changed: %w", ctx.Err())
	case err != nil:
		err = fmt.Errorf("the import was not saved, nothing changed: %w", err)
	}
	if err != nil {
		return p, res, err
	}
	res.Counts = p.Counts()
	if changed = p.Added+p.Updated > 0; !changed {
		res.Backup = ""
	}
	return p, res, nil
}
