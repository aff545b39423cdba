package main

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The window (app) and the command line (cli) reach the practice's
// database only through workflow: they may share data's types, but they
// never call a method of data.Store, hold one, or open one. The packages
// are type-checked from source; Fyne and the other outside libraries are
// left unresolved, which leaves Kindly's own types whole.
func TestFrontEndsUseOnlyTheWorkflow(t *testing.T) {
	for _, dir := range []string{"app", "cli"} {
		t.Run(dir, func(t *testing.T) {
			for _, v := range storeUses(t, dir) {
				t.Error(v)
			}
		})
	}
}

// A front end that calls the store is caught (the check cannot pass by
// seeing nothing).
func TestStoreUseIsCaught(t *testing.T) {
	dir := t.TempDir()
	src := `package bad

import (
	"context"

	"kindly/data"
	"kindly/workflow"
)

type screen struct{ store *data.Store }

func (s *screen) count(ctx context.Context) int {
	n, _ := s.store.CountPatients(ctx, data.PatientQuery{})
	return n
}

func open(w *workflow.Workflow) { data.Open("x.db") }
`
	writeFile(t, filepath.Join(dir, "bad.go"), src)
	got := storeUses(t, dir)
	want := []string{"data.Store.CountPatients", "data.Open", "holds a *data.Store"}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, w) }) {
			t.Errorf("not caught: %s (found %q)", w, got)
		}
	}
}

// storeUses lists where the Go files of dir (tests left out) use the
// store: a data.Store method, data.Open, or a value of type *data.Store.
func storeUses(t *testing.T, dir string) []string {
	t.Helper()
	fset := token.NewFileSet()
	imp := &sourceImporter{fset: fset, std: importer.Default(), done: map[string]*types.Package{}}
	files := parseDir(t, fset, dir)
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}, Uses: map[*ast.Ident]types.Object{}, Types: map[ast.Expr]types.TypeAndValue{}}
	conf := types.Config{Importer: imp, Error: func(error) {}, FakeImportC: true}
	conf.Check(dir, fset, files, info)

	var found []string
	at := func(n ast.Node) string { return fset.Position(n.Pos()).String() }
	isStore := func(tp types.Type) bool {
		if p, ok := tp.(*types.Pointer); ok {
			tp = p.Elem()
		}
		n, ok := tp.(*types.Named)
		return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "kindly/data" && n.Obj().Name() == "Store"
	}
	checked := 0
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.SelectorExpr:
				if sel, ok := info.Selections[x]; ok {
					checked++
					if sel.Kind() == types.MethodVal && isStore(sel.Recv()) {
						found = append(found, fmt.Sprintf("%s: calls data.Store.%s", at(x), sel.Obj().Name()))
					}
				}
				if obj, ok := info.Uses[x.Sel].(*types.Func); ok && obj.Pkg() != nil && obj.Pkg().Path() == "kindly/data" && obj.Name() == "Open" {
					found = append(found, fmt.Sprintf("%s: calls data.Open", at(x)))
				}
			case *ast.Field:
				if tv, ok := info.Types[x.Type]; ok && isStore(tv.Type) {
					found = append(found, fmt.Sprintf("%s: holds a *data.Store", at(x)))
				}
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatalf("%s: no selection was typed: the check sees nothing", dir)
	}
	return found
}

// parseDir parses the package's files for this platform, tests left out.
func parseDir(t *testing.T, fset *token.FileSet, dir string) []*ast.File {
	t.Helper()
	pkg, err := build.ImportDir(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range append(pkg.GoFiles, pkg.CgoFiles...) {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// sourceImporter type-checks Kindly's own packages from source and the
// standard library from its export data; other packages are unresolved.
type sourceImporter struct {
	fset *token.FileSet
	std  types.Importer
	done map[string]*types.Package
}

func (s *sourceImporter) Import(path string) (*types.Package, error) {
	if p, ok := s.done[path]; ok {
		return p, nil
	}
	var pkg *types.Package
	switch {
	case path == "kindly" || strings.HasPrefix(path, "kindly/"):
		dir := strings.TrimPrefix(strings.TrimPrefix(path, "kindly"), "/")
		var files []*ast.File
		bp, err := build.ImportDir(filepath.Join(".", dir), 0)
		if err != nil {
			return nil, err
		}
		for _, name := range append(bp.GoFiles, bp.CgoFiles...) {
			f, err := parser.ParseFile(s.fset, filepath.Join(bp.Dir, name), nil, 0)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		}
		conf := types.Config{Importer: s, Error: func(error) {}, FakeImportC: true}
		pkg, _ = conf.Check(path, s.fset, files, nil)
	case !strings.Contains(strings.Split(path, "/")[0], "."):
		var err error
		if pkg, err = s.std.Import(path); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%s is left unresolved", path)
	}
	s.done[path] = pkg
	return pkg, nil
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
