package data

import (
	"strconv"
	"strings"
)

// Plural is the word for n things: one when n is 1, else many. Every
// plural the practice reads is picked here.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Count is n with its word: "1 patient", "12 patients".
func Count(n int, one, many string) string { return strconv.Itoa(n) + " " + Plural(n, one, many) }

// JoinNames lists names as a sentence does: "Anna", "Anna and Ben",
// "Anna, Ben and Clara".
func JoinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// CallName is what an email calls the patient: the preferred name, else
// the first name.
func (p Patient) CallName() string {
	if p.PreferredName != "" {
		return p.PreferredName
	}
	return p.FirstName
}
