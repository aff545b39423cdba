package app

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"

	"kindly/data"
)

// securityChoices are the connection's security as the practice reads it,
// with the setting each stands for.
var securityChoices = [][2]string{
	{data.TLSStartTLS, "Secure: STARTTLS (usually port 587)"},
	{data.TLSImplicit, "Secure from the start: TLS (usually port 465)"},
	{data.TLSNone, "Not encrypted (only a mail server on this computer)"},
}

// newSecuritySelect is the choice of a connection's security.
func newSecuritySelect() *widget.Select { return widget.NewSelect(labels(securityChoices), nil) }

// setSecurity chooses a security setting (starttls, tls, none).
func setSecurity(s *widget.Select, value string) {
	if l := labelOf(securityChoices, value); l != "" {
		s.SetSelected(l)
	}
}

// security is the chosen security setting.
func security(s *widget.Select) string { return valueOf(securityChoices, s.Selected) }

// commonZones are the time zones most practices are in, for the list;
// any other IANA name may be typed.
var commonZones = []string{
	"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage",
	"Pacific/Honolulu", "America/Puerto_Rico", "America/Toronto", "America/Vancouver", "America/Edmonton", "America/Winnipeg",
	"America/Halifax", "America/St_Johns", "America/Mexico_City", "America/Bogota", "America/Lima", "America/Santiago",
	"America/Sao_Paulo", "America/Argentina/Buenos_Aires", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Madrid",
	"Europe/Paris", "Europe/Brussels", "Europe/Amsterdam", "Europe/Luxembourg", "Europe/Berlin", "Europe/Zurich", "Europe/Vienna",
	"Europe/Rome", "Europe/Copenhagen", "Europe/Oslo", "Europe/Stockholm", "Europe/Helsinki", "Europe/Warsaw", "Europe/Prague",
	"Europe/Budapest", "Europe/Athens", "Europe/Bucharest", "Europe/Istanbul", "Europe/Kyiv", "Africa/Johannesburg", "Africa/Lagos",
	"Africa/Cairo", "Africa/Nairobi", "Asia/Dubai", "Asia/Jerusalem", "Asia/Kolkata", "Asia/Singapore", "Asia/Hong_Kong",
	"Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Asia/Manila", "Australia/Perth", "Australia/Adelaide", "Australia/Brisbane",
	"Australia/Sydney", "Australia/Melbourne", "Pacific/Auckland",
}

// computerZone is the computer's own time zone name, when it says one
// ("" on Windows, whose zones have other names).
func computerZone() string {
	if tz := os.Getenv("TZ"); tz != "" {
		return strings.TrimPrefix(tz, ":")
	}
	if link, err := os.Readlink("/etc/localtime"); err == nil {
		if i := strings.Index(link, "zoneinfo/"); i >= 0 {
			return link[i+len("zoneinfo/"):]
		}
	}
	if name := time.Local.String(); name != "Local" {
		return filepath.ToSlash(name)
	}
	return ""
}

// zoneOptions are the time zones whose names hold what was typed (all of
// them when nothing or a whole name is typed), the computer's first.
func zoneOptions(typed string) []string {
	typed = strings.ToLower(strings.TrimSpace(typed))
	here := computerZone()
	var out []string
	if here != "" {
		out = append(out, here)
	}
	var rest []string
	for _, z := range commonZones {
		if z == here {
			continue
		}
		if typed == "" || strings.Contains(strings.ToLower(z), typed) || strings.Contains(strings.ToLower(strings.ReplaceAll(z, "_", " ")), typed) {
			rest = append(rest, z)
		}
	}
	sort.Strings(rest)
	if len(rest) == 0 && typed != "" { // a whole name, or one not in the list: show them all
		rest = append([]string{}, commonZones...)
		sort.Strings(rest)
	}
	return append(out, rest...)
}

// newZoneEntry is the practice's time zone: a searchable list (typing
// narrows it), any IANA name typed; empty is the computer's zone.
func newZoneEntry() *widget.SelectEntry {
	e := widget.NewSelectEntry(zoneOptions(""))
	hint := "e.g. America/New_York (empty: this computer's zone)"
	if here := computerZone(); here != "" {
		hint = "e.g. " + here + " (empty: this computer's zone)"
	}
	e.SetPlaceHolder(hint)
	e.OnChanged = func(s string) { e.SetOptions(zoneOptions(s)) }
	return e
}
