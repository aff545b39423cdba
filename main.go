// Kindly keeps a practice's patients, segments and reminder campaigns.
// With no command it opens the window; with one it runs headless (see
// kindly --help). The command line lives in cli, the window in app; both
// call the same workflow layer.
package main

import (
	"context"
	_ "embed"
	"os"
	_ "time/tzdata" // practice time zones work on Windows too

	"kindly/app"
	"kindly/cli"
	"kindly/workflow"
)

//go:embed Icon.png
var icon []byte

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Env{
		Window:      func(ctx context.Context, w *workflow.Workflow) error { return app.Run(ctx, w, icon) },
		WindowError: func(err error) { app.ShowStartError(err, icon) },
	}))
}
