package reports

import (
	"strings"
	"time"

	"kindly/data"
)

// merge lays a row over a stored patient: filled cells replace stored
// values, empty cells leave them. Consent only ever moves towards fewer
// emails: an import never re-subscribes someone who opted out, and never
// brings an archived (deceased, moved) patient back.
func merge(old, row data.Patient, r rowRead, source string, now time.Time) (data.Patient, []string) {
	m := old
	var changes []string
	set := func(name string, dst *string, v string) {
		if v != "" && *dst != v {
			*dst = v
			changes = append(changes, name)
		}
	}
	set("practice id", &m.ExternalID, row.ExternalID)
	set("first name", &m.FirstName, row.FirstName)
	set("last name", &m.LastName, row.LastName)
	set("preferred name", &m.PreferredName, row.PreferredName)
	set("email", &m.Email, row.Email)
	if !samePhone(m.Phone, row.Phone) {
		set("phone", &m.Phone, row.Phone)
	}
	set("sex", &m.Sex, row.Sex)
	set("postal code", &m.PostalCode, row.PostalCode)
	set("language", &m.Language, row.Language)
	set("notes", &m.Notes, row.Notes)
	if !row.BirthDate.IsZero() && row.BirthDate != m.BirthDate {
		m.BirthDate = row.BirthDate
		changes = append(changes, "birth date")
	}
	promo, care := r.promo, r.care
	if r.optOut || care == consentNo || care == consentOptedOut {
		if m.CareConsent != data.CareOptedOut {
			m.CareConsent, m.CareChangedAt, m.CareSource = data.CareOptedOut, now, source
			changes = append(changes, "care reminders opted out")
		}
	}
	if r.careGiven && m.CareConsent == data.CareAllowed && m.CareOptedInAt.IsZero() {
		m.CareOptedInAt = now // explicit consent, where the practice asks for it
		changes = append(changes, "care reminders consented")
	}
	if r.optOut || promo == consentOptedOut {
		if m.PromoConsent != data.PromoOptedOut {
			m.PromoConsent, m.PromoChangedAt, m.PromoSource = data.PromoOptedOut, now, source
			changes = append(changes, "promotions opted out")
		}
	} else if promo == consentYes && m.PromoConsent == data.PromoUnknown {
		m.PromoConsent, m.PromoChangedAt, m.PromoSource = data.PromoOptedIn, now, source
		changes = append(changes, "promotions opted in")
	}
	if r.doNotMail && !m.DoNotContact {
		m.DoNotContact = true
		changes = append(changes, "do not contact")
	}
	if r.archive && !m.Archived {
		m.Archived = true
		changes = append(changes, "archived (deceased, inactive or moved)")
	}
	return m, changes
}

func missingTags(have, want []string) []string {
	var out []string
	for _, w := range want {
		found := false
		for _, h := range have {
			if data.TagKey(h) == data.TagKey(w) {
				found = true
			}
		}
		if !found {
			out = append(out, w)
		}
	}
	return out
}

// samePhone says two ways of writing a phone number are the same number:
// the same digits, with or without the country code ("+1 555 010 2030"
// and "(555) 010-2030"); the stored way is kept.
func samePhone(a, b string) bool {
	da, db := data.PhoneDigits(a), data.PhoneDigits(b)
	if da == "" || db == "" {
		return false
	}
	if len(da) < len(db) {
		da, db = db, da
	}
	return da == db || len(db) >= 7 && strings.HasSuffix(da, db) && len(da)-len(db) <= 3
}
