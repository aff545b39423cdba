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
	mins := make([]float32, len(weights))
	for i := range mins {
		mins[i] = min
	}
	return container.New(&columnsLayout{t: t, weights: weights, mins: mins, min: fyne.NewSize(min*float32(len(weights)), 120)}, t)
}

// grown lays a table out over the space it gets with its columns at least
// their widths, growing them in proportion when the window is wider: no
// empty band on a big screen, a scroll bar on a small one.
func grown(t *widget.Table, widths ...float32) fyne.CanvasObject {
	return container.New(&columnsLayout{t: t, weights: widths, mins: widths, min: fyne.NewSize(200, 120)}, t)
}

// columnsLayout gives each column of a table its share of the width by
// weight, never less than its minimum.
type columnsLayout struct {
	t       *widget.Table
	weights []float32
	mins    []float32
	min     fyne.Size
	width   float32   // the width the columns were set for
	set     []float32 // the widths the columns have now
}

func (l *columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if size.Width != l.width {
		l.width = size.Width
		var sum float32
		for _, w := range l.weights {
			sum += w
		}
		usable := size.Width - 16 // the scroll bar
		l.set = l.set[:0]
		for i, w := range l.weights {
			l.set = append(l.set, max(l.mins[i], usable*w/sum))
			l.t.SetColumnWidth(i, l.set[i])
		}
	}
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l *columnsLayout) MinSize([]fyne.CanvasObject) fyne.Size { return l.min }

// headedTable is a table with a bold header row of heads and cells that
// cut long text with an ellipsis; cell fills row's column col (rows counts
// the rows).
func headedTable(heads []string, rows func() int, cell func(row, col int, l *widget.Label)) *widget.Table {
	t := widget.NewTableWithHeaders(func() (int, int) { return rows(), len(heads) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("Someone, Anybody")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < rows() {
				cell(id.Row, id.Col, o.(*widget.Label))
			}
		})
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(heads[id.Col])
		}
	}
	return t
}
