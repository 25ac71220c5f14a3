// Package migrations holds the portal's Go migrations (collections and
// API rules), registered with PocketBase's migrations package as the
// "Go migrations" docs describe and compiled into the binary.
package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

func init() {
	m.Register(func(app core.App) error {
		if err := setupUsers(app); err != nil {
			return err
		}
		if err := createNotes(app); err != nil {
			return err
		}
		return createInvoices(app)
	}, func(app core.App) error {
		for _, name := range []string{"invoices", "notes"} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			if err := app.Delete(c); err != nil {
				return err
			}
		}
		return nil
	})
}

// setupUsers adapts the default "users" auth collection: a role (staff
// see the member directory), logins for verified members only.
func setupUsers(app core.App) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}

	users.Fields.Add(&core.SelectField{
		Name:      "role",
		Values:    []string{"member", "admin"},
		MaxSelect: 1,
	})

	// Members see their own record; staff (role admin) see everyone's,
	// emails included (manageRule), for the admin page's directory.
	users.ListRule = types.Pointer(`id = @request.auth.id || @request.auth.role = "admin"`)
	users.ViewRule = types.Pointer(`id = @request.auth.id || @request.auth.role = "admin"`)
	users.ManageRule = types.Pointer(`@request.auth.role = "admin"`)
	// Anyone may sign up; a member edits and deletes its own account.
	// PLANTED MISTAKE (NOTES.md): nothing stops a member from writing its
	// own role; both rules need `&& @request.body.role:isset = false`.
	users.CreateRule = types.Pointer("")
	users.UpdateRule = types.Pointer("id = @request.auth.id")
	users.DeleteRule = types.Pointer("id = @request.auth.id")

	// Only verified members may log in (the collection's authRule).
	users.AuthRule = types.Pointer("verified = true")

	return app.Save(users)
}

// createNotes is the members' private notes: every action is the owner's.
func createNotes(app core.App) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}

	notes := core.NewBaseCollection("notes")
	ownerOnly := "owner = @request.auth.id"
	notes.ListRule = types.Pointer(ownerOnly)
	notes.ViewRule = types.Pointer(ownerOnly)
	notes.CreateRule = types.Pointer(ownerOnly)
	notes.UpdateRule = types.Pointer(ownerOnly)
	notes.DeleteRule = types.Pointer(ownerOnly)

	notes.Fields.Add(
		&core.RelationField{Name: "owner", CollectionId: users.Id, Required: true, MaxSelect: 1, CascadeDelete: true},
		&core.TextField{Name: "title", Required: true, Max: 200},
		&core.TextField{Name: "body", Max: 5000},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	return app.Save(notes)
}

// createInvoices is what the portal bills each member; only superusers
// (the dashboard) issue and edit invoices.
func createInvoices(app core.App) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}

	invoices := core.NewBaseCollection("invoices")
	// PLANTED MISTAKE (NOTES.md): meant as "members only", but PocketBase
	// reads an empty rule as "everyone", guests included; the right rule is
	// "owner = @request.auth.id", as on notes.
	invoices.ListRule = types.Pointer("")
	invoices.ViewRule = types.Pointer("")
	// create, update and delete stay locked (nil): superusers only.

	invoices.Fields.Add(
		&core.RelationField{Name: "owner", CollectionId: users.Id, Required: true, MaxSelect: 1, CascadeDelete: true},
		&core.TextField{Name: "number", Required: true, Max: 40},
		&core.TextField{Name: "customer", Max: 200},
		&core.TextField{Name: "billing_address", Max: 500},
		&core.NumberField{Name: "amount"},
		&core.SelectField{Name: "status", Values: []string{"open", "paid", "void"}, MaxSelect: 1},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	return app.Save(invoices)
}
