package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Segment is a saved, always-live group of patients.
type Segment struct {
	ID        int64
	Name      string
	Rule      Rule
	CreatedAt time.Time
	UpdatedAt time.Time
	// Damaged says why the saved rules cannot be read (SegmentList only).
	Damaged error
}

// SaveSegment creates or replaces the segment with this name.
func (s *Store) SaveSegment(ctx context.Context, name string, r Rule) (Segment, error) {
	if err := checkText("name", "the segment's name", name, MaxNameLength); err != nil {
		return Segment{}, err
	}
	name = OneLine(name)
	if name == "" {
		return Segment{}, &ValidationError{"name", "Please give the segment a name."}
	}
	if err := r.Validate(); err != nil {
		return Segment{}, err
	}
	// Compile once so a reference to a missing segment, or to itself, is refused now.
	c, err := s.compilerFor(ctx)
	if err != nil {
		return Segment{}, err
	}
	c.open = []string{name}
	expr, args, err := c.compile(r)
	if err != nil {
		return Segment{}, err
	}
	if _, err := c.query(expr, args); err != nil { // too big is refused now, not when counted
		return Segment{}, err
	}
	now := s.stamp()
	var seg Segment
	err = s.db.QueryRowContext(ctx, `INSERT INTO segments (name, rules, created_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at
		RETURNING id`, name, r.JSON(), now, now).Scan(&seg.ID)
	if err != nil {
		return Segment{}, fmt.Errorf("cannot save the segment: %w", err)
	}
	return s.SegmentByID(ctx, seg.ID)
}

// SegmentByName loads a segment; the name is matched ignoring case.
func (s *Store) SegmentByName(ctx context.Context, name string) (Segment, error) {
	return s.segment(ctx, `name = ?`, strings.TrimSpace(name))
}

// SegmentByID loads a segment by id.
func (s *Store) SegmentByID(ctx context.Context, id int64) (Segment, error) {
	return s.segment(ctx, `id = ?`, id)
}

func (s *Store) segment(ctx context.Context, where string, arg any) (Segment, error) {
	row := s.db.QueryRowContext(ctx, `SELECT id, name, rules, created_at, updated_at FROM segments WHERE `+where, arg)
	seg, err := scanSegment(row)
	if errors.Is(err, sql.ErrNoRows) {
		return seg, fmt.Errorf("segment %v: %w", arg, ErrNotFound)
	}
	return seg, err
}

func scanSegment(row scanner) (Segment, error) {
	var seg Segment
	var rules, created, updated string
	if err := row.Scan(&seg.ID, &seg.Name, &rules, &created, &updated); err != nil {
		return seg, err
	}
	r, err := ParseRule(rules)
	if err != nil {
		return seg, fmt.Errorf("the saved rules of segment %q are damaged: %w", seg.Name, err)
	}
	seg.Rule = r
	seg.CreatedAt, _ = time.Parse(time.RFC3339, created)
	seg.UpdatedAt, _ = time.Parse(time.RFC3339, updated)
	return seg, nil
}

const listSegmentsSQL = `SELECT id, name, rules, created_at, updated_at FROM segments ORDER BY name COLLATE NOCASE`

// SegmentList lists all segments by name for the practice to see, a
// segment whose saved rules are damaged among them, with Damaged saying
// why (its Rule is empty: never count or send with it).
func (s *Store) SegmentList(ctx context.Context) ([]Segment, error) {
	return queryAll(ctx, s, "list segments", listSegmentsSQL,
		func(row scanner) (Segment, error) {
			seg, err := scanSegment(row)
			if err != nil && seg.Name != "" {
				seg.Rule, seg.Damaged = Rule{}, err
				return seg, nil
			}
			return seg, err
		})
}

// Segments lists all segments by name.
func (s *Store) Segments(ctx context.Context) ([]Segment, error) {
	return queryAll(ctx, s, "list segments", listSegmentsSQL, scanSegment)
}

// DeleteSegment removes a segment that no campaign and no other segment uses.
func (s *Store) DeleteSegment(ctx context.Context, id int64) error {
	seg, err := s.SegmentByID(ctx, id)
	if err != nil {
		return err
	}
	all, err := s.Segments(ctx)
	if err != nil {
		return err
	}
	for _, other := range all {
		if other.ID != id && other.Rule.refersTo(seg.Name) {
			return Problemf(KindInUse, HintNone, seg.Name, fmt.Sprintf("The segment %q is used by the segment %q; change that one first.", seg.Name, other.Name), ErrInUse)
		}
	}
	err = s.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM segments WHERE id = ?`, id); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, "delete", fmt.Sprintf("segment %q deleted", seg.Name))
	})
	if errors.Is(mapError(err), ErrInUse) { // at the delete, or at the commit
		return Problemf(KindInUse, HintNone, seg.Name, fmt.Sprintf("The segment %q is used by a campaign; change the campaign first.", seg.Name), err)
	}
	return err
}

func (r Rule) refersTo(name string) bool {
	if r.Kind == KindSegment && strings.EqualFold(strings.TrimSpace(r.Value), name) {
		return true
	}
	for _, c := range r.Rules {
		if c.refersTo(name) {
			return true
		}
	}
	return false
}

func (s *Store) compilerFor(ctx context.Context) (*compiler, error) {
	return s.compilerOver(ctx, false)
}

// ruleTable is the table a compiler's rules read as "p".
func ruleTable(facts bool) string {
	if facts {
		return "patient_facts"
	}
	return "patients"
}

// compilerOver is a compiler over patients, or, with facts on the
// practice server, over patient_facts (counting only: it holds the rule
// columns, no names or addresses).
func (s *Store) compilerOver(ctx context.Context, facts bool) (*compiler, error) {
	loc, err := s.Location(ctx)
	if err != nil {
		return nil, err
	}
	table := ruleTable(facts)
	return &compiler{
		today: DateOf(s.Now().In(loc)),
		loc:   loc,
		facts: facts,
		lookup: func(name string) (Rule, error) {
			seg, err := s.SegmentByName(ctx, name)
			return seg.Rule, err
		},
		members: func(where string, args []any) ([]int64, error) {
			var ids []int64
			err := s.eachRow(ctx, "select a segment within the segment", `SELECT p.id FROM `+table+` p WHERE +p.archived = 0 AND `+where, args, func(rows scanner) error {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				ids = append(ids, id)
				return nil
			})
			return ids, err
		},
	}, nil
}

// SegmentSQL compiles a rule tree into a WHERE expression over "patients p"
// (archived patients excluded) and the WITH clause it needs, for other
// packages that select recipients.
func (s *Store) SegmentSQL(ctx context.Context, r Rule) (SegmentQuery, error) {
	return s.segmentSQL(ctx, r, false)
}

func (s *Store) segmentSQL(ctx context.Context, r Rule, facts bool) (SegmentQuery, error) {
	if err := r.Validate(); err != nil {
		return SegmentQuery{}, err
	}
	c, err := s.compilerOver(ctx, facts)
	if err != nil {
		return SegmentQuery{}, err
	}
	expr, args, err := c.compile(r)
	if err != nil {
		return SegmentQuery{}, err
	}
	return c.query("+p.archived = 0 AND "+expr, args)
}

// SegmentCount counts the patients a rule tree selects today. On the
// practice server it counts from patient_facts, the patients' rule
// columns kept narrow for it.
func (s *Store) SegmentCount(ctx context.Context, r Rule) (int, error) {
	q, err := s.segmentSQL(ctx, r, s.eng.server)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+ruleTable(s.eng.server)+` p WHERE `+q.Where, q.Args(nil)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("cannot count the segment: %w", err)
	}
	return n, nil
}

// SegmentMembers lists one page of the patients a rule tree selects, by name.
func (s *Store) SegmentMembers(ctx context.Context, r Rule, offset, limit int) ([]Patient, error) {
	q, err := s.SegmentSQL(ctx, r)
	if err != nil {
		return nil, err
	}
	return s.queryPatients(ctx, "list the segment", `SELECT `+patientColumns+` FROM patients p WHERE `+q.Where+`
		ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE, p.id LIMIT ? OFFSET ?`, q.Args(nil, limit, offset)...)
}

// Reason says whether one rule holds for one patient, with the reasons of
// its parts for a group.
type Reason struct {
	Text  string // the rule in words
	Holds bool
	Parts []Reason
}

// Explain tells why a patient is in or out of the segment a rule tree
// describes: which conditions hold and which fail.
func (s *Store) Explain(ctx context.Context, r Rule, patientID int64) (Reason, error) {
	if err := r.Validate(); err != nil {
		return Reason{}, err
	}
	p, err := s.Patient(ctx, patientID)
	if err != nil {
		return Reason{}, err
	}
	c, err := s.compilerFor(ctx)
	if err != nil {
		return Reason{}, err
	}
	why, err := s.explain(ctx, c, r, patientID)
	if err != nil {
		return Reason{}, err
	}
	why.Text = r.Sentence()
	if p.Archived {
		// Archived patients are in no segment, whatever the rules say.
		why = Reason{Text: why.Text, Holds: false, Parts: append([]Reason{{Text: "The patient is archived (moved away or deceased)", Holds: false}}, why.Parts...)}
	}
	return why, nil
}

func (s *Store) explain(ctx context.Context, c *compiler, r Rule, patientID int64) (Reason, error) {
	why := Reason{Text: r.phrase(true)}
	if r.Kind == KindAll || r.Kind == KindAny {
		why.Holds = r.Kind == KindAll || len(r.Rules) == 0
		for _, child := range r.Rules {
			part, err := s.explain(ctx, c, child, patientID)
			if err != nil {
				return why, err
			}
			why.Parts = append(why.Parts, part)
			if r.Kind == KindAll {
				why.Holds = why.Holds && part.Holds
			} else {
				why.Holds = why.Holds || part.Holds
			}
		}
		return why, nil
	}
	expr, args, err := c.compile(r)
	if err != nil {
		return why, err
	}
	q, err := c.query(expr, args)
	if err != nil {
		return why, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT `+q.Where+` FROM patients p WHERE p.id = ?`, q.Args(nil, patientID)...).Scan(&why.Holds); err != nil {
		return why, fmt.Errorf("cannot check the rule %q: %w", why.Text, err)
	}
	return why, nil
}
