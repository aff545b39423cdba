package data

import (
	"context"
	"fmt"
)

// scanner is a row to read: *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// eachRow runs a query and reads its rows one at a time with read; what
// names the query in errors ("list campaigns").
func (s *Store) eachRow(ctx context.Context, what, query string, args []any, read func(row scanner) error) error {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("cannot %s: %w", what, mapError(err))
	}
	defer rows.Close()
	for rows.Next() {
		if err := read(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("cannot %s: %w", what, mapError(err))
	}
	return nil
}

// queryAll runs a query and reads every row with scan.
func queryAll[T any](ctx context.Context, s *Store, what, query string, scan func(scanner) (T, error), args ...any) ([]T, error) {
	var out []T
	err := s.eachRow(ctx, what, query, args, func(row scanner) error {
		v, err := scan(row)
		if err == nil {
			out = append(out, v)
		}
		return err
	})
	return out, err
}
