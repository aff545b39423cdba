package workflow

import "kindly/data"

// kindMessages are the sentences for the kinds of failure that always mean
// the same to the practice, whatever the technical cause.
var kindMessages = map[data.Kind]string{
	data.KindBusy:     "The database is busy in another window or program; try again in a moment.",
	data.KindDiskFull: "The disk is full; free some space and try again.",
	data.KindDamaged:  "The database file is damaged or is not a Kindly database; restore a backup.",
}

// Message is err as the practice reads it: the table's sentence for its
// kind, or else the error's own words (a data.Problem's message with what
// wraps it). The next step is not in it: each front end words
// data.HintOf(err) itself.
func Message(err error) string {
	if err == nil {
		return ""
	}
	if m, ok := kindMessages[data.KindOf(err)]; ok {
		return m
	}
	return err.Error()
}
