package app

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
)

// Every character the window writes is in its own font: one that is not
// makes Fyne search the system's fonts and load one (16 MB of font tables
// for a sort arrow, measured at start), and on a computer without such a
// font it shows as a box. The words of app, workflow, data and reports
// are checked; names and text from the practice's data are not ours to
// choose.
func TestEveryGlyphIsInTheFont(t *testing.T) {
	face, err := font.ParseTTF(bytes.NewReader(theme.DefaultTextFont().Content()))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, dir := range []string{".", "../workflow", "../data", "../reports"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			var inspect func(n ast.Node) bool
			inspect = func(n ast.Node) bool {
				if cc, ok := n.(*ast.CaseClause); ok { // what is read (a spreadsheet's "✓"), not written
					for _, st := range cc.Body {
						ast.Inspect(st, inspect)
					}
					return false
				}
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				for _, r := range s {
					if r < 0x20 || r == 0xFFFD || r >= 0xE000 && r <= 0xF8FF { // controls, markers, private use
						continue
					}
					if _, ok := face.NominalGlyph(r); !ok {
						t.Errorf("%s: %q has %q (U+%04X), which the window's font does not have", fset.Position(lit.Pos()), s, r, r)
						break
					}
				}
				return true
			}
			ast.Inspect(f, inspect)
		}
	}
}
