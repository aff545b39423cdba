package data

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// engine is what differs between the two databases Kindly runs on: SQLite
// (a file on this computer, the default) and PostgreSQL (the practice's
// server, shared by every computer). The store's SQL is written once, in
// SQLite's words with ? for each argument; the few phrases that differ
// are the engine's methods, and a statement is rewritten for PostgreSQL
// ($1, $2, ...) once and remembered.
type engine struct {
	server  bool     // PostgreSQL
	rebinds sync.Map // SQLite statement -> PostgreSQL statement
	cached  atomic.Int64
}

var sqliteEngine = &engine{}

// Server says whether the store is the practice's PostgreSQL server.
func (s *Store) Server() bool { return s.eng.server }

// migrations are the engine's schema steps, numbered alike on both.
func (e *engine) migrations() string {
	if e.server {
		return "migrations/postgres/*.sql"
	}
	return "migrations/*.sql"
}

// addMonths is the date (text) months after the date expr: SQLite's
// date(), whose day past a month's end runs into the next month (31
// August and 6 months: 3 March), and the server's function that does the
// same (kindly_add_months, migration 010).
func (e *engine) addMonths(expr string, months int) string {
	if e.server {
		return fmt.Sprintf("kindly_add_months(%s, %d)", expr, months)
	}
	return fmt.Sprintf("date(%s, '+%d months')", expr, months)
}

// forUpdate locks the rows a transaction reads to change them: on the
// server, another computer's transaction waits for it; SQLite's write
// transactions hold the whole file already.
func (e *engine) forUpdate() string {
	if e.server {
		return " FOR UPDATE"
	}
	return ""
}

// tuning says whether query is one of SQLite's settings for a connection
// (PRAGMA cache_size, wal_checkpoint, secure_delete...): the server tunes
// itself, and the statement is left out there.
func (e *engine) tuning(query string) bool {
	return e.server && strings.HasPrefix(strings.TrimSpace(query), "PRAGMA ")
}

// sql is query as this engine reads it.
func (e *engine) sql(query string) string {
	if !e.server {
		return query
	}
	if q, ok := e.rebinds.Load(query); ok {
		return q.(string)
	}
	q := rebind(query)
	for _, ph := range serverPhrases {
		q = ph.from.ReplaceAllString(q, ph.to)
	}
	if e.cached.Add(1) < maxCached { // segment rules make new statements without end
		e.rebinds.Store(query, q)
	}
	return q
}

// maxCached is how many rewritten statements the engine remembers; the
// rest are rewritten each time.
const maxCached = 10000

// serverPhrases are SQLite's words in the store's SQL and PostgreSQL's for
// them (applied after rebind, so arguments are $N).
var serverPhrases = []struct {
	from *regexp.Regexp
	to   string
}{
	// A list of ids, and of id pairs, that travels as one JSON argument.
	{regexp.MustCompile(`SELECT value FROM json_each\(\$(\d+)\)`), "SELECT value::bigint FROM jsonb_array_elements_text($$$1) AS value"},
	{regexp.MustCompile(`value ->> 0, value ->> 1 FROM json_each\(\$(\d+)\)`),
		"(value ->> 0)::bigint, (value ->> 1)::bigint FROM jsonb_array_elements($$$1) AS value"},
	{regexp.MustCompile(`\bchar\((3[01])\)`), "chr($1)"},
	{regexp.MustCompile(`\bgroup_concat\(`), "string_agg("},
	// SQLite's max of two values.
	{regexp.MustCompile(`max\(last_uid, excluded\.last_uid\)`), "greatest(inbox_state.last_uid, excluded.last_uid)"},
	{regexp.MustCompile(`attempts = max\(attempts - `), "attempts = greatest(attempts - "},
	// SQLite's unary + keeps its planner off an index; PostgreSQL's text has no unary +.
	{regexp.MustCompile(`(^|[\s(])\+([a-z])`), "$1$2"},
}

// args are a statement's arguments as this engine takes them: SQLite's
// integers stand for yes and no, and PostgreSQL's driver does not turn a
// bool into one.
func (e *engine) args(args []any) []any {
	if !e.server {
		return args
	}
	copied := false
	for i, a := range args {
		if b, ok := a.(bool); ok {
			if !copied { // the caller's slice stays as it was
				args, copied = append([]any(nil), args...), true
			}
			if args[i] = int64(0); b {
				args[i] = int64(1)
			}
		}
	}
	return args
}

// rebind turns SQLite's ? and ?N into PostgreSQL's $N, leaving quoted text,
// quoted names and comments as they are.
func rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(query[i+1:], c)
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+2])
			i += j + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+1])
			i += j
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			b.WriteByte('$')
			if j > i+1 {
				b.WriteString(query[i+1 : j])
			} else {
				n++
				b.WriteString(strconv.Itoa(n))
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// sqlDB is the store's connection pool, speaking its engine's SQL.
type sqlDB struct {
	*sql.DB
	eng *engine
}

func (d sqlDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if d.eng.tuning(query) {
		return driver.RowsAffected(0), nil
	}
	return d.DB.ExecContext(ctx, d.eng.sql(query), d.eng.args(args)...)
}

func (d sqlDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.DB.QueryContext(ctx, d.eng.sql(query), d.eng.args(args)...)
}

func (d sqlDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return d.DB.QueryRowContext(ctx, d.eng.sql(query), d.eng.args(args)...)
}

func (d sqlDB) Exec(query string, args ...any) (sql.Result, error) {
	return d.ExecContext(context.Background(), query, args...)
}

func (d sqlDB) Query(query string, args ...any) (*sql.Rows, error) {
	return d.QueryContext(context.Background(), query, args...)
}

func (d sqlDB) QueryRow(query string, args ...any) *sql.Row {
	return d.QueryRowContext(context.Background(), query, args...)
}

func (d sqlDB) PrepareContext(ctx context.Context, query string) (*Stmt, error) {
	st, err := d.DB.PrepareContext(ctx, d.eng.sql(query))
	if err != nil {
		return nil, err
	}
	return &Stmt{Stmt: st, eng: d.eng}, nil
}

func (d sqlDB) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	tx, err := d.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Tx{Tx: tx, eng: d.eng}, nil
}

func (d sqlDB) Conn(ctx context.Context) (*sqlConn, error) {
	c, err := d.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &sqlConn{Conn: c, eng: d.eng}, nil
}

// sqlConn is one connection of the pool, speaking its engine's SQL.
type sqlConn struct {
	*sql.Conn
	eng *engine
}

func (c *sqlConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if c.eng.tuning(query) {
		return driver.RowsAffected(0), nil
	}
	return c.Conn.ExecContext(ctx, c.eng.sql(query), c.eng.args(args)...)
}

func (c *sqlConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.Conn.QueryContext(ctx, c.eng.sql(query), c.eng.args(args)...)
}

func (c *sqlConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return c.Conn.QueryRowContext(ctx, c.eng.sql(query), c.eng.args(args)...)
}

func (c *sqlConn) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	tx, err := c.Conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Tx{Tx: tx, eng: c.eng}, nil
}

// Tx is one transaction of the store, speaking its engine's SQL.
type Tx struct {
	*sql.Tx
	eng *engine
}

func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.eng.tuning(query) {
		return driver.RowsAffected(0), nil
	}
	return t.Tx.ExecContext(ctx, t.eng.sql(query), t.eng.args(args)...)
}

func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.eng.sql(query), t.eng.args(args)...)
}

func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.eng.sql(query), t.eng.args(args)...)
}

func (t *Tx) PrepareContext(ctx context.Context, query string) (*Stmt, error) {
	st, err := t.Tx.PrepareContext(ctx, t.eng.sql(query))
	if err != nil {
		return nil, err
	}
	return &Stmt{Stmt: st, eng: t.eng}, nil
}

// StmtContext is st within the transaction.
func (t *Tx) StmtContext(ctx context.Context, st *Stmt) *Stmt {
	return &Stmt{Stmt: t.Tx.StmtContext(ctx, st.Stmt), eng: t.eng}
}

// Stmt is a prepared statement of the store, taking its engine's arguments.
type Stmt struct {
	*sql.Stmt
	eng *engine
}

func (st *Stmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return st.Stmt.ExecContext(ctx, st.eng.args(args)...)
}

func (st *Stmt) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	return st.Stmt.QueryContext(ctx, st.eng.args(args)...)
}

func (st *Stmt) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return st.Stmt.QueryRowContext(ctx, st.eng.args(args)...)
}
