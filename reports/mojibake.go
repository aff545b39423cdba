package reports

import (
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"kindly/data"
)

// unmojibake reads text that is UTF-8 misread as Windows-1252 ("MÃ¼ller")
// back as it was meant ("Müller"); ok is false for text that is not such a
// misreading. Plain ASCII and names that only look foreign stay as they are.
func unmojibake(s string) (string, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s, false
	}
	for _, cm := range []*charmap.Charmap{charmap.Windows1252, charmap.ISO8859_1} {
		b, err := cm.NewEncoder().Bytes([]byte(s))
		if err != nil || !utf8.Valid(b) || utf8.RuneCount(b) == len(b) {
			continue
		}
		return string(b), true
	}
	return s, false
}

// keepOverMojibake keeps a stored text where the file holds its misreading
// (a re-import of a file saved in the wrong encoding must not replace
// "Müller" with "MÃ¼ller"), and names what it kept.
func keepOverMojibake(old data.Patient, row *data.Patient) []string {
	var kept []string
	for _, f := range []struct {
		name     string
		old, row *string
	}{
		{"first name", &old.FirstName, &row.FirstName}, {"last name", &old.LastName, &row.LastName},
		{"preferred name", &old.PreferredName, &row.PreferredName}, {"language", &old.Language, &row.Language},
		{"notes", &old.Notes, &row.Notes},
	} {
		if *f.row == "" || *f.row == *f.old {
			continue
		}
		if fixed, ok := unmojibake(*f.row); ok && fixed == *f.old {
			kept = append(kept, f.name+" "+*f.old)
			*f.row = *f.old
		}
	}
	return kept
}

// doubleEncoded says which of a new patient's names look like misread
// UTF-8, with their likely reading.
func doubleEncoded(p data.Patient) []string {
	var out []string
	for _, v := range []string{p.FirstName, p.LastName, p.PreferredName} {
		if fixed, ok := unmojibake(v); ok {
			out = append(out, v+" (probably "+fixed+")")
		}
	}
	return out
}
