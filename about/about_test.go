package about

import (
	"os"
	"strings"
	"testing"
)

// The repository's own FyneApp.toml is what every build reads.
func TestParseTheAppsToml(t *testing.T) {
	b, err := os.ReadFile("../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	i, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if i.ID != "app.kindly.desktop" || i.Name != "Kindly" || i.Version == "" || i.Build < 1 || !i.Migrations["fyneDo"] {
		t.Fatalf("%+v", i)
	}
	if s := i.String(); !strings.HasPrefix(s, "Kindly "+i.Version+" (build ") {
		t.Errorf("version line %q", s)
	}
}

func TestParseRefusesIncomplete(t *testing.T) {
	for _, in := range []string{`[Details]` + "\nName = \"Kindly\"\n", "not toml = ", ""} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}
