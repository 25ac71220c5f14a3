// Command launchready tells the team behind a client portal whether it is
// ready for its first 100 users, and proves it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/launchready/launchready/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
