// Package baas holds the checks of backend-as-a-service data reached
// straight from the browser: a Supabase or Firebase project whose data
// API the portal's frontend calls with a publishable key, where only
// row-level security or security rules stand between a member and every
// other member's rows, documents and files.
package baas
