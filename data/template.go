package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Template is an email's stored subject and body (merge fields are checked by the mailer).
type Template struct {
	ID      int64
	Name    string
	Subject string
	Body    string
}

// SaveTemplate creates or replaces the template with this name and sets t.ID.
func (s *Store) SaveTemplate(ctx context.Context, t *Template) error {
	if err := checkText("name", "the template's name", t.Name, MaxNameLength); err != nil {
		return err
	}
	for _, f := range []struct{ field, what, text string }{{"subject", "the subject", t.Subject}, {"body", "the email's text", t.Body}} {
		if err := checkText(f.field, f.what, f.text, 100000); err != nil {
			return err
		}
	}
	t.Name = OneLine(t.Name)
	if t.Name == "" {
		return &ValidationError{"name", "Please give the template a name."}
	}
	now := s.stamp()
	err := s.db.QueryRowContext(ctx, `INSERT INTO templates (name, subject, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET subject = excluded.subject, body = excluded.body, updated_at = excluded.updated_at
		RETURNING id`, t.Name, t.Subject, t.Body, now, now).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("cannot save the template: %w", err)
	}
	return nil
}

func (s *Store) template(ctx context.Context, where string, arg any) (Template, error) {
	var t Template
	err := s.db.QueryRowContext(ctx, `SELECT id, name, subject, body FROM templates WHERE `+where, arg).Scan(&t.ID, &t.Name, &t.Subject, &t.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("template %v: %w", arg, ErrNotFound)
	}
	return t, err
}

// TemplateByName loads a template; the name is matched ignoring case.
func (s *Store) TemplateByName(ctx context.Context, name string) (Template, error) {
	return s.template(ctx, `name = ?`, strings.TrimSpace(name))
}

// TemplateByID loads a template by id.
func (s *Store) TemplateByID(ctx context.Context, id int64) (Template, error) {
	return s.template(ctx, `id = ?`, id)
}

// Templates lists all templates by name.
func (s *Store) Templates(ctx context.Context) ([]Template, error) {
	return queryAll(ctx, s, "list templates", `SELECT id, name, subject, body FROM templates ORDER BY name COLLATE NOCASE`,
		func(row scanner) (Template, error) {
			var t Template
			err := row.Scan(&t.ID, &t.Name, &t.Subject, &t.Body)
			return t, err
		})
}
