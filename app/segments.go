package app

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kindly/data"
)

type segmentRow struct {
	seg   data.Segment
	count int
	err   error
}

// segmentsScreen lists the saved segments with their size today.
type segmentsScreen struct {
	ui     *UI
	list   *widget.List
	status *widget.Label
	rows   []segmentRow
	box    fyne.CanvasObject
}

func newSegmentsScreen(u *UI) *segmentsScreen {
	s := &segmentsScreen{ui: u, status: widget.NewLabel("Loading…")}
	s.list = widget.NewList(
		func() int { return len(s.rows) },
		func() fyne.CanvasObject {
			name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			sentence := widget.NewLabel("")
			sentence.Wrapping = fyne.TextWrapWord
			return container.NewBorder(nil, nil, nil, widget.NewLabel("100000 patients"), container.NewVBox(name, sentence))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			r := s.rows[id]
			box := o.(*fyne.Container)
			texts := box.Objects[0].(*fyne.Container)
			texts.Objects[0].(*widget.Label).SetText(r.seg.Name)
			texts.Objects[1].(*widget.Label).SetText(r.seg.Rule.Sentence() + ".")
			count := box.Objects[1].(*widget.Label)
			if r.err != nil {
				count.SetText("error: " + errorText(r.err))
			} else {
				count.SetText(fmt.Sprintf("%d patients", r.count))
			}
			s.list.SetItemHeight(id, box.MinSize().Height)
		})
	heading := widget.NewLabelWithStyle("Segments", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.box = container.NewBorder(container.NewBorder(nil, nil, heading, s.status), nil, nil, nil, s.list)
	return s
}

func (s *segmentsScreen) content() fyne.CanvasObject { return s.box }

// refresh counts every segment in a goroutine and swaps the rows in.
func (s *segmentsScreen) refresh() {
	go func() {
		ctx := context.Background()
		segs, err := s.ui.store.Segments(ctx)
		rows := make([]segmentRow, len(segs))
		for i, seg := range segs {
			n, cerr := s.ui.store.SegmentCount(ctx, seg.Rule)
			rows[i] = segmentRow{seg, n, cerr}
		}
		s.ui.do(func() {
			if err != nil {
				s.status.SetText("Cannot load segments: " + errorText(err))
				return
			}
			s.rows = rows
			s.status.SetText(fmt.Sprintf("%d segments", len(rows)))
			s.list.Refresh()
		})
	}()
}
