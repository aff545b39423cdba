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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

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
			case <-ctx.Done():
				return ctx.Err()
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
		t.Sheet, t.Sheets, t.Date1904 = m.meta.Sheet, m.meta.Sheets, m.meta.Date1904 // rows are planned before the end
		t.Rows = append(t.Rows, m.rows...)
	}
	if len(t.Rows) < need {
		// A small sheet: read whole already, plan it, then write it.
		if err := finish(); err != nil {
			return nil, Result{}, err
		}
		return planAndApply(ctx, s, t, o, PlanPatients, ApplyPatients, progress)
	}

	p, err := prepare(t, o, patientFields, FieldBirthDate)
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
	total := max(hint-p.HeaderRow, len(t.Rows)-p.HeaderRow)
	p.Rows = make([]RowResult, 0, min(total, 100_000)) // the hint may be wrong: do not trust it with memory
	guess := p.decided
	err = s.WithBatch(ctx, func(b *data.Batch) error {
		next, done, expected := p.HeaderRow, 0, total >= max(5000, have)
		if expected {
			// Bulk: rebuild the indexes once at the end.
			if err := b.ExpectPatients(total); err != nil {
				return err
			}
		}
		write := func() error {
			for ; next < len(t.Rows); next++ {
				if !pl.row(next) {
					continue
				}
				wrote, err := writePatientRow(b, &p.Rows[len(p.Rows)-1])
				if err != nil || !wrote {
					if err != nil {
						return err
					}
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
						progress(min(next-p.HeaderRow, total-1), total)
					}
					if err := ctx.Err(); err != nil {
						return err
					}
				}
			}
			return ctx.Err()
		}
		if err := write(); err != nil {
			return err
		}
		for m := range chunks {
			for _, row := range m.rows {
				p.stats.add(row)
			}
			t.Rows = append(t.Rows, m.rows...)
			if err := write(); err != nil {
				return err
			}
		}
		if err := finish(); err != nil {
			return err
		}
		p.decided, p.Warnings = p.stats.decide(o)
		p.DateOrder = p.decided.order
		if p.decided != guess {
			return errDecidedOtherwise
		}
		p.count()
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
		// The sheet is read whole by now: plan and write it as a dry run would.
		if p, err = PlanPatients(ctx, s, t, o); err != nil {
			return nil, res, err
		}
		if err := p.expected(o); err != nil {
			return p, res, err
		}
		if p.Added+p.Updated > 0 {
			err = writePatients(ctx, s, p, progress)
		}
	case errors.Is(err, ErrChangedSinceCheck):
	case err != nil:
		err = fmt.Errorf("the import was not saved, nothing changed: %w", err)
	}
	if err != nil {
		return p, res, err
	}
	res.Added, res.Updated, res.Unchanged, res.Rejected = p.Added, p.Updated, p.Unchanged, p.Rejected
	return p, res, nil
}
