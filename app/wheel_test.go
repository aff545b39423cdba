package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"kindly/data"
)

// The mouse wheel over a field of the patient form scrolls the form: a
// field whose text fits has nothing of its own to scroll, so it does not
// swallow the wheel (the form stopped part-way wherever a field was under
// the pointer).
func TestWheelOverAFieldScrollsTheForm(t *testing.T) {
	u, w := newTestUI(t, 5)
	defer onUI(nil, w.Close)
	onUI(nil, func() { w.Resize(fyne.NewSize(1024, 700)) })
	ps, _ := storeOf(u).Patients(context.Background(), data.PatientQuery{Limit: 1})
	var f *patientForm
	onUI(u, func() { f = showPatientForm(u, ps[0], nil, nil) })
	var scroll *container.Scroll
	onUI(u, func() {
		walkObjects(w.Canvas().Overlays().Top(), func(o any) {
			if sc, ok := o.(*container.Scroll); ok && scroll == nil {
				scroll = sc
			}
		})
	})
	if scroll == nil {
		t.Fatal("the form does not scroll")
	}
	for _, e := range []*escEntry{f.first, f.email, f.phone} {
		onUI(u, func() {
			scroll.ScrollToTop()
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(e).Add(fyne.NewPos(20, 10))
			test.Scroll(w.Canvas(), pos, 0, -60)
			if scroll.Offset.Y == 0 {
				t.Errorf("the wheel over the field with %q did not scroll the form", e.Text)
			}
		})
	}
	// The notes (several lines) near the end of the form: the wheel up
	// over a short note scrolls the form, over a long one the note.
	wheelUpOverNotes := func() (moved bool) {
		scroll.ScrollToBottom()
		bottom := scroll.Offset.Y
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(f.notes).Add(fyne.NewPos(20, 10))
		test.Scroll(w.Canvas(), pos, 0, 60)
		return scroll.Offset.Y != bottom
	}
	onUI(u, func() {
		f.notes.SetText("Prefers mornings.")
		if !wheelUpOverNotes() {
			t.Error("the wheel over a short note did not scroll the form")
		}
		f.notes.SetText(strings.Repeat("A note that goes on. ", 40))
		if wheelUpOverNotes() {
			t.Error("the long note did not keep the wheel")
		}
	})
	// A field whose text is longer than it scrolls its own text.
	onUI(u, func() {
		f.email.SetText("a.very.long.address.of.someone.who.likes.long.names@an-equally-long-domain.example")
		scroll.ScrollToTop()
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(f.email).Add(fyne.NewPos(20, 10))
		test.Scroll(w.Canvas(), pos, 0, -60)
		if scroll.Offset.Y != 0 {
			t.Errorf("the long address did not keep the wheel")
		}
	})
}

// The same on Settings, the other long form.
func TestWheelOverASettingScrollsSettings(t *testing.T) {
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	onUI(nil, func() { w.Resize(fyne.NewSize(1024, 700)) })
	onUI(u, func() { u.Show("Settings") })
	s := u.settings
	waitFor(t, u, "the settings", func() bool { return s.capCount.Text != "" })
	onUI(u, func() {
		var scroll *container.Scroll
		walkObjects(s.box, func(o any) {
			if sc, ok := o.(*container.Scroll); ok && sc.Direction == container.ScrollVerticalOnly && scroll == nil {
				scroll = sc
			}
		})
		s.name.SetText("Sunny Family Practice")
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(s.name).Add(fyne.NewPos(20, 10))
		test.Scroll(w.Canvas(), pos, 0, -60)
		if scroll == nil || scroll.Offset.Y == 0 {
			t.Error("the wheel over the practice's name did not scroll Settings")
		}
	})
}
