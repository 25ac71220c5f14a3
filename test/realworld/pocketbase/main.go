// Command pocketbase-portal is a small members portal built on PocketBase
// used as a Go framework, as its "Extend with Go" docs describe:
// pocketbase.New(), Go migrations registered through migratecmd, the
// pb_public folder served by a catch-all static route, and app.Start().
//
// Collections and API rules live in ./migrations; settings that depend on
// the deployment (public URL, SMTP) are applied at bootstrap from the
// environment, and the seed members are created when the server starts.
package main

import (
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"

	_ "github.com/launchready/launchready/test/realworld/pocketbase/migrations"
)

func main() {
	app := pocketbase.New()

	// Loosely detect "go run", as the migrations docs do, so automigrate
	// only writes migration files during development.
	isGoRun := strings.HasPrefix(os.Args[0], os.TempDir())
	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{
		Automigrate: isGoRun,
	})

	app.OnBootstrap().BindFunc(func(e *core.BootstrapEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		return applySettings(e.App)
	})

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := seed(se.App); err != nil {
			return fmt.Errorf("seed: %w", err)
		}

		// serves static files from the provided public dir (if exists)
		se.Router.GET("/{path...}", apis.Static(os.DirFS("./pb_public"), false))

		if err := se.Next(); err != nil {
			return err
		}
		// se.Next() has opened the listener: connections queue from here.
		fmt.Println("READY")
		return nil
	})

	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}

// applySettings writes the deployment's settings: the public URL used in
// mail links, the sender and the SMTP relay (plain, no auth).
func applySettings(app core.App) error {
	settings := app.Settings()

	settings.Meta.AppName = "Pocket Members"
	if v := os.Getenv("PUBLIC_URL"); v != "" {
		settings.Meta.AppURL = v
	}
	settings.Meta.SenderName = "Pocket Members"
	settings.Meta.SenderAddress = "no-reply@pocketbase.realworld.test"

	if host := os.Getenv("SMTP_HOST"); host != "" {
		port := 25
		if p := os.Getenv("SMTP_PORT"); p != "" {
			if _, err := fmt.Sscan(p, &port); err != nil {
				return fmt.Errorf("SMTP_PORT %q: %w", p, err)
			}
		}
		settings.SMTP.Enabled = true
		settings.SMTP.Host = host
		settings.SMTP.Port = port
		settings.SMTP.TLS = false
	}

	return app.Save(settings)
}
