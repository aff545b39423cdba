package app

import (
	"context"
	"sync"
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

// latest hands a fast producer's newest value to apply on the UI
// goroutine, with at most one hand-over waiting at a time: a send at full
// speed or a 100,000-row import reports thousands of times a second, and
// one queued refresh per report would flood the window's event queue until
// it stops answering clicks. Values in between are skipped; the last one
// is always applied.
type latest[T any] struct {
	u       *UI
	apply   func(T)
	mu      sync.Mutex
	v       T
	pending bool
}

func newLatest[T any](u *UI, apply func(T)) *latest[T] { return &latest[T]{u: u, apply: apply} }

// put records v and, unless a hand-over is already waiting, queues one.
func (l *latest[T]) put(v T) {
	l.mu.Lock()
	l.v = v
	if l.pending {
		l.mu.Unlock()
		return
	}
	l.pending = true
	l.mu.Unlock()
	l.u.do(func() {
		l.mu.Lock()
		v := l.v
		l.pending = false
		l.mu.Unlock()
		l.apply(v)
	})
}
