package mailer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// referenceVerdict is what sisimai, the reference bounce classifier, made
// of one message (a line of its JSON output, one per recipient).
type referenceVerdict struct {
	File      string `json:"file"`
	Recipient string `json:"recipient"`
	Reason    string `json:"reason"` // "-" when it found no bounce
	Hard      bool   `json:"hard"`
}

// agreement is how often Kindly's reading of a corpus agrees with the
// reference on bounce-or-not and, where both see a bounce, on hard-or-soft.
type agreement struct {
	messages, bounceSame   int
	bothBounce, hardSame   int
	addressSeen, addressOK int
	disagree               []string
}

func (a agreement) bouncePct() float64 {
	return 100 * float64(a.bounceSame) / float64(max(a.messages, 1))
}
func (a agreement) hardPct() float64 {
	return 100 * float64(a.hardSame) / float64(max(a.bothBounce, 1))
}

// measure reads every message of dir named in verdicts (a JSON-lines file
// of referenceVerdict) and compares.
func measure(t *testing.T, dir, verdicts string) agreement {
	t.Helper()
	f, err := os.Open(verdicts)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byFile := map[string][]referenceVerdict{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var v referenceVerdict
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s: %v", verdicts, err)
		}
		name := filepath.Base(v.File)
		byFile[name] = append(byFile[name], v)
	}
	names := make([]string, 0, len(byFile))
	for n := range byFile {
		names = append(names, n)
	}
	sort.Strings(names)
	var a agreement
	for _, name := range names {
		refs := byFile[name]
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		r := ReadMessage(raw, testTag, practiceAddress)
		refBounce := refs[0].Reason != "-" && refs[0].Reason != "vacation" && refs[0].Reason != "delivered"
		ourBounce := r.What == ReadBounce || r.What == ReadDelayed || r.What == ReadComplaint
		a.messages++
		if refBounce == ourBounce {
			a.bounceSame++
		} else {
			a.disagree = append(a.disagree, fmt.Sprintf("%s: bounce? reference %v (%s), Kindly %s", name, refBounce, refs[0].Reason, r.What))
		}
		if !refBounce || !ourBounce || refs[0].Reason == "feedback" {
			continue
		}
		// The reference's verdict for the recipient Kindly read, else its first.
		ref := refs[0]
		if r.Finding != nil && r.Finding.Address != "" {
			a.addressSeen++
			for _, x := range refs {
				if strings.EqualFold(x.Recipient, r.Finding.Address) {
					ref, a.addressOK = x, a.addressOK+1
					break
				}
			}
		}
		ourHard := r.What == ReadBounce && r.Finding.Hard
		a.bothBounce++
		if ourHard == ref.Hard {
			a.hardSame++
		} else {
			a.disagree = append(a.disagree, fmt.Sprintf("%s: hard? reference %v (%s), Kindly %v (%s)", name, ref.Hard, ref.Reason, ourHard, r.Finding.Reason))
		}
	}
	return a
}

// Kindly's reading of real-shaped bounce reports agrees with sisimai's
// verdicts (testdata/bounces/reference.jsonl, made by running sisimai over
// the same files) at least 95% of the time on bounce-or-not and on
// hard-or-soft. KINDLY_BOUNCE_CORPUS and KINDLY_BOUNCE_VERDICTS measure
// another corpus the same way (sisimai's public set-of-emails: see the
// README for the numbers).
func TestBounceAgreementWithReference(t *testing.T) {
	dir, verdicts := filepath.Join("testdata", "bounces"), filepath.Join("testdata", "bounces", "reference.jsonl")
	if d := os.Getenv("KINDLY_BOUNCE_CORPUS"); d != "" {
		dir, verdicts = d, os.Getenv("KINDLY_BOUNCE_VERDICTS")
	}
	a := measure(t, dir, verdicts)
	t.Logf("%d messages: bounce-or-not %.1f%% (%d/%d), hard-or-soft %.1f%% (%d/%d), recipient found by both %d of %d",
		a.messages, a.bouncePct(), a.bounceSame, a.messages, a.hardPct(), a.hardSame, a.bothBounce, a.addressOK, a.addressSeen)
	for _, d := range a.disagree {
		t.Log(d)
	}
	if a.messages < 50 {
		t.Fatalf("only %d messages in the corpus", a.messages)
	}
	if a.bouncePct() < 95 || a.hardPct() < 95 {
		t.Fatalf("agreement below 95%%: bounce-or-not %.1f%%, hard-or-soft %.1f%%", a.bouncePct(), a.hardPct())
	}
}
