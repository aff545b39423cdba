package data

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// copiedTables are every table of the practice's data, in an order that
// keeps foreign keys whole. schema_migrations is not among them: the
// target has its own, and both must be at the same version.
var copiedTables = []string{
	"settings", "patients", "tags", "patient_tags", "visits", "segments", "templates", "campaigns",
	"outbox", "outbox_bodies", "bounces", "inbox_state", "inbox_review", "audit_log",
	"deleted_patients", "appointments", "recall_holds", "closed_days",
}

// TableCopy is one table as copied: its rows and a checksum of them that
// does not depend on their order, the same on both engines.
type TableCopy struct {
	Table string
	Rows  int64
	Sum   string
}

// CopyProgress is how far a copy is: the table being copied and its rows
// so far, and how many tables are done of all.
type CopyProgress struct {
	Table     string
	Rows      int64
	Done, Of  int
	Verifying bool
}

// ErrTargetNotEmpty says a copy would mix two practices' data.
var ErrTargetNotEmpty = errors.New("the database to copy into already holds patients, campaigns or emails")

// CopyStore copies everything of from into to - patients, consent with its
// history, visits, tags, segments, templates, campaigns, the outbox with
// every status, bounces, the inbox's position, the audit log and the
// settings - in one transaction of to, read from one consistent snapshot
// of from. It then reads to back and compares each table's rows and
// checksum with from's; any difference undoes the whole copy. to must
// hold no practice data yet (its settings are replaced). Nothing of from
// changes.
func CopyStore(ctx context.Context, from, to *Store, progress func(CopyProgress)) ([]TableCopy, error) {
	if progress == nil {
		progress = func(CopyProgress) {}
	}
	fv, err := from.SchemaVersion()
	if err != nil {
		return nil, mapError(err)
	}
	if tv, err := to.SchemaVersion(); err != nil || tv != fv {
		return nil, fmt.Errorf("the two databases are at different versions (%d and %d): open both with this Kindly first", fv, tv)
	}
	src, err := from.db.BeginTx(ctx, from.eng.snapshot())
	if err != nil {
		return nil, mapError(err)
	}
	defer src.Rollback()
	conn, err := to.db.Conn(ctx)
	if err != nil {
		return nil, mapError(err)
	}
	defer conn.Close()
	c := &copier{ctx: ctx, src: src, dst: conn, to: to, progress: progress}
	return c.run()
}

// snapshot is a read-only transaction that sees one moment of the
// database throughout (SQLite's transactions always do).
func (e *engine) snapshot() *sql.TxOptions {
	if e.server {
		return &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	return &sql.TxOptions{ReadOnly: true}
}

// copier is one run of CopyStore. It works on one connection of the
// target with its own BEGIN and COMMIT: the server's rows go in with COPY,
// which runs on the driver's own connection.
type copier struct {
	ctx      context.Context
	src      *Tx
	dst      *sqlConn
	to       *Store
	progress func(CopyProgress)

	visitsTrigger string // the file's visits_insert trigger, while the copy has it off
}

func (c *copier) run() (copied []TableCopy, err error) {
	begin := "BEGIN IMMEDIATE"
	if c.to.eng.server {
		begin = "BEGIN"
	}
	if _, err := c.dst.ExecContext(c.ctx, begin); err != nil {
		return nil, mapError(err)
	}
	defer func() {
		if err != nil {
			c.dst.ExecContext(context.WithoutCancel(c.ctx), "ROLLBACK")
		}
	}()
	if err := c.checkEmpty(); err != nil {
		return nil, err
	}
	if err := c.quietTarget(true); err != nil {
		return nil, err
	}
	for i, table := range copiedTables {
		tc, err := c.table(table, i)
		if err != nil {
			return nil, fmt.Errorf("cannot copy %s: %w", table, mapError(err))
		}
		copied = append(copied, tc)
	}
	if err := c.quietTarget(false); err != nil {
		return nil, err
	}
	for i, want := range copied {
		c.progress(CopyProgress{Table: want.Table, Done: i, Of: len(copiedTables), Verifying: true})
		got, err := c.sum(c.dst.QueryContext, want.Table)
		if err != nil {
			return nil, fmt.Errorf("cannot check the copy of %s: %w", want.Table, mapError(err))
		}
		if got != want {
			return nil, fmt.Errorf("the copy of %s does not match: %d rows (checksum %s) where the original has %d (%s); nothing was copied",
				want.Table, got.Rows, got.Sum, want.Rows, want.Sum)
		}
	}
	if _, err := c.dst.ExecContext(c.ctx, "COMMIT"); err != nil {
		return nil, mapCommitError(err)
	}
	return copied, nil
}

// checkEmpty refuses a target that holds practice data already.
func (c *copier) checkEmpty() error {
	var n int
	err := c.dst.QueryRowContext(c.ctx, `SELECT (SELECT count(*) FROM patients) + (SELECT count(*) FROM campaigns)
		+ (SELECT count(*) FROM templates) + (SELECT count(*) FROM segments) + (SELECT count(*) FROM outbox)`).Scan(&n)
	if err != nil {
		return mapError(err)
	}
	if n > 0 {
		return ErrTargetNotEmpty
	}
	_, err = c.dst.ExecContext(c.ctx, `DELETE FROM settings`)
	return err
}

// quietTarget turns the target's bookkeeping off while the rows go in, and
// on again: the tag lists, visit summaries and outbox states are copied as
// they are, not computed again row by row. In the file, the search index
// is built once at the end; on the server, patient_facts.
func (c *copier) quietTarget(quiet bool) error {
	var stmts []string
	switch {
	case c.to.eng.server && quiet:
		for _, t := range []string{"patients", "patient_tags", "visits", "outbox"} {
			stmts = append(stmts, "ALTER TABLE "+t+" DISABLE TRIGGER USER")
		}
	case c.to.eng.server:
		for _, t := range []string{"patients", "patient_tags", "visits", "outbox"} {
			stmts = append(stmts, "ALTER TABLE "+t+" ENABLE TRIGGER USER")
		}
		// New rows go on after the highest id copied.
		for _, t := range copiedTables {
			if t == "settings" || t == "patient_tags" || t == "inbox_state" || t == "deleted_patients" ||
				t == "recall_holds" || t == "closed_days" || t == "outbox_bodies" {
				continue
			}
			stmts = append(stmts, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), coalesce(max(id), 0) + 1, false) FROM %[1]s`, t))
		}
		// The segment counts' narrow table, written once for everyone.
		stmts = append(stmts, `SELECT kindly_write_facts(NULL)`)
	case quiet:
		// The visits trigger goes, and comes back as the file had it.
		if err := c.dst.QueryRowContext(c.ctx, `SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'visits_insert'`).
			Scan(&c.visitsTrigger); err != nil {
			return fmt.Errorf("cannot prepare the copy: %w", mapError(err))
		}
		stmts = []string{`DROP TRIGGER visits_insert`, `INSERT INTO settings (key, value) VALUES ('bulk.deferred', '1')`}
	default:
		stmts = []string{`DELETE FROM settings WHERE key = 'bulk.deferred'`, c.visitsTrigger,
			`INSERT INTO patients_fts (patients_fts) VALUES ('rebuild')`}
	}
	for _, st := range stmts {
		if _, err := c.dst.ExecContext(c.ctx, st); err != nil {
			return fmt.Errorf("cannot prepare the copy: %w", mapError(err))
		}
	}
	return nil
}

// columns are a target table's columns that are written (not computed).
func (c *copier) columns(table string) ([]string, error) {
	query := `SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0 ORDER BY cid`
	if c.to.eng.server {
		query = `SELECT column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = ? AND is_generated = 'NEVER' ORDER BY ordinal_position`
	}
	rows, err := c.dst.QueryContext(c.ctx, query, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		cols = append(cols, name)
	}
	return cols, rows.Err()
}

// copyBatch is how many rows go to the target at a time.
const copyBatch = 5000

// table copies one table and returns its rows' count and checksum as read.
func (c *copier) table(table string, index int) (TableCopy, error) {
	tc := TableCopy{Table: table}
	cols, err := c.columns(table)
	if err != nil {
		return tc, err
	}
	rows, err := c.src.QueryContext(c.ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table)
	if err != nil {
		return tc, err
	}
	defer rows.Close()
	var sum uint64
	batch := make([][]any, 0, copyBatch)
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return tc, err
		}
		sum += rowHash(vals)
		tc.Rows++
		if batch = append(batch, vals); len(batch) == copyBatch {
			if err := c.write(table, cols, batch); err != nil {
				return tc, err
			}
			batch = batch[:0]
			c.progress(CopyProgress{Table: table, Rows: tc.Rows, Done: index, Of: len(copiedTables)})
		}
	}
	if err := rows.Err(); err != nil {
		return tc, err
	}
	if err := c.write(table, cols, batch); err != nil {
		return tc, err
	}
	c.progress(CopyProgress{Table: table, Rows: tc.Rows, Done: index + 1, Of: len(copiedTables)})
	tc.Sum = strconv.FormatUint(sum, 16)
	return tc, nil
}

// write puts rows into the target: the server's COPY, or the file's
// prepared INSERT.
func (c *copier) write(table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if c.to.eng.server {
		return c.dst.Raw(func(driverConn any) error {
			conn := driverConn.(*stdlib.Conn).Conn()
			_, err := conn.CopyFrom(c.ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(textValues(rows)))
			return err
		})
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	st, err := c.dst.Conn.PrepareContext(c.ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) VALUES (`+marks+`)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, r := range rows {
		if _, err := st.ExecContext(c.ctx, r...); err != nil {
			return err
		}
	}
	return nil
}

// textValues are the file's values as the server's COPY takes them: the
// file keeps yes/no and numbers as integers, and text as text.
func textValues(rows [][]any) [][]any {
	for _, r := range rows {
		for i, v := range r {
			if b, ok := v.([]byte); ok {
				r[i] = string(b)
			}
		}
	}
	return rows
}

// sum reads a table of the target back and counts and sums it as table did.
func (c *copier) sum(query func(context.Context, string, ...any) (*sql.Rows, error), table string) (TableCopy, error) {
	tc := TableCopy{Table: table}
	cols, err := c.columns(table)
	if err != nil {
		return tc, err
	}
	rows, err := query(c.ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table)
	if err != nil {
		return tc, err
	}
	defer rows.Close()
	var sum uint64
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return tc, err
		}
		sum += rowHash(vals)
		tc.Rows++
	}
	tc.Sum = strconv.FormatUint(sum, 16)
	return tc, rows.Err()
}

// rowHash is a row's hash over its values written the same way on both
// engines (an integer in decimal, text as it is, NULL apart from any text).
// Tables sum their rows' hashes: the sum does not depend on the order.
func rowHash(vals []any) uint64 {
	h := sha256.New()
	var n [8]byte
	for _, v := range vals {
		var s string
		switch v := v.(type) {
		case nil:
			h.Write([]byte{0})
			continue
		case int64:
			s = strconv.FormatInt(v, 10)
		case int32:
			s = strconv.FormatInt(int64(v), 10)
		case int:
			s = strconv.Itoa(v)
		case float64:
			s = strconv.FormatFloat(v, 'g', -1, 64)
		case bool:
			s = map[bool]string{true: "1", false: "0"}[v]
		case []byte:
			s = string(v)
		case string:
			s = v
		default:
			s = fmt.Sprint(v)
		}
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write([]byte{1})
		h.Write(n[:])
		h.Write([]byte(s))
	}
	return binary.BigEndian.Uint64(h.Sum(nil))
}
