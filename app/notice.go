package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// noticeFor is how long a notice stays.
const noticeFor = 10 * time.Second

// noticeBar is the line at the bottom of the window that confirms what was
// just done ("Ann Smith saved."), with Undo where it can be undone.
type noticeBar struct {
	text *widget.Label
	undo *widget.Button
	box  *fyne.Container
	gen  int // the notice shown; an older one's timer hides nothing
	fn   func()
	root *fyne.Container // the window's content, laid out again when the bar comes or goes
}

func newNoticeBar(u *UI) *noticeBar {
	n := &noticeBar{text: widget.NewLabel("")}
	n.text.TextStyle.Bold = true
	n.undo = widget.NewButton("Undo", func() {
		fn := n.fn
		n.hide()
		if fn != nil {
			fn()
		}
	})
	closeB := widget.NewButtonWithIcon("", theme.CancelIcon(), n.hide)
	closeB.Importance = widget.LowImportance
	n.box = container.NewBorder(widget.NewSeparator(), nil, nil, container.NewHBox(n.undo, closeB), n.text)
	n.box.Hide()
	return n
}

func (n *noticeBar) hide() {
	n.fn = nil
	n.box.Hide()
	if n.root != nil {
		n.root.Refresh()
	}
}

// notify confirms what was done at the bottom of the window for a few
// seconds; undo, when given, is offered as Undo.
func (u *UI) notify(text string, undo func()) {
	n := u.notice
	n.gen++
	gen := n.gen
	n.text.SetText(text)
	n.fn = undo
	if undo != nil {
		n.undo.Show()
	} else {
		n.undo.Hide()
	}
	n.box.Show()
	if n.root != nil {
		n.root.Refresh()
	}
	time.AfterFunc(noticeFor, func() {
		u.do(func() {
			if n.gen == gen {
				n.hide()
			}
		})
	})
}
