package supabase_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/launchready/launchready/internal/fakes/supabase"
)

// A project with one table whose RLS is off: the anon key reads every row.
func Example() {
	project, err := supabase.New(supabase.Options{
		Users: []supabase.User{{Email: "member@portal.test", Password: "pw-member"}},
		Tables: map[string]*supabase.Table{
			"invoices": {RLS: false, Rows: []map[string]any{{"total": 10}, {"total": 20}}},
		},
	})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(project)
	defer srv.Close()

	r, _ := http.NewRequest("GET", srv.URL+"/rest/v1/invoices?select=id,total&limit=1", nil)
	r.Header.Set("apikey", project.AnonKey())
	r.Header.Set("Prefer", "count=exact")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Range"), strings.TrimSpace(string(body)))
	fmt.Println("rows copied:", project.RowsReturned("invoices"))
	// Output:
	// 206 0-0/2 [{"id":1,"total":10}]
	// rows copied: 1
}
