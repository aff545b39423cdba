package reports

import (
	"context"
	"errors"

	"kindly/data"
)

// result is what an import in these tests did.
type result struct{ Counts }

// importPatients imports a patient file in one transaction as the
// workflow does (workflow.Import adds the backup, the audit line and the
// remembered columns): streamed, and again from the whole sheet when rows
// further down decide otherwise.
func importPatients(ctx context.Context, s *data.Store, path string, o Options, progress func(done, total int)) (*Plan, result, error) {
	st, err := OpenPatients(ctx, s, path, o, progress)
	if err != nil {
		return nil, result{}, err
	}
	defer st.Close()
	err = s.WithBatch(ctx, func(b *data.Batch) error { return st.Write(b) })
	p := st.Plan()
	if errors.Is(err, ErrDecidedOtherwise) {
		if progress != nil {
			progress(ProgressAgain, 0)
		}
		t, err := ReadTable(path, p.Table.Sheet)
		if err != nil {
			return nil, result{}, err
		}
		if p, err = PlanPatients(ctx, s, t, o); err != nil {
			return nil, result{}, err
		}
		if err := p.CheckExpected(o); err != nil {
			return p, result{}, err
		}
		res, err := applyPatients(ctx, s, p, progress)
		return p, res, err
	}
	if err != nil {
		return p, result{}, err
	}
	return p, result{p.Counts()}, nil
}

// applyPatients writes a plan in one transaction.
func applyPatients(ctx context.Context, s *data.Store, p *Plan, progress func(done, total int)) (result, error) {
	err := s.WithBatch(ctx, func(b *data.Batch) error { return WritePatients(ctx, b, p, progress) })
	return result{p.Counts()}, err
}

// applyVisits writes a visit plan in one transaction.
func applyVisits(ctx context.Context, s *data.Store, p *Plan, progress func(done, total int)) (result, error) {
	err := s.WithBatch(ctx, func(b *data.Batch) error { return WriteVisits(ctx, b, p, progress) })
	return result{p.Counts()}, err
}
