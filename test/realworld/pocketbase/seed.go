package main

import (
	"fmt"
	"os"

	"github.com/pocketbase/pocketbase/core"
)

// member is one seed account read from the SEED_* environment.
type member struct {
	key, email, password, name, role string
}

// seed creates the superuser and the verified members named in SEED_*,
// with a few notes and invoices each. It runs at every start and leaves
// accounts that already exist alone, so a restart keeps their data.
func seed(app core.App) error {
	admin := member{"admin", os.Getenv("SEED_ADMIN_EMAIL"), os.Getenv("SEED_ADMIN_PASSWORD"), "Ada Admin", "admin"}
	members := []member{
		{"a", os.Getenv("SEED_A_EMAIL"), os.Getenv("SEED_A_PASSWORD"), "Alice Anders", "member"},
		{"b", os.Getenv("SEED_B_EMAIL"), os.Getenv("SEED_B_PASSWORD"), "Bob Berger", "member"},
		// The staff account is a member with the admin role too, so it can
		// use the portal's own admin page (the member directory).
		admin,
	}

	if admin.email != "" {
		if err := upsertSuperuser(app, admin); err != nil {
			return err
		}
	}

	for _, m := range members {
		if m.email == "" || m.password == "" {
			continue
		}
		user, created, err := upsertMember(app, m)
		if err != nil {
			return fmt.Errorf("member %s: %w", m.key, err)
		}
		if !created || m.role == "admin" {
			continue
		}
		if err := seedObjects(app, user, m); err != nil {
			return fmt.Errorf("objects of %s: %w", m.key, err)
		}
	}
	return nil
}

// upsertSuperuser makes the dashboard's superuser, as the migrations
// docs' "initial superuser" example does, from the environment.
func upsertSuperuser(app core.App, m member) error {
	if _, err := app.FindAuthRecordByEmail(core.CollectionNameSuperusers, m.email); err == nil {
		return nil
	}
	superusers, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		return err
	}
	record := core.NewRecord(superusers)
	record.SetEmail(m.email)
	record.SetPassword(m.password)
	return app.Save(record)
}

// upsertMember creates a verified users record, reporting whether it is new.
func upsertMember(app core.App, m member) (*core.Record, bool, error) {
	if existing, err := app.FindAuthRecordByEmail("users", m.email); err == nil {
		return existing, false, nil
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return nil, false, err
	}
	record := core.NewRecord(users)
	record.SetEmail(m.email)
	record.SetPassword(m.password)
	record.SetVerified(true)
	record.Set("name", m.name)
	record.Set("role", m.role)
	return record, true, app.Save(record)
}

// seedObjects gives a member three notes and two invoices whose text
// names the member, so a leak of one member's data to another is visible.
func seedObjects(app core.App, user *core.Record, m member) error {
	notes, err := app.FindCollectionByNameOrId("notes")
	if err != nil {
		return err
	}
	for i, title := range []string{"Welcome checklist", "Project kickoff", "Renewal reminder"} {
		note := core.NewRecord(notes)
		note.Set("owner", user.Id)
		note.Set("title", title)
		note.Set("body", fmt.Sprintf("Private note %d of %s: call the accountant about the %s account.", i+1, m.name, m.key))
		if err := app.Save(note); err != nil {
			return err
		}
	}

	invoices, err := app.FindCollectionByNameOrId("invoices")
	if err != nil {
		return err
	}
	for i, amount := range []float64{120, 349.5} {
		inv := core.NewRecord(invoices)
		inv.Set("owner", user.Id)
		inv.Set("number", fmt.Sprintf("INV-%s-%03d", m.key, i+1))
		inv.Set("customer", m.name)
		inv.Set("billing_address", fmt.Sprintf("%d Private Lane, %s's office", 10+i, m.name))
		inv.Set("amount", amount)
		inv.Set("status", []string{"paid", "open"}[i])
		if err := app.Save(inv); err != nil {
			return err
		}
	}
	return nil
}
