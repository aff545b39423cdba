package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"kindly/data"
)

// SegmentInfo is a segment with its sentence and size today.
type SegmentInfo struct {
	Name     string          `json:"name"`
	Sentence string          `json:"sentence"`
	Count    int             `json:"count"`
	Rules    json.RawMessage `json:"rules"`
	Rule     data.Rule       `json:"-"`
	// Err is why the segment could not be counted (Count is 0 then).
	Err error `json:"-"`
}

func (w *Workflow) describe(ctx context.Context, seg data.Segment) SegmentInfo {
	if seg.Damaged != nil {
		return SegmentInfo{Name: seg.Name, Sentence: "damaged: " + seg.Damaged.Error(), Rules: json.RawMessage("null"), Err: seg.Damaged}
	}
	info := SegmentInfo{Name: seg.Name, Sentence: seg.Rule.Sentence(), Rules: json.RawMessage(seg.Rule.JSON()), Rule: seg.Rule}
	if info.Count, info.Err = w.store.SegmentCount(ctx, seg.Rule); info.Err != nil {
		info.Err = fmt.Errorf("segment %q: %w", seg.Name, info.Err)
	}
	return info
}

// Segments lists the saved segments with their size today; a segment that
// cannot be counted, or whose saved rules are damaged, is listed with why
// in its Err, the others as ever.
func (w *Workflow) Segments(ctx context.Context) ([]SegmentInfo, error) {
	segs, err := w.store.SegmentList(ctx)
	if err != nil {
		return nil, err
	}
	infos := []SegmentInfo{}
	for _, seg := range segs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		infos = append(infos, w.describe(ctx, seg))
	}
	return infos, nil
}

// Segment is one segment with its sentence and size today.
func (w *Workflow) Segment(ctx context.Context, name string) (SegmentInfo, error) {
	seg, err := w.store.SegmentByName(ctx, name)
	if err := named(err, "segment", name); err != nil {
		return SegmentInfo{}, err
	}
	info := w.describe(ctx, seg)
	return info, info.Err
}

// SaveSegment creates or changes a segment from its rules.
func (w *Workflow) SaveSegment(ctx context.Context, name string, r data.Rule) (SegmentInfo, error) {
	seg, err := w.store.SaveSegment(ctx, name, r)
	if err != nil {
		return SegmentInfo{}, err
	}
	info := w.describe(ctx, seg)
	return info, info.Err
}

// DeleteSegment removes a segment no campaign or other segment uses,
// after a backup; the audit log notes it.
func (w *Workflow) DeleteSegment(ctx context.Context, name string) error {
	seg, err := w.store.SegmentByName(ctx, name)
	if err := named(err, "segment", name); err != nil {
		return err
	}
	backup, err := w.store.Backup(ctx, "before delete")
	if err != nil {
		return err
	}
	if err := w.store.DeleteSegment(ctx, seg.ID); err != nil {
		w.store.DiscardBackup(backup) // nothing changed
		return err
	}
	return nil
}

// DuplicateSegment saves a copy of a segment under a free name ("Flu 60+
// (copy)", "Flu 60+ (copy 2)", ...) and returns it.
func (w *Workflow) DuplicateSegment(ctx context.Context, name string) (SegmentInfo, error) {
	seg, err := w.store.SegmentByName(ctx, name)
	if err := named(err, "segment", name); err != nil {
		return SegmentInfo{}, err
	}
	for i := 1; i < 1000; i++ {
		copyName := seg.Name + " (copy)"
		if i > 1 {
			copyName = fmt.Sprintf("%s (copy %d)", seg.Name, i)
		}
		if _, err := w.store.SegmentByName(ctx, copyName); errors.Is(err, data.ErrNotFound) {
			return w.SaveSegment(ctx, copyName, seg.Rule)
		} else if err != nil {
			return SegmentInfo{}, err
		}
	}
	return SegmentInfo{}, fmt.Errorf("too many copies of %q", seg.Name)
}

// SegmentPreview is how many patients a rule selects today, with the first
// of them by name.
type SegmentPreview struct {
	Count int
	First []data.Patient
}

// PreviewSegment counts a rule's members today and reads the first limit.
func (w *Workflow) PreviewSegment(ctx context.Context, r data.Rule, limit int) (SegmentPreview, error) {
	n, err := w.store.SegmentCount(ctx, r)
	if err != nil {
		return SegmentPreview{}, err
	}
	first, err := w.store.SegmentMembers(ctx, r, 0, limit)
	return SegmentPreview{n, first}, err
}

// WhyPatient is why the first patient matching what was typed is in a
// rule's segment or not, part by part.
type WhyPatient struct {
	Found   bool // somebody matches what was typed
	Patient data.Patient
	Why     data.Reason
}

// ExplainPatient answers "why is this patient in or out" for the first
// patient (archived ones too) matching what was typed.
func (w *Workflow) ExplainPatient(ctx context.Context, r data.Rule, typed string) (WhyPatient, error) {
	p, ok, err := w.FindPatient(ctx, typed, true)
	if err != nil || !ok {
		return WhyPatient{}, err
	}
	why, err := w.store.Explain(ctx, r, p.ID)
	return WhyPatient{Found: true, Patient: p, Why: why}, err
}
