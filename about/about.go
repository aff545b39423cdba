// Package about is what Kindly says of itself: its name, id and version,
// read from FyneApp.toml (the one place the release script changes), and
// the source revision Go recorded at build time.
package about

import (
	"fmt"
	"runtime/debug"

	"github.com/BurntSushi/toml"
)

// Info describes this build of Kindly.
type Info struct {
	ID, Name, Version string
	Build             int
	// Migrations are Fyne's opt-in features (fyneDo).
	Migrations map[string]bool
	// Revision is the source commit, when the build was made from a
	// checkout ("+" marks uncommitted changes); empty otherwise.
	Revision string
}

// Parse reads FyneApp.toml's [Details] and [Migrations] and adds the build's
// revision.
func Parse(fyneApp []byte) (Info, error) {
	var f struct {
		Details struct {
			ID, Name, Version string
			Build             int
		}
		Migrations map[string]bool
	}
	if err := toml.Unmarshal(fyneApp, &f); err != nil {
		return Info{}, fmt.Errorf("FyneApp.toml: %w", err)
	}
	d := f.Details
	if d.ID == "" || d.Name == "" || d.Version == "" {
		return Info{}, fmt.Errorf("FyneApp.toml: the app's ID, Name and Version are needed")
	}
	return Info{ID: d.ID, Name: d.Name, Version: d.Version, Build: d.Build, Migrations: f.Migrations, Revision: revision()}, nil
}

// String is the version line: "Kindly 0.1.0 (build 3, revision 1a2b3c4d5e6f)".
func (i Info) String() string {
	s := fmt.Sprintf("%s %s (build %d", i.Name, i.Version, i.Build)
	if i.Revision != "" {
		s += ", revision " + i.Revision
	}
	return s + ")"
}

func revision() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "+"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return ""
	}
	return rev + dirty
}
