package reports

import (
	"time"

	"kindly/data"
)

// merge lays a row over a stored patient: filled cells replace stored
// values, empty cells leave them. Consent only ever moves towards fewer
// emails: an import never re-subscribes someone who opted out.
func merge(old, row data.Patient, p *Plan, cells []string, source string, now time.Time) (data.Patient, []string) {
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
	set("phone", &m.Phone, row.Phone)
	set("sex", &m.Sex, row.Sex)
	set("postal code", &m.PostalCode, row.PostalCode)
	set("language", &m.Language, row.Language)
	set("notes", &m.Notes, row.Notes)
	if !row.BirthDate.IsZero() && row.BirthDate != m.BirthDate {
		m.BirthDate = row.BirthDate
		changes = append(changes, "birth date")
	}
	said := func(f Field) consent { v, _ := p.cell(cells, f); c, _ := parseConsent(v); return c }
	yes := func(f Field) bool { return said(f) == consentYes }
	promo, care := said(FieldPromoOptIn), said(FieldCareReminders)
	if yes(FieldOptOut) || care == consentNo || care == consentOptedOut {
		if m.CareConsent != data.CareOptedOut {
			m.CareConsent, m.CareChangedAt, m.CareSource = data.CareOptedOut, now, source
			changes = append(changes, "care reminders opted out")
		}
	}
	if yes(FieldOptOut) || promo == consentOptedOut {
		if m.PromoConsent != data.PromoOptedOut {
			m.PromoConsent, m.PromoChangedAt, m.PromoSource = data.PromoOptedOut, now, source
			changes = append(changes, "promotions opted out")
		}
	} else if promo == consentYes && m.PromoConsent == data.PromoUnknown {
		m.PromoConsent, m.PromoChangedAt, m.PromoSource = data.PromoOptedIn, now, source
		changes = append(changes, "promotions opted in")
	}
	if yes(FieldDoNotContact) && !m.DoNotContact {
		m.DoNotContact = true
		changes = append(changes, "do not contact")
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
