package workflow

import (
	"context"
	"fmt"
	"time"

	"kindly/about"
	"kindly/data"
)

// Update is whether a newer Kindly exists, as the releases feed said.
type Update struct {
	Available bool
	Version   string // the newest release
	URL       string // its page
	Checked   time.Time
}

// Line says it in a sentence: "Kindly 1.3.0 is available."
func (u Update) Line() string {
	if !u.Available {
		return fmt.Sprintf("Kindly %s is the newest version.", u.Version)
	}
	return fmt.Sprintf("Kindly %s is available.", u.Version)
}

// updateEvery is how often the feed is read, at most.
const updateEvery = 24 * time.Hour

// CheckForUpdate says whether a Kindly newer than current exists. It reads
// the releases feed at most once a day (now, when asked to), unless the
// practice turned the check off; it only says so: nothing is downloaded or
// installed.
func (w *Workflow) CheckForUpdate(ctx context.Context, feed, current string, now bool) (Update, error) {
	st, err := w.store.Settings(ctx)
	if err != nil || !st.CheckUpdates && !now {
		return Update{}, err
	}
	seen, err := w.store.LastUpdateSeen(ctx)
	if err != nil {
		return Update{}, err
	}
	if now || seen.Version == "" || w.store.Now().Sub(seen.At) >= updateEvery || seen.At.After(w.store.Now()) {
		r, err := about.LatestRelease(ctx, feed, current)
		if err != nil {
			return Update{}, err
		}
		seen = data.UpdateSeen{At: w.store.Now().UTC(), Version: r.Version, URL: r.URL}
		if err := w.store.SaveUpdateSeen(ctx, seen); err != nil {
			return Update{}, err
		}
	}
	return Update{Available: about.Newer(seen.Version, current), Version: seen.Version, URL: seen.URL, Checked: seen.At}, nil
}
