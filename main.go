// Kindly keeps a practice's patients, segments and reminder campaigns.
// With no command it opens the window; with one it runs headless (see
// kindly --help). The command line lives in cli, the window in app; both
// call the same workflow layer.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	_ "time/tzdata" // practice time zones work on Windows too

	"kindly/about"
	"kindly/app"
	"kindly/cli"
	"kindly/workflow"
)

var (
	//go:embed Icon.png
	icon []byte
	//go:embed FyneApp.toml
	fyneApp []byte
)

func main() {
	info, err := about.Parse(fyneApp)
	if err != nil { // a broken build, caught by the tests
		fmt.Fprintln(os.Stderr, "kindly:", err)
		os.Exit(1)
	}
	os.Exit(cli.Main(os.Args[1:], cli.Env{
		About:       info,
		Window:      func(ctx context.Context, w *workflow.Workflow) error { return app.Run(ctx, w, info, icon) },
		WindowError: func(err error) { app.ShowStartError(err, info, icon) },
	}))
}
