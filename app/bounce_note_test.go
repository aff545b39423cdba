package app

import (
	"context"
	"strings"
	"testing"

	"kindly/data"
)

// A patient whose address bounced shows why and since when, under the
// address, on the patient's page.
func TestPatientPageShowsTheBounce(t *testing.T) {
	u, w := newTestUI(t, 20)
	defer onUI(nil, w.Close)
	ctx := context.Background()
	ps, _ := storeOf(u).Patients(ctx, data.PatientQuery{Limit: 1})
	p := ps[0]
	if _, err := storeOf(u).ApplyFinding(ctx, data.Finding{Kind: data.FindingBounce, Address: p.Email, Hard: true, Reason: "the address does not exist"}); err != nil {
		t.Fatal(err)
	}
	p, _ = storeOf(u).Patient(ctx, p.ID)
	onUI(u, func() { showPatientForm(u, p, nil, nil) })
	found := ""
	onUI(u, func() { found = overlayText(w) })
	if !strings.Contains(found, "This address bounced") || !strings.Contains(found, "does not exist") || !strings.Contains(found, "until the address is changed") {
		t.Fatalf("the page says %q", found)
	}
	writeScreenshot(t, w, "patient-bounced.png")
}
