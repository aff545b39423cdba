package app

import (
	"context"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"kindly/workflow"
)

// lastFolderKey is where Fyne's file dialogs remember the folder used last.
const lastFolderKey = "fyne:fileDialogLastFolder"

// startIn opens a file dialog where office staff keep their files: the
// folder they used last, else Documents (not the home folder, Fyne's
// default, which on Windows is full of system folders).
func (u *UI) startIn(d *dialog.FileDialog) {
	if u.app.Preferences().String(lastFolderKey) != "" {
		return // Fyne opens the last folder itself
	}
	if dir := documentsFolder(); dir != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
			d.SetLocation(l)
		}
	}
}

// exportTo writes an export in the background; done gets the rows written,
// a failure is shown as an error.
func (u *UI) exportTo(req workflow.ExportRequest, done func(rows int)) {
	// The save dialog asked before writing over a file (and made it).
	req.Overwrite = true
	background(u, func(ctx context.Context) (int, error) { return u.work.Export(ctx, req, nil) },
		func(n int, err error) {
			if err != nil {
				u.showError(err)
				return
			}
			done(n)
		})
}
