// Package memprobe measures the peak heap of a piece of work, for benchmarks.
package memprobe

import (
	"runtime"
	"sync/atomic"
	"time"
)

// PeakHeapMB runs fn while sampling the heap in use and returns the
// highest value seen, in MB.
func PeakHeapMB(fn func()) float64 {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(done)
	return float64(peak.Load()) / (1 << 20)
}
