package about

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// ReleasesFeed is where Kindly reads its newest release: the project's
// public releases (GitHub's "latest release" answer). KINDLY_RELEASES_FEED
// points elsewhere (an office's own mirror, the tests' server).
const ReleasesFeed = "https://api.github.com/repos/kindly-app/kindly/releases/latest"

// Feed is the releases feed this Kindly reads.
func Feed() string {
	if f := os.Getenv("KINDLY_RELEASES_FEED"); f != "" {
		return f
	}
	return ReleasesFeed
}

// ErrBadFeed says the releases feed answered with something that is not a
// release of Kindly.
var ErrBadFeed = errors.New("the releases feed did not name a version")

// Release is a published version of Kindly and where to get it.
type Release struct {
	Version string `json:"version"` // "1.3.0"
	URL     string `json:"url"`     // the release's page
}

// LatestRelease asks the feed for the newest release. It sends nothing but
// this Kindly's version (in the User-Agent): no practice, no computer, no
// patient count.
func LatestRelease(ctx context.Context, feed, current string) (Release, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, feed, nil)
	if err != nil {
		return Release{}, fmt.Errorf("the releases feed %q is not an address: %w", feed, err)
	}
	req.Header.Set("User-Agent", "Kindly/"+current)
	req.Header.Set("Accept", "application/vnd.github+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Release{}, fmt.Errorf("cannot reach the releases feed: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Release{}, fmt.Errorf("the releases feed answered %s", resp.Status)
	}
	var r struct {
		Tag        string `json:"tag_name"`
		URL        string `json:"html_url"`
		Draft      bool   `json:"draft"`
		Prerelease bool   `json:"prerelease"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&r); err != nil {
		return Release{}, fmt.Errorf("%w: %v", ErrBadFeed, err)
	}
	v := strings.TrimPrefix(strings.TrimSpace(r.Tag), "v")
	if _, err := versionParts(v); err != nil || r.Draft || r.Prerelease {
		return Release{}, fmt.Errorf("%w (%q)", ErrBadFeed, r.Tag)
	}
	if !strings.HasPrefix(r.URL, "https://") {
		r.URL = ""
	}
	return Release{Version: v, URL: r.URL}, nil
}

// Newer says whether version is newer than current ("1.10.0" is newer than
// "1.9.2"); a version that cannot be read is never newer.
func Newer(version, current string) bool {
	a, err := versionParts(version)
	if err != nil {
		return false
	}
	b, err := versionParts(current)
	if err != nil {
		return true // this build has no release version (a developer's): any release is newer
	}
	for i := range max(len(a), len(b)) {
		x, y := part(a, i), part(b, i)
		if x != y {
			return x > y
		}
	}
	return false
}

func part(p []int, i int) int {
	if i < len(p) {
		return p[i]
	}
	return 0
}

// versionParts reads "1.3" or "1.3.0" (a leading v allowed).
func versionParts(v string) ([]int, error) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	fields := strings.Split(v, ".")
	if v == "" || len(fields) > 4 {
		return nil, fmt.Errorf("%q is not a version", v)
	}
	out := make([]int, len(fields))
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not a version", v)
		}
		out[i] = n
	}
	return out, nil
}
