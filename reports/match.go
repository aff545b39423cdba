package reports

import (
	"context"
	"fmt"
	"strings"

	"kindly/data"
)

// existing is the practice's patients, keyed the ways an import matches
// them. Keys that name several stored patients are ambiguous: a row that
// matches one of them is not applied.
type existing struct {
	byExternal map[string]*data.Patient
	byKey      map[string][]*data.Patient // email+birth, name+birth, name+phone, name+postal code
	byEmail    map[string][]*data.Patient
	tags       map[int64][]string
	n          int // patients stored
}

func emailBornKey(email string, born data.Date) string {
	if email == "" || born.IsZero() {
		return ""
	}
	return "eb|" + email + "|" + born.String()
}

func nameKey(p data.Patient) string {
	if p.LastName == "" || p.FirstName == "" {
		return ""
	}
	return strings.ToLower(p.LastName + "|" + p.FirstName)
}

func nameBornKey(p data.Patient) string {
	if n := nameKey(p); n != "" && !p.BirthDate.IsZero() {
		return "nb|" + n + "|" + p.BirthDate.String()
	}
	return ""
}

func namePhoneKey(p data.Patient) string {
	if d := data.PhoneDigits(p.Phone); len(d) >= 7 && nameKey(p) != "" {
		return "np|" + nameKey(p) + "|" + d[max(len(d)-10, 0):] // the last 10 digits: with or without the country code
	}
	return ""
}

func namePostalKey(p data.Patient) string {
	if z := strings.ToUpper(strings.ReplaceAll(p.PostalCode, " ", "")); z != "" && nameKey(p) != "" {
		return "nz|" + nameKey(p) + "|" + z
	}
	return ""
}

// matchKeys are the keys a patient is matched by, best first.
func matchKeys(p data.Patient) []string {
	var keys []string
	for _, k := range []string{emailBornKey(p.Email, p.BirthDate), nameBornKey(p), namePhoneKey(p), namePostalKey(p)} {
		if k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// matchKey is the key that makes two rows of a sheet one patient.
func matchKey(p data.Patient) string {
	if p.ExternalID != "" {
		return "id|" + p.ExternalID
	}
	if keys := matchKeys(p); len(keys) > 0 {
		return keys[0]
	}
	return ""
}

func loadExisting(ctx context.Context, s *data.Store) (*existing, error) {
	e := &existing{byExternal: map[string]*data.Patient{}, byKey: map[string][]*data.Patient{}, byEmail: map[string][]*data.Patient{}}
	err := s.EachPatient(ctx, func(p data.Patient) error {
		pp := &p
		e.n++
		if p.ExternalID != "" {
			e.byExternal[p.ExternalID] = pp
		}
		for _, k := range matchKeys(p) {
			e.byKey[k] = append(e.byKey[k], pp)
		}
		if p.Email != "" {
			e.byEmail[p.Email] = append(e.byEmail[p.Email], pp)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.tags, err = s.AllPatientTags(ctx)
	return e, err
}

// match finds the stored patient a row stands for: by the practice's id,
// else by email and birth date, by name and birth date, by name and phone,
// by name and postal code - never one that has another practice id. When
// the best key names several stored patients, ambiguous says so and the
// row is not applied.
func (e *existing) match(p data.Patient) (found *data.Patient, ambiguous string) {
	if p.ExternalID != "" {
		if m := e.byExternal[p.ExternalID]; m != nil {
			return m, ""
		}
	}
	for _, k := range matchKeys(p) {
		var fits []*data.Patient
		for _, m := range e.byKey[k] {
			if p.ExternalID == "" || m.ExternalID == "" || m.ExternalID == p.ExternalID {
				fits = append(fits, m)
			}
		}
		switch len(fits) {
		case 0:
			continue
		case 1:
			return fits[0], ""
		}
		var ids []string
		for _, m := range fits {
			ids = append(ids, fmt.Sprint("#", m.ID))
		}
		return nil, fmt.Sprintf("matches %d stored patients (%s) with the same %s: not changed - merge or edit them in Kindly first",
			len(fits), strings.Join(ids, ", "), keyWords(k))
	}
	return nil, ""
}

func keyWords(key string) string {
	switch key[:2] {
	case "eb":
		return "email and date of birth"
	case "nb":
		return "name and date of birth"
	case "np":
		return "name and phone"
	}
	return "name and postal code"
}
