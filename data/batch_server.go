package data

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// The server's bulk writes: a statement is a round trip over the network,
// so a batch on the server keeps new patients and visits and writes them
// a few thousand at a time, each lot as one JSON argument. New patients'
// ids are taken from the server's sequence ahead, so AddPatient still sets
// p.ID at once. Anything else the batch does writes what it keeps first.

// serverLot is how many rows a batch keeps before it writes them.
const serverLot = 2000

// serverBatch is what a batch on the server keeps to write.
type serverBatch struct {
	ids      []int64 // ids taken from the sequence, not used yet
	patients [][]any // newPatientColumns, id and tag_list
	external map[string]bool
	visits   [][]any // patient_id, date, service, service_key
	// facts are the patients whose segment facts (patient_facts) are
	// written once at the end: the patients' trigger leaves them while the
	// batch writes, which would write each new patient's facts again for
	// each lot of its visits.
	facts []int64
}

// addPatientLater keeps a new patient for the next lot.
func (b *Batch) addPatientLater(p *Patient, tagList string) error {
	vals, err := b.s.newPatientValues(p)
	if err != nil {
		return err
	}
	sb := &b.server
	if p.ExternalID != "" {
		if sb.external == nil {
			sb.external = map[string]bool{}
		}
		if sb.external[p.ExternalID] {
			return practiceIDTaken(p.ExternalID)
		}
		sb.external[p.ExternalID] = true
	}
	if len(sb.ids) == 0 {
		rows, err := b.tx.QueryContext(b.ctx, `SELECT nextval(pg_get_serial_sequence('patients', 'id')) FROM generate_series(1, ?)`, serverLot)
		if err != nil {
			return mapError(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			sb.ids = append(sb.ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return mapError(err)
		}
	}
	p.ID, sb.ids = sb.ids[0], sb.ids[1:]
	sb.patients = append(sb.patients, append(append([]any{p.ID}, vals...), tagList))
	sb.facts = append(sb.facts, p.ID)
	if len(sb.patients) >= serverLot {
		return b.writeKept()
	}
	return nil
}

// addVisitLater keeps a visit for the next lot.
func (b *Batch) addVisitLater(v Visit) error {
	b.server.visits = append(b.server.visits, []any{v.PatientID, v.Date.String(), v.Service, ServiceKey(v.Service)})
	b.server.facts = append(b.server.facts, v.PatientID)
	if len(b.server.visits) >= serverLot {
		return b.writeKept()
	}
	return nil
}

// writeKept writes the patients and visits the batch keeps (on the server;
// in the file there are none).
func (b *Batch) writeKept() error {
	sb := &b.server
	if len(sb.patients) > 0 {
		if err := b.writePatients(); err != nil {
			return err
		}
	}
	if len(sb.visits) > 0 {
		lot, _ := json.Marshal(sb.visits)
		if _, err := b.tx.ExecContext(b.ctx, `INSERT INTO visits (patient_id, date, service, service_key)
			SELECT (v ->> 0)::bigint, v ->> 1, v ->> 2, v ->> 3 FROM jsonb_array_elements(?::jsonb) AS v
			ON CONFLICT (patient_id, service_key, date) DO NOTHING`, string(lot)); err != nil {
			return fmt.Errorf("cannot save the visits: %w", mapError(err))
		}
		sb.visits = sb.visits[:0]
	}
	return nil
}

// writePatients writes the kept patients in one statement, after checking
// that no practice id is taken already (the message names it).
func (b *Batch) writePatients() error {
	sb := &b.server
	var ids []string
	for _, r := range sb.patients {
		if id, ok := r[1].(string); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) > 0 {
		list, _ := json.Marshal(ids)
		var taken string
		// = ANY(ARRAY(...)): looked up in the unique index, id by id (an
		// IN over a subquery is planned as a scan of every patient).
		err := b.tx.QueryRowContext(b.ctx, `SELECT coalesce(min(external_id), '') FROM patients
			WHERE external_id = ANY(ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))`, string(list)).Scan(&taken)
		if err != nil {
			return mapError(err)
		}
		if taken != "" {
			return practiceIDTaken(taken)
		}
	}
	for _, r := range sb.patients {
		for i, v := range r {
			if yes, ok := v.(bool); ok { // do_not_contact, archived
				r[i] = map[bool]int{true: 1, false: 0}[yes]
			}
		}
	}
	lot, _ := json.Marshal(sb.patients)
	cols := append(append([]string{"id"}, newPatientColumns...), "tag_list")
	sel := make([]string, len(cols))
	for i, c := range cols {
		cast := ""
		switch c {
		case "id":
			cast = "::bigint"
		case "do_not_contact", "archived":
			cast = "::integer"
		}
		sel[i] = fmt.Sprintf("(p ->> %d)%s", i, cast)
	}
	if _, err := b.tx.ExecContext(b.ctx, `INSERT INTO patients (`+strings.Join(cols, ", ")+`)
		SELECT `+strings.Join(sel, ", ")+` FROM jsonb_array_elements(?::jsonb) AS p`, string(lot)); err != nil {
		return fmt.Errorf("cannot save the patients: %w", mapError(err))
	}
	sb.patients = sb.patients[:0]
	return nil
}

// writeFacts writes the segment facts of every patient the batch added or
// changed, once.
func (b *Batch) writeFacts() error {
	ids := b.server.facts
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	lot, _ := json.Marshal(slices.Compact(ids))
	if _, err := b.tx.ExecContext(b.ctx, `SELECT kindly_write_facts(ARRAY(SELECT value FROM json_each(?)))`, string(lot)); err != nil {
		return fmt.Errorf("cannot finish writing: %w", mapError(err))
	}
	b.server.facts = nil
	return nil
}
