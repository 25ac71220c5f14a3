package check

// Reader is implemented by a check that reads config sections it can run
// without, so they are not in Meta.Needs (which the runner gates on): the
// check judges their absence itself, e.g. N/A when the portal uses no
// Supabase project, SKIP when its frontend shows one the config does not
// name. `launchready checks` and `explain` list them with the needs.
type Reader interface {
	// Reads lists the config key paths; "a|b" is one of a and b.
	Reads() []string
}
