package data

import (
	"context"
	"fmt"
)

// Cap is the frequency cap: at most Count emails per patient in Days
// days, across all campaigns. A Count of 0 means no cap.
type Cap struct {
	Count int
	Days  int
}

// DefaultCap is the cap of a new practice: 2 emails per patient per 30 days.
var DefaultCap = Cap{Count: 2, Days: 30}

// Validate says what is wrong with a cap.
func (c Cap) Validate() error {
	if c.Count < 0 || c.Days < 1 || c.Days > 366 {
		return &ValidationError{"cap", "The frequency cap is a number of emails (0 for no cap) per 1 to 366 days."}
	}
	return nil
}

func (c Cap) String() string {
	if c.Count == 0 {
		return "no frequency cap"
	}
	return fmt.Sprintf("at most %d emails per patient in %d days", c.Count, c.Days)
}

// FrequencyCap reads the practice's cap.
func (s *Store) FrequencyCap(ctx context.Context) (Cap, error) {
	st, err := s.Settings(ctx)
	return st.Cap, err
}
