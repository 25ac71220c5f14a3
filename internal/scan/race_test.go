//go:build race

package scan

// raceEnabled is true under -race, whose detector multiplies memory: the
// memory ceilings are checked on plain builds only.
const raceEnabled = true
