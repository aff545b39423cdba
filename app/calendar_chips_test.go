package app

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
	"kindly/workflow"
)

// The calendar shows each campaign's days as chips: the campaign's colour,
// its name and how many, and a tap opens the campaign's page.
func TestCalendarChips(t *testing.T) {
	u, w := newTestUIAt(t, 300, time.Date(2026, 10, 5, 10, 0, 0, 0, time.UTC))
	defer onUI(nil, w.Close)
	ctx := context.Background()
	if _, err := u.work.SaveSegment(ctx, "Everyone", data.Rule{Kind: data.KindAll}); err != nil {
		t.Fatal(err)
	}
	if _, err := u.work.SaveCampaign(ctx, workflow.CampaignSpec{Name: "Birthday wishes", Purpose: data.PurposeCare, Segment: "Everyone",
		Template: "Birthday", Schedule: workflow.ScheduleText{Kind: data.ScheduleBirthday, DaysBefore: "0", Hours: "9-17"}}, true); err != nil {
		t.Fatal(err)
	}
	onUI(u, func() { u.Show("Calendar") })
	waitFor(t, u, "the month", func() bool { return u.calendar.notes.Text != "" })
	var chip *fyne.Container
	onUI(u, func() {
		for _, day := range u.calendar.grid.Objects {
			if c := findChip(day); c != nil {
				chip = c
				break
			}
		}
	})
	if chip == nil {
		t.Fatal("no chip on any day")
	}
	bar := chip.Objects[1].(*canvas.Rectangle) // Border: the middle, then the bar
	if bar.FillColor != campaignColor("Birthday wishes") {
		t.Errorf("the chip's colour %v is not the campaign's", bar.FillColor)
	}
	if campaignColor("Birthday wishes") != campaignColor("birthday wishes") {
		t.Error("a campaign's colour changes with the case of its name")
	}
	var tapped *widget.Button
	onUI(u, func() {
		tapped = chip.Objects[0].(*fyne.Container).Objects[0].(*widget.Button)
		test.Tap(tapped)
	})
	waitFor(t, u, "the campaign's page", func() bool { return u.campaigns.selected == "Birthday wishes" })
}

// findChip is the first campaign chip in a calendar day.
func findChip(o fyne.CanvasObject) *fyne.Container {
	c, ok := o.(*fyne.Container)
	if !ok {
		return nil
	}
	if len(c.Objects) == 2 {
		if _, isBar := c.Objects[1].(*canvas.Rectangle); isBar {
			if inner, ok := c.Objects[0].(*fyne.Container); ok && len(inner.Objects) == 2 {
				if _, isButton := inner.Objects[0].(*widget.Button); isButton {
					return c
				}
			}
		}
	}
	for _, child := range c.Objects {
		if f := findChip(child); f != nil {
			return f
		}
	}
	return nil
}
