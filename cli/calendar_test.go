package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

func TestCLICalendarAndICS(t *testing.T) {
	// The season is next month, whatever today is.
	now := time.Now()
	if clock := testClock(); clock != nil {
		now = clock()
	}
	first := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 0, 27)
	db := filepath.Join(t.TempDir(), "k.db")
	for _, args := range [][]string{
		{"demo", "--patients", "500"},
		{"practice", "--name", "Sunny Clinic", "--time-zone", "America/New_York"},
		{"account", "set", "--preset", "gmail", "--user", "front@sunny.example", "--per-day", "20"},
		{"campaign", "create", "Flu", "--purpose", "care", "--segment", "65+ without a flu shot this season", "--template", "Flu shot",
			"--season", first.Format("01-02"), "--until", last.Format("01-02"), "--weekdays", "mon-fri", "--hours", "9-17"},
		{"campaign", "create", "Birthdays", "--segment", "Birthdays in the next 30 days", "--template", "Birthday", "--birthday", "0", "--bypass-cap"},
	} {
		if out, err := kindly(t, append([]string{"--db", db}, args...)...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	if _, err := kindly(t, "--db", db, "campaign", "create", "Bad", "--segment", "Everyone", "--template", "Birthday", "--season", "02-30"); err == nil {
		t.Fatal("a season starting on 30 February was accepted")
	}
	icsPath := filepath.Join(t.TempDir(), "cal.ics")
	out, err := kindly(t, "--db", db, "calendar", "--from", first.AddDate(0, 0, -6).Format("2006-01-02"), "--to", last.Format("2006-01-02"), "--json", "--ics", icsPath)
	if err != nil {
		t.Fatal(err)
	}
	var days []struct {
		Day     string `json:"day"`
		Planned int    `json:"planned"`
		Verdict string `json:"verdict"`
		Entries []struct {
			Campaign string `json:"campaign"`
			Audience int    `json:"audience"`
		} `json:"entries"`
	}
	if err := json.Unmarshal([]byte(out), &days); err != nil {
		t.Fatal(err)
	}
	flu := 0
	overflow := ""
	for _, d := range days {
		for _, e := range d.Entries {
			if e.Campaign == "Flu" {
				flu = e.Audience
				if d.Day != first.Format("2006-01-02") {
					t.Errorf("flu season starts on %s", d.Day)
				}
			}
		}
		if strings.Contains(d.Verdict, "exceed 20/day") && overflow == "" {
			overflow = d.Verdict
		}
	}
	if flu == 0 || overflow == "" || !strings.Contains(overflow, "finishes") {
		t.Fatalf("flu audience %d, overflow verdict %q\n%s", flu, overflow, out)
	}

	f, err := os.Open(icsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cal, err := ics.ParseCalendar(f)
	if err != nil {
		t.Fatalf("the .ics does not parse: %v", err)
	}
	found := false
	for _, ev := range cal.Events() {
		if s := ev.GetProperty(ics.ComponentPropertySummary); s != nil && strings.HasPrefix(s.Value, "Flu: ") {
			start, err := ev.GetAllDayStartAt()
			end, err2 := ev.GetAllDayEndAt()
			if err != nil || err2 != nil || !start.Equal(first) && start.Format("2006-01-02") != first.Format("2006-01-02") || end.Format("2006-01-02") != last.AddDate(0, 0, 1).Format("2006-01-02") {
				t.Errorf("flu event %v..%v (%v %v)", start, end, err, err2)
			}
			found = true
		}
	}
	if !found || len(cal.Events()) < 2 {
		t.Fatalf("%d events, flu found %v", len(cal.Events()), found)
	}
}
