package app

import "golang.org/x/sys/windows"

// documentsFolder is Windows' Documents folder, wherever it was moved to
// (OneDrive's folder backup moves it); "" when Windows does not say.
func documentsFolder() string {
	dir, err := windows.KnownFolderPath(windows.FOLDERID_Documents, 0)
	if err != nil {
		return ""
	}
	return dir
}
