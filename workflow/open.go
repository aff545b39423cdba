package workflow

import (
	"context"
	"fmt"
	"time"

	"kindly/data"
)

// Options are how a practice's database is opened.
type Options struct {
	// Now is the clock (nil: the computer's); tests move it.
	Now func() time.Time
}

// Open opens the practice's database at path - a file, or the practice
// server's address; "" for this computer's (Where) - with the starter
// templates on a new one. A restore the window asked for runs here, when
// this is the only Kindly with the database file open (LastRestore).
func Open(ctx context.Context, path string, opt Options) (*Workflow, error) {
	path = Where(path)
	if path == "" {
		var err error
		if path, err = data.DefaultPath(); err != nil {
			return nil, err
		}
	}
	var store *data.Store
	var err error
	if data.IsServerURL(path) {
		store, err = openServer(path)
	} else {
		store, err = data.Open(path)
	}
	if err != nil {
		return nil, err
	}
	if opt.Now != nil {
		store.Now = opt.Now
	}
	w := &Workflow{store: store, opt: opt}
	if err := w.EnsureStarters(ctx); err != nil {
		store.Close()
		return nil, err
	}
	return w, nil
}

// Close closes the database.
func (w *Workflow) Close() error { return w.store.Close() }

// Path is the database file, or the practice server's address (without
// its password).
func (w *Workflow) Path() string { return w.store.Path() }

// OnServer says whether this computer works on the practice server.
func (w *Workflow) OnServer() bool { return w.store.Server() }

// ChangeMark changes whenever the practice's lists do (data.Store.ChangeMark):
// a window on the practice server reads it every few seconds to show what
// the other computers changed.
func (w *Workflow) ChangeMark(ctx context.Context) (string, error) { return w.store.ChangeMark(ctx) }

// Now is the workflow's clock.
func (w *Workflow) Now() time.Time { return w.store.Now() }

// LastRestore is what the restore asked for at this start did (nil: none).
func (w *Workflow) LastRestore() *data.RestoreReport { return w.store.LastRestore() }

// RestoreNow restores a backup at once: it is checked, the database is
// closed and opened again, and the restore runs on opening (this must be
// the only Kindly with the database open). It says what the restore did.
func (w *Workflow) RestoreNow(ctx context.Context, file string) (data.BackupInfo, *data.RestoreReport, error) {
	info, err := w.ScheduleRestore(ctx, file)
	if err != nil {
		return info, nil, err
	}
	path := w.store.Path()
	if err := w.store.Close(); err != nil {
		return info, nil, err
	}
	store, err := data.Open(path)
	if err != nil {
		return info, nil, err
	}
	if w.opt.Now != nil {
		store.Now = w.opt.Now
	}
	w.store = store
	r := store.LastRestore()
	if r == nil {
		return info, nil, fmt.Errorf("the restore did not run; it will at the next start")
	}
	if r.Err != nil {
		return info, r, fmt.Errorf("%s", r.Summary())
	}
	return info, r, nil
}

// Dates is how the practice writes and counts days.
type Dates struct {
	Location *time.Location // the practice's time zone
	DayFirst bool           // 03/04/1960 is the 3rd of April
	Today    data.Date      // in the practice's time zone
}

// Day writes a date the one way the practice reads dates everywhere: "14
// Mar 1958" where the day comes first, "Mar 14, 1958" in the United States
// (from the practice's time zone); "" for none.
func (d Dates) Day(x data.Date) string {
	if x.IsZero() {
		return ""
	}
	return d.format(x.Time(time.UTC), false)
}

// At writes a moment in the practice's time zone, to the minute, in the
// same format: "14 Mar 2026 09:30".
func (d Dates) At(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if d.Location != nil {
		t = t.In(d.Location)
	}
	return d.format(t, true)
}

func (d Dates) format(t time.Time, clock bool) string {
	layout := "Jan 2, 2006"
	if d.DayFirst {
		layout = "2 Jan 2006"
	}
	if clock {
		layout += " 15:04"
	}
	return t.Format(layout)
}

// Dates reads the practice's time zone (the computer's when unset or
// unknown) and today's date in it.
func (w *Workflow) Dates(ctx context.Context) (Dates, error) {
	loc, err := w.store.Location(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return Dates{}, err
		}
		loc = time.Local
	}
	return Dates{Location: loc, DayFirst: data.DayFirst(loc.String()), Today: data.DateOf(w.store.Now().In(loc))}, nil
}

// DailyBackup takes the day's backup unless one was taken today.
func (w *Workflow) DailyBackup(ctx context.Context) (string, error) { return w.store.DailyBackup(ctx) }
