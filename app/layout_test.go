package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/workflow"
)

// smallest is the smallest window every screen must fit.
var smallest = fyne.NewSize(1024, 700)

// checkLayout is the layout rule: at 1024x700 the screen (and the dialog
// on top, if any) asks for no more room than the window has; no button
// outside a scrolling area is out of view; no single-line text is cut
// without an ellipsis.
func checkLayout(t *testing.T, u *UI, w fyne.Window, what string) {
	t.Helper()
	var problems []string
	onUI(u, func() {
		if m := w.Content().MinSize(); m.Width > smallest.Width || m.Height > smallest.Height {
			problems = append(problems, fmt.Sprintf("the window needs %.0fx%.0f", m.Width, m.Height))
		}
		d := fyne.CurrentApp().Driver()
		var walk func(o fyne.CanvasObject, scrolled bool)
		walk = func(o fyne.CanvasObject, scrolled bool) {
			if o == nil || !o.Visible() {
				return
			}
			switch x := o.(type) {
			case *widget.Button:
				p := d.AbsolutePositionForObject(x)
				if !scrolled && x.Text != "" && (p.X < -1 || p.Y < -1 || p.X+x.Size().Width > smallest.Width+1 || p.Y+x.Size().Height > smallest.Height+1) {
					problems = append(problems, fmt.Sprintf("the button %q is out of view at %v", x.Text, p))
				}
			case *widget.Label:
				if x.Wrapping == fyne.TextWrapOff && x.Truncation == fyne.TextTruncateOff && x.Text != "" &&
					x.Size().Width > 0 && x.Size().Width+1 < x.MinSize().Width {
					problems = append(problems, fmt.Sprintf("%q is cut without an ellipsis (%.0f of %.0f px)", x.Text, x.Size().Width, x.MinSize().Width))
				}
			case *container.Scroll:
				if x.Direction == container.ScrollVerticalOnly && x.Size().Width > 0 && x.Content.MinSize().Width > x.Size().Width+1 {
					problems = append(problems, fmt.Sprintf("an area that scrolls up and down only is %.0f px wide in %.0f px: its right side is cut",
						x.Content.MinSize().Width, x.Size().Width))
				}
				walk(x.Content, true)
				return
			case *widget.Table, *widget.List: // they scroll their rows and headers
				for _, child := range test.WidgetRenderer(x.(fyne.Widget)).Objects() {
					walk(child, true)
				}
				return
			}
			switch c := o.(type) {
			case *fyne.Container:
				for _, child := range c.Objects {
					walk(child, scrolled)
				}
			case *widget.Label, *widget.Button, *widget.Entry, *widget.Select, *widget.Hyperlink:
				// their own parts are theirs to lay out
			case fyne.Widget:
				for _, child := range test.WidgetRenderer(c).Objects() {
					walk(child, scrolled)
				}
			}
		}
		walk(w.Content(), false)
		for _, ov := range w.Canvas().Overlays().List() {
			walk(ov, false)
		}
	})
	for _, p := range problems {
		t.Errorf("%s: %s", what, p)
	}
}

// longPractice fills a practice with the long names real ones have.
func longPractice(t *testing.T, u *UI) {
	t.Helper()
	ctx := context.Background()
	st := storeOf(u)
	for i, n := range []string{"Maximiliane-Theodora", "Wolfgang-Friedrich", "Anna"} {
		p := data.Patient{FirstName: n, LastName: "von Schwarzenberg-Hohenlohe-Langenburg " + fmt.Sprint(i), Email: fmt.Sprintf("maximiliane.von.schwarzenberg.%d@example.com", i),
			CareConsent: data.CareOptedOut, PromoConsent: data.PromoOptedOut}
		if err := st.CreatePatient(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"Patientinnen und Patienten über 65 ohne Grippeimpfung in dieser Saison", "Diabetes-Schulungsprogramm Teilnehmende"} {
		if _, err := u.work.SaveSegment(ctx, name, data.Rule{Kind: data.KindAll, Rules: []data.Rule{{Kind: data.KindAge, Min: ptrInt(65)}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := u.work.SaveCampaign(ctx, workflow.CampaignSpec{Name: "Grippeschutzimpfung Herbst 2026 für Risikogruppen und chronisch Kranke",
		Purpose: data.PurposeCare, Segment: "Patientinnen und Patienten über 65 ohne Grippeimpfung in dieser Saison", Template: "Flu shot"}, true); err != nil {
		t.Fatal(err)
	}
}

func ptrInt(n int) *int { return &n }

// Every screen fits 1024x700 with long, German content.
func TestEveryScreenFits(t *testing.T) {
	u, w := newTestUI(t, 60)
	defer onUI(nil, w.Close)
	longPractice(t, u)
	for _, sec := range sections {
		onUI(u, func() { u.Show(sec.title) })
		settle(t, u)
		checkLayout(t, u, w, sec.title)
	}
	// The widest rule: a visit condition with its month.
	onUI(u, func() {
		u.Show("Segments")
		u.segments.edit("Patientinnen und Patienten über 65 ohne Grippeimpfung in dieser Saison", data.Rule{Kind: data.KindAll, Rules: []data.Rule{
			{Kind: data.KindAge, Min: ptrInt(65)}, {Kind: data.KindVisit, Service: "Grippeschutzimpfung", Op: data.VisitNotSince, Month: 9},
			{Kind: data.KindEmail, Op: "has"}}})
	})
	settle(t, u)
	checkLayout(t, u, w, "the segment builder with a visit condition")
	onUI(u, func() { u.openCampaign("Grippeschutzimpfung Herbst 2026 für Risikogruppen und chronisch Kranke") })
	waitFor(t, u, "the campaign", func() bool { return u.campaigns.lastReview.Campaign != "" })
	checkLayout(t, u, w, "the campaign page")
	for i := range u.campaigns.tabs.Items {
		onUI(u, func() { u.campaigns.tabs.SelectIndex(i) })
		settle(t, u)
		checkLayout(t, u, w, "the campaign's tab "+u.campaigns.tabs.Items[i].Text)
	}
}

// settle lets the screen's background work land.
func settle(t *testing.T, u *UI) {
	t.Helper()
	for range 20 {
		onUI(u, func() {})
	}
	waitFor(t, u, "the screen's work", func() bool { return true })
}

// Every dialog fits 1024x700 with long, German content: the patient form
// (with visits), the campaign form, the import wizard on a German export,
// the template editor's long refusal, the review's confirmation.
func TestEveryDialogFits(t *testing.T) {
	u, w := newTestUI(t, 60)
	defer onUI(nil, w.Close)
	longPractice(t, u)
	ctx := context.Background()
	ps, _ := u.work.Patients(ctx, data.PatientQuery{Search: "Maximiliane"})
	if len(ps) == 0 {
		t.Fatal("no long-named patient")
	}
	for _, d := range []string{"2026-10-01", "2025-10-02", "2024-09-30"} {
		day, _ := data.ParseDate(d)
		u.work.AddVisit(ctx, data.Visit{PatientID: ps[0].ID, Date: day, Service: "Grippeschutzimpfung mit Hochdosis-Impfstoff für über 60-Jährige"})
	}
	onUI(u, func() { u.Show("Patients"); u.openPatient(ps[0].ID, nil) })
	waitFor(t, u, "the patient form", func() bool { return w.Canvas().Overlays().Top() != nil })
	settle(t, u)
	checkLayout(t, u, w, "the patient form")
	onUI(u, func() { u.closeTopDialog() })

	onUI(u, func() { u.Show("Campaigns"); u.campaigns.onNew() })
	waitFor(t, u, "the campaign form", func() bool { return w.Canvas().Overlays().Top() != nil })
	checkLayout(t, u, w, "the campaign form")
	onUI(u, func() { u.closeTopDialog() })

	csv := filepath.Join(t.TempDir(), "Patientenliste Praxis Dr. Müller-Lüdenscheidt.csv")
	os.WriteFile(csv, []byte("Patientennummer;Nachname;Vorname;Geburtsdatum;E-Mail-Adresse;Telefonnummer privat;Straße und Hausnummer;Einwilligung Erinnerungen\n"+
		"1;von Schwarzenberg-Hohenlohe;Maximiliane;14.03.1958;max@example.com;030 1234567;Kurfürstendamm 123;ja\n"), 0o600)
	var wiz *importWizard
	onUI(u, func() { u.Show("Patients"); wiz = newImportWizard(u, csv, nil) })
	waitFor(t, u, "the dry run", func() bool { return strings.Contains(wiz.summary.Text, "to add") })
	checkLayout(t, u, w, "the import wizard")
	onUI(u, func() { wiz.dlg.Hide() })

	onUI(u, func() {
		u.Show("Templates")
		u.templates.status.SetText("Not saved: " + strings.Repeat("the subject has 151 characters; keep it under 150 (inboxes show about 60) ", 3))
	})
	checkLayout(t, u, w, "the template editor with a long refusal")
}

// A second Kindly's error box keeps its OK in view, however long the
// error: the message scrolls.
func TestStartErrorFits(t *testing.T) {
	test.NewTempApp(t)
	long := errors.New(strings.Repeat("another Kindly (a window or the command line) has this database open; close it first. ", 12))
	c := startErrorContent(long, func() {})
	if m := c.MinSize(); m.Width > startErrorSize.Width || m.Height > startErrorSize.Height {
		t.Fatalf("the error box needs %v, more than its window's %v", m, startErrorSize)
	}
}
