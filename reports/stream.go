package reports

import (
	"context"
	"errors"

	"kindly/data"
)

// headRows is how many rows a PatientStream reads before it decides the
// header, the mapping and, provisionally, the date order and postal codes.
const headRows = 2000

// ProgressAgain, as the done of a progress report, says the import starts
// over: rows far down the sheet changed how a column reads (its dates), so
// the whole file is checked again and the bar goes back to the start.
const ProgressAgain = -1

// ErrDecidedOtherwise: rows further down the sheet changed a decision
// taken from its head (the date order, the postal codes). The caller rolls
// the write back and imports the sheet again, read whole.
var ErrDecidedOtherwise = errors.New("the whole sheet decided otherwise than its first rows")

// PatientStream is a patient file imported in one pass: rows are planned
// while the file is still being read, on the other core, and written into
// the caller's transaction as they come. The result is exactly what
// PlanPatients and WritePatients would do: the decisions taken from the
// head of the sheet are checked against the whole sheet at the end
// (ErrDecidedOtherwise when rows further down change them).
//
// OpenPatients reads the head; the caller then takes its backup, opens a
// batch and calls Write in it; Close stops the reader.
type PatientStream struct {
	ctx      context.Context
	o        Options
	progress func(done, total int)

	readCtx     context.Context // ends when the import does, or a write failed
	stopReading context.CancelFunc
	chunks      chan chunk
	read        chan struct{} // closed when the reader is done
	meta        *Table
	readErr     error

	t     *Table
	hint  int  // the sheet's row count, as the file says
	whole bool // a small sheet, read whole before planning
	p     *Plan
	pl    *patientPlanner
}

type chunk struct {
	meta *Table
	rows [][]string
}

// OpenPatients starts reading a patient file and plans its head: the
// header, the mapping and the decisions the columns suggest.
func OpenPatients(ctx context.Context, s *data.Store, path string, o Options, progress func(done, total int)) (*PatientStream, error) {
	o.PreviewRows = 0 // an import plans every row
	st := &PatientStream{ctx: ctx, o: o, progress: progress, chunks: make(chan chunk, 8), read: make(chan struct{}), t: &Table{File: path}}
	st.readCtx, st.stopReading = context.WithCancel(ctx)
	go st.readFile(path)
	need := headRows + max(o.HeaderRow, 0) // a header chosen far down comes with rows below it
	for len(st.t.Rows) < need {
		m, ok := <-st.chunks
		if !ok {
			break
		}
		st.hint = m.meta.RowsHint
		// Rows are planned before the end: the file's details now.
		st.t.Sheet, st.t.Sheets, st.t.Date1904, st.t.Hidden, st.t.RowNotes = m.meta.Sheet, m.meta.Sheets, m.meta.Date1904, m.meta.Hidden, m.meta.RowNotes
		st.t.Rows = append(st.t.Rows, m.rows...)
	}
	var err error
	if len(st.t.Rows) < need { // a small sheet: read whole already, planned as a dry run is
		st.whole = true
		if err = st.finishReading(); err == nil {
			st.p, err = PlanPatients(ctx, s, st.t, o)
		}
	} else if st.p, err = prepare(ctx, s, st.t, o, patientFields, FieldBirthDate); err == nil {
		st.pl, err = newPatientPlanner(ctx, s, st.p)
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// readFile hands the file's rows to the stream in chunks.
func (st *PatientStream) readFile(path string) {
	defer close(st.read)
	defer close(st.chunks)
	st.meta, st.readErr = readTable(path, st.o.Sheet, func(t *Table, rows [][]string) error {
		select {
		case st.chunks <- chunk{t, rows}:
			return nil
		case <-st.readCtx.Done():
			return st.readCtx.Err()
		}
	})
}

// finishReading waits for the reader and gives the table the file's details.
func (st *PatientStream) finishReading() error {
	<-st.read
	if st.readErr != nil {
		return st.readErr
	}
	rows := dropTrailingEmptyRows(st.t.Rows)
	*st.t = *st.meta
	st.t.Rows = rows
	return nil
}

// Plan is the import's plan: its head before Write, the whole sheet's
// counts after (with the rejected rows and those to check).
func (st *PatientStream) Plan() *Plan { return st.p }

// Close stops the reader; the stream cannot be written after.
func (st *PatientStream) Close() {
	st.stopReading()
	<-st.read
}

// Write plans the rest of the file and writes every row into b. It fails
// with ErrChangedSinceCheck when the file does not give what its dry run
// showed (Options.Expect), and with ErrDecidedOtherwise when rows further
// down change a decision taken from the head.
func (st *PatientStream) Write(b *data.Batch) error {
	if st.whole {
		if err := st.p.CheckExpected(st.o); err != nil {
			return err
		}
		return WritePatients(st.ctx, b, st.p, st.progress)
	}
	p := st.p
	total := max(st.hint-p.HeaderRow, len(st.t.Rows)-p.HeaderRow)
	p.compact = true // the plan keeps the rejected rows and those to check, and counts the rest
	guess := p.decided
	planned := make(chan []RowResult, 4)
	planDone := make(chan struct{})
	go st.planRest(planned, planDone)
	defer func() {
		st.stopReading() // a failed write stops the planner and the reader
		<-planDone
	}()
	if err := st.writePlanned(b, planned, total); err != nil {
		return cancelled(st.ctx, err)
	}
	if err := st.finishReading(); err != nil {
		return err
	}
	p.decided, p.dateNotes = p.stats.decide(st.o)
	p.DateOrder = p.decided.order
	if p.decided != guess {
		return ErrDecidedOtherwise
	}
	if err := p.finish(); err != nil {
		return err
	}
	if err := p.CheckExpected(st.o); err != nil {
		return err
	}
	if st.progress != nil {
		st.progress(total, total)
	}
	return nil
}

// cancelled is the cancel behind a failed write, if there was one: a
// cancelled transaction fails its next statement with "statement is
// closed", which is not what happened.
func cancelled(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// planRest plans the head of the sheet and then the rows as they arrive,
// and hands them on in batches.
func (st *PatientStream) planRest(planned chan<- []RowResult, done chan<- struct{}) {
	defer close(done)
	defer close(planned)
	p, pl := st.p, st.pl
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
		case <-st.readCtx.Done():
			return false
		}
	}
	if !send(0, st.t.Rows) {
		return
	}
	n := len(st.t.Rows) // the head stays in the table; the rows below it pass through
	for m := range st.chunks {
		for _, row := range m.rows {
			p.stats.add(row)
		}
		if !send(n, m.rows) {
			return
		}
		n += len(m.rows)
	}
}

// writePlanned writes the planned rows as they come and lets them go.
func (st *PatientStream) writePlanned(b *data.Batch, planned <-chan []RowResult, total int) error {
	p, have := st.p, st.pl.ex.n
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
				if st.progress != nil {
					// The sheet's row count is a hint: stay below 100% until the end.
					st.progress(min(r.Row-1-p.HeaderRow, total-1), total)
				}
			}
		}
		if err := st.ctx.Err(); err != nil {
			return err
		}
	}
	return st.ctx.Err()
}
