package app

import (
	"context"
)

// do applies fn on the UI goroutine - unless the window has closed by
// then. It never blocks the caller.
func (u *UI) do(fn func()) {
	u.post(func() {
		if u.ctx.Err() == nil {
			fn()
		}
	})
}

// background runs work off the UI goroutine with the window's context and
// hands its result to apply on the UI goroutine. Nothing is applied once
// the window closed; Close waits for the work to end.
func background[T any](u *UI, work func(context.Context) (T, error), apply func(T, error)) {
	u.running.Add(1)
	go func() {
		defer u.running.Done()
		v, err := work(u.ctx)
		u.do(func() { apply(v, err) })
	}()
}

// task is a screen's slot for one kind of background work - a search, a
// count - of which only the newest matters. Touched on the UI goroutine only.
type task struct {
	cancel context.CancelFunc
	gen    int
}

// restart runs work as background does, first cancelling the task's
// previous run and dropping its result, which would be stale.
func restart[T any](u *UI, t *task, work func(context.Context) (T, error), apply func(T, error)) {
	t.stop()
	t.gen++
	gen := t.gen
	ctx, cancel := context.WithCancel(u.ctx)
	t.cancel = cancel
	background(u, func(context.Context) (T, error) {
		defer cancel()
		return work(ctx)
	}, func(v T, err error) {
		if gen == t.gen {
			apply(v, err)
		}
	})
}

// stop cancels the task's running work and drops its result.
func (t *task) stop() {
	if t.cancel != nil {
		t.cancel()
		t.cancel = nil
	}
	t.gen++
}

// none is the result of background work that returns nothing but an error.
type none struct{}
