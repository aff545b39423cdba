package data

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Batch writes many patients, tags and visits in one transaction: all of
// them land, or none (imports and sample data use it).
type Batch struct {
	s          *Store
	ctx        context.Context
	tx         *Tx
	addPatient *Stmt
	updPatient *Stmt
	addVisit   *Stmt
	keepOld    *Stmt            // remembers a patient's indexed values before a change
	touched    []int64          // stored patients changed: indexed for search again at the end
	firstAdded int64            // the ids of the patients added, first to last (0: none);
	lastAdded  int64            // they are indexed for search at the end
	tagged     [][2]any         // (patient id, tag id) pairs not written yet
	retag      []int64          // patients whose tag list is rebuilt at the end
	tagIDs     map[string]int64 // tag name (lower case) -> id, filled as tags are used
	dropped    []string         // CREATE INDEX and TRIGGER statements to run again at the end
	server     serverBatch      // on the server: what is kept to write a lot at a time
}

// ExpectPatients tells the batch how many patients it is about to write.
// When that is many, and more than the practice has, the patients' and
// visits' secondary indexes are dropped now and built again at the end of
// the batch: one sorted build is much faster than 100,000 single inserts.
// It all happens inside the batch's transaction, so a failure restores them.
func (b *Batch) ExpectPatients(n int) error {
	var have int
	if err := b.tx.QueryRowContext(b.ctx, `SELECT count(*) FROM patients`).Scan(&have); err != nil {
		return err
	}
	if n < 5000 || n < have || len(b.dropped) > 0 {
		return nil
	}
	// The search-index trigger on new patients goes too: it does nothing
	// in a batch, but checking that costs a sub-program per row. On the
	// server, the indexes that do not keep a value unique go (the others
	// decide what a row is).
	query := `SELECT type, name, sql FROM sqlite_schema
		WHERE (type = 'index' AND tbl_name IN ('patients', 'visits') AND sql IS NOT NULL)
		OR (type = 'trigger' AND name = 'patients_fts_insert')`
	if b.s.eng.server {
		query = `SELECT 'index', c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
			JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
			WHERE t.relname IN ('patients', 'visits') AND t.relnamespace = current_schema()::regnamespace
			AND NOT x.indisunique AND NOT x.indisprimary`
	}
	rows, err := b.tx.QueryContext(b.ctx, query)
	if err != nil {
		return err
	}
	var drops []string
	for rows.Next() {
		var typ, name, def string
		if err := rows.Scan(&typ, &name, &def); err != nil {
			rows.Close()
			return err
		}
		drops = append(drops, `DROP `+strings.ToUpper(typ)+` "`+name+`"`)
		b.dropped = append(b.dropped, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, drop := range drops {
		if _, err := b.tx.ExecContext(b.ctx, drop); err != nil {
			return fmt.Errorf("cannot prepare the bulk write: %w", err)
		}
	}
	return nil
}

// WithBatch runs fn in one transaction and commits if it returns nil.
func (s *Store) WithBatch(ctx context.Context, fn func(b *Batch) error) error {
	err := s.inTx(ctx, func(tx *Tx) error {
		b := &Batch{s: s, ctx: ctx, tx: tx, tagIDs: map[string]int64{}}
		defer b.close()
		if err := b.begin(); err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
		return b.finish()
	})
	if err != nil {
		return err
	}
	// Fold the big write-ahead log back into the database now, so later
	// reads do not wade through it.
	_, err = s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// begin defers the search-index updates to the end of the batch (see the
// patients_fts triggers; the temp tables remember what to index), gives
// the batch a big cache and prepares its statements.
func (b *Batch) begin() error {
	if b.s.eng.server {
		// The tag lists wait for the end (new patients come with theirs);
		// visit summaries and search words are kept as rows go in.
		if _, err := b.tx.ExecContext(b.ctx, `SELECT set_config('kindly.bulk', 'on', true)`); err != nil {
			return fmt.Errorf("cannot start writing: %w", err)
		}
		return b.prepare()
	}
	for _, q := range []string{
		`INSERT INTO settings (key, value) VALUES ('bulk.deferred', '1')`,
		`CREATE TEMP TABLE IF NOT EXISTS fts_touched (id INTEGER PRIMARY KEY)`,
		`CREATE TEMP TABLE IF NOT EXISTS fts_old (id INTEGER PRIMARY KEY, first_name, last_name, preferred_name, email, phone_digits)`,
		`CREATE TEMP TABLE IF NOT EXISTS tags_touched (patient_id INTEGER PRIMARY KEY)`,
		`DELETE FROM temp.fts_touched`,
		`DELETE FROM temp.fts_old`,
		`DELETE FROM temp.tags_touched`,
		`PRAGMA cache_size = -100000`, // 100 MB while the batch is written
	} {
		if _, err := b.tx.ExecContext(b.ctx, q); err != nil {
			return fmt.Errorf("cannot start writing: %w", err)
		}
	}
	return b.prepare()
}

// prepare prepares the batch's statements.
func (b *Batch) prepare() error {
	for _, st := range []struct {
		stmt **Stmt
		sql  string
	}{
		{&b.addPatient, insertPatientWithTagsSQL},
		{&b.updPatient, updatePatientSQL},
		{&b.addVisit, `INSERT INTO visits (patient_id, date, service, service_key)
			VALUES (?, ?, ?, ?) ON CONFLICT (patient_id, service_key, date) DO NOTHING`},
		{&b.keepOld, `INSERT OR IGNORE INTO temp.fts_old SELECT id, first_name, last_name, preferred_name, email, phone_digits
			FROM patients WHERE id = ?`},
	} {
		if b.s.eng.server && st.stmt == &b.keepOld {
			continue
		}
		stmt, err := b.tx.PrepareContext(b.ctx, st.sql)
		if err != nil {
			return err
		}
		*st.stmt = stmt
	}
	return nil
}

// close gives back the batch's cache and closes its statements.
func (b *Batch) close() {
	b.tx.ExecContext(context.Background(), defaultCacheSize)
	for _, st := range []*Stmt{b.addPatient, b.updPatient, b.addVisit, b.keepOld} {
		if st != nil {
			st.Close()
		}
	}
}

// finish writes the tag lists, rebuilds what bulk writing dropped, and
// brings the search index up to date. Patients added in this batch are
// not in the search index yet: they are indexed by their id range, and
// never "deleted" from it.
func (b *Batch) finish() error {
	if err := b.flushLists(); err != nil {
		return err
	}
	for _, def := range b.dropped {
		if _, err := b.tx.ExecContext(b.ctx, def); err != nil {
			return fmt.Errorf("cannot rebuild an index or trigger: %w", err)
		}
	}
	if b.s.eng.server {
		return b.retagOnServer()
	}
	added := []any{b.firstAdded, b.lastAdded}
	for _, q := range []string{
		`INSERT INTO patients_fts (patients_fts, rowid, first_name, last_name, preferred_name, email, phone_digits)
			SELECT 'delete', id, first_name, last_name, preferred_name, email, phone_digits FROM temp.fts_old
			WHERE id NOT BETWEEN ?1 AND ?2`,
		`INSERT INTO patients_fts (rowid, first_name, last_name, preferred_name, email, phone_digits)
			SELECT p.id, p.first_name, p.last_name, p.preferred_name, p.email, p.phone_digits
			FROM patients p WHERE p.id BETWEEN ?1 AND ?2`,
		`INSERT INTO patients_fts (rowid, first_name, last_name, preferred_name, email, phone_digits)
			SELECT p.id, p.first_name, p.last_name, p.preferred_name, p.email, p.phone_digits
			FROM temp.fts_touched t JOIN patients p ON p.id = t.id WHERE t.id NOT BETWEEN ?1 AND ?2`,
		`UPDATE patients SET tag_list = (
			SELECT coalesce(group_concat(char(30) || lower(t.name), '') || char(30), '')
			FROM patient_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.patient_id = patients.id)
			WHERE id IN (SELECT patient_id FROM temp.tags_touched)`,
		`DELETE FROM temp.fts_touched`,
		`DELETE FROM temp.fts_old`,
		`DELETE FROM temp.tags_touched`,
		`DELETE FROM settings WHERE key = 'bulk.deferred'`,
	} {
		var args []any
		if strings.Contains(q, "?1") {
			args = added
		}
		if _, err := b.tx.ExecContext(b.ctx, q, args...); err != nil {
			return fmt.Errorf("cannot finish writing: %w", err)
		}
	}
	return nil
}

// AddPatient saves a new patient with its tags and sets p.ID. The tag
// list on the patient's row is written with it (no rebuild at the end).
func (b *Batch) AddPatient(p *Patient, tags ...string) error {
	var keys []string
	for _, t := range tags {
		if k := TagKey(cleanTag(t)); k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	list := ""
	if len(keys) > 0 {
		list = "\x1e" + strings.Join(keys, "\x1e") + "\x1e"
	}
	if b.s.eng.server {
		if err := b.addPatientLater(p, list); err != nil {
			return err
		}
	} else if err := b.s.insertPatient(b.ctx, b.addPatient, p, list); err != nil {
		return err
	}
	if b.firstAdded == 0 {
		b.firstAdded = p.ID
	}
	b.lastAdded = p.ID
	for _, t := range tags {
		if err := b.tag(p.ID, t); err != nil {
			return err
		}
	}
	return nil
}

// UpdatePatient saves changes to an existing patient.
func (b *Batch) UpdatePatient(p *Patient) error {
	if err := b.writeKept(); err != nil { // it may be one of them
		return err
	}
	if b.keepOld != nil {
		if _, err := b.keepOld.ExecContext(b.ctx, p.ID); err != nil {
			return err
		}
		b.touched = append(b.touched, p.ID)
	}
	if b.s.eng.server {
		b.server.facts = append(b.server.facts, p.ID)
	}
	return b.s.updatePatient(b.ctx, b.updPatient, p)
}

// AddTag gives a patient a tag, creating the tag on first use.
func (b *Batch) AddTag(patientID int64, tag string) error {
	if cleanTag(tag) == "" {
		return nil
	}
	b.retag = append(b.retag, patientID)
	if b.s.eng.server {
		b.server.facts = append(b.server.facts, patientID)
	}
	return b.tag(patientID, tag)
}

// tag remembers a (patient, tag) pair, creating the tag on first use.
func (b *Batch) tag(patientID int64, tag string) error {
	tag = cleanTag(tag)
	if tag == "" {
		return nil
	}
	key := strings.ToLower(tag)
	id, ok := b.tagIDs[key]
	if !ok {
		err := b.tx.QueryRowContext(b.ctx, `INSERT INTO tags (name) VALUES (?)
			ON CONFLICT (name) DO UPDATE SET name = tags.name RETURNING id`, tag).Scan(&id)
		if err != nil {
			return fmt.Errorf("cannot save tag %q: %w", tag, err)
		}
		b.tagIDs[key] = id
	}
	b.tagged = append(b.tagged, [2]any{patientID, id})
	if len(b.tagged) >= 5000 {
		return b.flushLists()
	}
	return nil
}

// flushLists writes the remembered tags and search-index ids, each list
// in one statement: one statement per row is what makes bulk writes slow.
func (b *Batch) flushLists() error {
	if err := b.writeKept(); err != nil { // the tags name them
		return err
	}
	if len(b.tagged) > 0 {
		pairs, _ := json.Marshal(b.tagged)
		if _, err := b.tx.ExecContext(b.ctx, `INSERT INTO patient_tags (patient_id, tag_id)
			SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`, string(pairs)); err != nil {
			return fmt.Errorf("cannot tag patients: %w", err)
		}
		b.tagged = b.tagged[:0]
	}
	if b.s.eng.server {
		return nil // the tags of patients known before wait for retagOnServer
	}
	if len(b.retag) > 0 {
		ids, _ := json.Marshal(b.retag)
		if _, err := b.tx.ExecContext(b.ctx, `INSERT OR IGNORE INTO temp.tags_touched (patient_id)
			SELECT value FROM json_each(?)`, string(ids)); err != nil {
			return err
		}
		b.retag = b.retag[:0]
	}
	if len(b.touched) > 0 {
		ids, _ := json.Marshal(b.touched)
		if _, err := b.tx.ExecContext(b.ctx, `INSERT OR IGNORE INTO temp.fts_touched (id) SELECT value FROM json_each(?)`, string(ids)); err != nil {
			return err
		}
		b.touched = b.touched[:0]
	}
	return nil
}

// retagOnServer writes the tag lists of the patients known before the
// batch that it tagged, then the segment facts of all it touched, and
// turns the server's tag-list and facts triggers back on.
func (b *Batch) retagOnServer() error {
	if len(b.retag) > 0 {
		ids, _ := json.Marshal(b.retag)
		if _, err := b.tx.ExecContext(b.ctx, `UPDATE patients SET tag_list = kindly_tag_list(id)
			WHERE id IN (SELECT value FROM json_each(?))`, string(ids)); err != nil {
			return fmt.Errorf("cannot finish writing: %w", mapError(err))
		}
		b.retag = b.retag[:0]
	}
	if err := b.writeFacts(); err != nil {
		return err
	}
	_, err := b.tx.ExecContext(b.ctx, `SELECT set_config('kindly.bulk', 'off', true)`)
	return err
}

// AddVisit records a visit; the same service on the same day is kept once.
func (b *Batch) AddVisit(v Visit) error {
	if v.Service == "" || v.Date.IsZero() {
		return &ValidationError{"visit", "A visit needs a date and a service."}
	}
	if b.s.eng.server {
		return b.addVisitLater(v)
	}
	if _, err := b.addVisit.ExecContext(b.ctx, v.PatientID, v.Date.String(), v.Service, ServiceKey(v.Service)); err != nil {
		return fmt.Errorf("cannot save the visit: %w", err)
	}
	return nil
}

// Audit adds a line to the audit log inside the batch.
func (b *Batch) Audit(action, detail string) error {
	if err := b.writeKept(); err != nil {
		return err
	}
	return b.s.auditTx(b.ctx, b.tx, action, detail)
}
