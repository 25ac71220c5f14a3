// Command launchready tells the team behind a client portal whether it is
// ready for its first 100 users, and proves it.
package main

import (
	"context"
	"os"
	"syscall"

	"github.com/launchready/launchready/internal/cli"
	"github.com/launchready/launchready/internal/interrupt"
)

func main() {
	// The first Ctrl-C stops the checks, the second the clean-up.
	ctx, stop := interrupt.Notify(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
