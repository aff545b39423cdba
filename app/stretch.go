package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// stretched lays a table out over the space it gets, its columns sharing
// the width by their weights (never narrower than min), so a table fills a
// wide window and still fits a small one.
func stretched(t *widget.Table, min float32, weights ...float32) fyne.CanvasObject {
	return container.New(&stretchLayout{t: t, min: min, weights: weights}, t)
}

type stretchLayout struct {
	t       *widget.Table
	min     float32
	weights []float32
	width   float32 // the width the columns were set for
}

func (l *stretchLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if size.Width != l.width {
		l.width = size.Width
		var sum float32
		for _, w := range l.weights {
			sum += w
		}
		usable := size.Width - 16 // the scroll bar
		for i, w := range l.weights {
			l.t.SetColumnWidth(i, max(l.min, usable*w/sum))
		}
	}
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l *stretchLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(l.min*float32(len(l.weights)), 120)
}

// grown lays a table out over the space it gets with its columns at least
// their widths, growing them in proportion when the window is wider: no
// empty band on a big screen, a scroll bar on a small one.
func grown(t *widget.Table, widths ...float32) fyne.CanvasObject {
	return container.New(&growLayout{t: t, widths: widths}, t)
}

type growLayout struct {
	t      *widget.Table
	widths []float32
	width  float32
	set    []float32 // the widths the columns have now
}

func (l *growLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if size.Width != l.width {
		l.width = size.Width
		var sum float32
		for _, w := range l.widths {
			sum += w
		}
		grow := max(1, (size.Width-16)/sum)
		l.set = l.set[:0]
		for i, w := range l.widths {
			l.t.SetColumnWidth(i, w*grow)
			l.set = append(l.set, w*grow)
		}
	}
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l *growLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(200, 120) }
