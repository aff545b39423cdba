package app

import (
	"os"
	"testing"
)

// Runs on the Windows release runners: Windows names its Documents folder.
func TestDocumentsFolder(t *testing.T) {
	dir := documentsFolder()
	if info, err := os.Stat(dir); dir == "" || err != nil || !info.IsDir() {
		t.Fatalf("Documents: %q, %v", dir, err)
	}
}
