package reports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"kindly/data"
)

// headersKey names a header row: files with the same column names (in any
// case, spacing and punctuation) have the same key.
func headersKey(header []string) string {
	keys := make([]string, len(header))
	for i, h := range header {
		keys[i] = headerKey(h)
	}
	sum := sha256.Sum256([]byte(strings.Join(keys, "\x1f")))
	return hex.EncodeToString(sum[:8])
}

// rememberedMapping is the column choice confirmed at the last import of a
// file with these column names, or nil.
func rememberedMapping(ctx context.Context, s *data.Store, header []string, allowed []Field) (Mapping, error) {
	raw, err := s.ImportColumns(ctx, headersKey(header))
	if err != nil || raw == "" {
		return nil, err
	}
	var byName map[string]Field
	if json.Unmarshal([]byte(raw), &byName) != nil {
		return nil, nil // written by another version: guess again
	}
	m := Mapping{}
	for i, h := range header {
		if f, ok := byName[h]; ok && slices.Contains(allowed, f) {
			m[i] = f
		}
	}
	return m, nil
}

// RememberedColumns are the plan's column choice as the store keeps it for
// the next file with the same column names: the header's key and the
// choice by column name.
func (p *Plan) RememberedColumns() (key, columns string, err error) {
	byName := map[string]Field{}
	for i, h := range p.Header {
		if f, ok := p.Mapping[i]; ok && f != FieldNone {
			byName[h] = f
		}
	}
	raw, err := json.Marshal(byName)
	return headersKey(p.Header), string(raw), err
}

// applyColumns lays the practice's choices by column name over the
// mapping; a name the header does not have is an error that lists them.
func (p *Plan) applyColumns(columns map[string]Field, allowed []Field) error {
	for name, f := range columns {
		col := -1
		for i, h := range p.Header {
			if headerKey(h) == headerKey(name) {
				col = i
			}
		}
		if col < 0 {
			return fmt.Errorf("there is no column %q on row %d (the columns are: %s)", name, p.HeaderRow, quoteList(p.Header))
		}
		if f != FieldNone && !slices.Contains(allowed, f) {
			return fmt.Errorf("%s is not read by this import", f.Words())
		}
		for c, other := range p.Mapping { // one column per field: the choice wins
			if other == f && c != col && f != FieldNone {
				delete(p.Mapping, c)
			}
		}
		if f == FieldNone {
			delete(p.Mapping, col)
		} else {
			p.Mapping[col] = f
		}
	}
	return nil
}

// MappingWords is the mapping in words, column by column: "PatNum: practice id".
func (p *Plan) MappingWords() []string {
	var out []string
	for i, h := range p.Header {
		if f, ok := p.Mapping[i]; ok && f != FieldNone {
			out = append(out, fmt.Sprintf("%s: %s", h, f.Words()))
		}
	}
	return out
}
