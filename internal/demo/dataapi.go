package demo

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/launchready/launchready/internal/fakes/supabase"
)

// dataHost is the host of the portal's Supabase-shaped data API, served
// on the HTTPS listener beside the app.
const dataHost = "db.portal.test"

// dataAPI is the portal's Supabase project: the members' notes and
// orders and their avatars, reached by the bundle with the publishable
// key, as a supabase-js frontend does.
type dataAPI struct {
	srv *supabase.Server
	// URL is the project URL, https://db.portal.test:<HTTPSPort>.
	URL string
}

// newDataAPI seeds the project with members a and b (the same emails and
// passwords as the portal's accounts), rows each owns in notes and orders,
// and an avatar each in the avatars bucket. SupabaseNoRLS leaves orders
// without row-level security; SupabaseListableBucket makes avatars public
// with no policies on storage.objects; SupabaseMetadataRole makes the
// policies trust user_metadata.role.
func newDataAPI(f Flaws, members []*member, passwords map[string]string, url string) (*dataAPI, error) {
	opts := supabase.Options{
		Tables: map[string]*supabase.Table{
			"notes":  {RLS: true, Columns: []string{"body"}},
			"orders": {RLS: !f.SupabaseNoRLS, Columns: []string{"item", "total"}},
		},
		Buckets:             map[string]*supabase.Bucket{"avatars": {Public: f.SupabaseListableBucket, RLS: !f.SupabaseListableBucket}},
		MetadataRoleTrusted: f.SupabaseMetadataRole,
	}
	for _, m := range members {
		if m.name != "a" && m.name != "b" {
			continue
		}
		u := supabase.User{ID: newUUID(), Email: m.email, Password: passwords[m.name], UserMetadata: map[string]any{"display_name": m.display}}
		opts.Users = append(opts.Users, u)
		notes, orders := opts.Tables["notes"], opts.Tables["orders"]
		for i := 1; i <= 2; i++ {
			notes.Rows = append(notes.Rows, map[string]any{"user_id": u.ID, "body": fmt.Sprintf("%s's private note %d", m.display, i)})
		}
		for i, inv := range m.invoices {
			orders.Rows = append(orders.Rows, map[string]any{"user_id": u.ID, "item": m.plan + " membership, " + inv.Date, "total": 1200 + i})
		}
		av := opts.Buckets["avatars"]
		av.Objects = append(av.Objects, supabase.Object{Name: u.ID + "/avatar.png", Owner: u.ID, Size: 2048})
	}
	srv, err := supabase.New(opts)
	if err != nil {
		return nil, fmt.Errorf("the data API: %w", err)
	}
	return &dataAPI{srv: srv, URL: url}, nil
}

// dataURL is the project URL on the HTTPS listener.
func dataURL(httpsPort int) string { return "https://" + dataHost + ":" + strconv.Itoa(httpsPort) }

// ServeHTTP serves the project.
func (d *dataAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.srv.ServeHTTP(w, r) }

// newUUID draws a random version 4 UUID (GoTrue's user ids are UUIDs).
func newUUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// DataRowsReturned is how many rows of the data API's table (notes,
// orders) its responses have carried so far: tests prove with it that a
// scan counted rows without copying them.
func (p *Portal) DataRowsReturned(table string) int {
	if p.data == nil {
		return 0
	}
	return p.data.srv.RowsReturned(table)
}

// DataRows is the data API table's current rows (tests look for
// canaries left behind).
func (p *Portal) DataRows(table string) []map[string]any {
	if p.data == nil {
		return nil
	}
	return p.data.srv.Rows(table)
}

// DataObjects is the names of the data API bucket's objects.
func (p *Portal) DataObjects(bucket string) []string {
	if p.data == nil {
		return nil
	}
	var out []string
	for _, o := range p.data.srv.Objects(bucket) {
		out = append(out, o.Name)
	}
	return out
}
