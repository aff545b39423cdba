package app

import (
	"context"
	"path/filepath"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"kindly/workflow"
)

// lastFolderKey is the app preference where Kindly remembers the folder
// of the file chosen last (Kindly's own key: Fyne's is private to it).
const lastFolderKey = "kindly.lastFolder"

// startIn opens a file dialog where office staff keep their files: the
// folder of the file chosen last, else Documents (not the home folder,
// Fyne's default, which on Windows is full of system folders).
func (u *UI) startIn(d *dialog.FileDialog) {
	for _, dir := range []string{u.app.Preferences().String(lastFolderKey), documentsFolder()} {
		if dir == "" {
			continue
		}
		if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
			d.SetLocation(l)
			return
		}
	}
}

// remember keeps the folder of a file the practice chose, for the next
// file dialog.
func (u *UI) remember(path string) {
	u.app.Preferences().SetString(lastFolderKey, filepath.Dir(path))
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
