package app

import (
	"context"
	"slices"
	"strings"
	"testing"

	"kindly/data"
	"kindly/workflow"
)

// What a first-time user sees says what to do, and offers only what can
// be done: Today asks for the mail account (not to "choose the provider
// again"), an unsaved segment cannot be duplicated or deleted, a new draft
// campaign has no uncertain emails to decide.
func TestFirstDayOffersOnlyWhatCanBeDone(t *testing.T) {
	u, w := newTestUI(t, 30)
	defer onUI(nil, w.Close)
	ctx := context.Background()
	onUI(u, func() { u.Show("Today") })
	waitFor(t, u, "Today's inbox line", func() bool { return u.today.inbox.Text != "" })
	if text := u.today.inbox.Text; !strings.Contains(text, "Set it up under Settings > Mail account.") || strings.Contains(text, "again") {
		t.Errorf("Today says %q", text)
	}

	s := u.segments
	onUI(u, func() { u.Show("Segments"); s.edit("", data.Rule{Kind: data.KindAll}) })
	onUI(u, func() {
		if !s.dup.Disabled() || !s.del.Disabled() {
			t.Errorf("an unsaved segment offers Duplicate (off %v) or Delete (off %v)", s.dup.Disabled(), s.del.Disabled())
		}
	})
	// A condition just added is not finished yet; it is not wrong.
	onUI(u, func() {
		s.edit("", data.Rule{Kind: data.KindAll, Rules: []data.Rule{{Kind: data.KindVisit, Op: data.VisitWithin}, {Kind: data.KindAge}}})
	})
	onUI(u, func() {
		if got := s.sentence.Text; got != "Not finished: type the number of months." {
			t.Errorf("a new condition says %q", got)
		}
	})
	if _, err := u.work.SaveSegment(ctx, "Everyone", data.Rule{Kind: data.KindAll}); err != nil {
		t.Fatal(err)
	}
	onUI(u, func() { s.edit("Everyone", data.Rule{Kind: data.KindAll}) })
	onUI(u, func() {
		if s.dup.Disabled() || s.del.Disabled() {
			t.Error("a saved segment offers no Duplicate or Delete")
		}
	})

	if _, err := u.work.SaveCampaign(ctx, workflow.CampaignSpec{Name: "Flu", Purpose: data.PurposeCare, Segment: "Everyone", Template: "Flu shot"}, true); err != nil {
		t.Fatal(err)
	}
	c := u.campaigns
	onUI(u, func() { u.openCampaign("Flu") })
	waitFor(t, u, "the campaign's review", func() bool { return c.lastReview.Campaign == "Flu" })
	onUI(u, func() {
		if c.uncertain.Visible() {
			t.Error("a new draft campaign shows Uncertain…")
		}
	})
}

// Settings speaks the practice's words: the security as "Secure: STARTTLS
// (usually port 587)", the time zone as a list that narrows as it is typed,
// the Microsoft and Google sign-in only for their providers.
func TestSettingsWords(t *testing.T) {
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	s := u.settings
	onUI(u, func() { u.Show("Settings") })
	waitFor(t, u, "the settings", func() bool { return s.capCount.Text != "" })
	onUI(u, func() {
		for _, o := range s.tls.Options {
			if o == data.TLSStartTLS || o == data.TLSImplicit || o == data.TLSNone {
				t.Errorf("a raw security choice: %q", o)
			}
		}
		s.preset.SetSelected("Other SMTP server")
		if s.signIn.Visible() || security(s.tls) != data.TLSStartTLS || !strings.Contains(s.tls.Selected, "587") {
			t.Errorf("other server: sign-in shown %v, security %q", s.signIn.Visible(), s.tls.Selected)
		}
		s.preset.SetSelected("Microsoft 365")
		if !s.signIn.Visible() {
			t.Error("Microsoft 365 offers no sign-in")
		}
		s.zone.SetText("berl") // the list narrows as it is typed
		if got := zoneOptions("berl"); !slices.Contains(got, "Europe/Berlin") || slices.Contains(got, "America/Chicago") {
			t.Errorf("typing berl lists %q", got)
		}
	})
}
