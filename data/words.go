package data

import "strconv"

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
