//go:build race

package p256

// raceEnabled reports whether the race detector is on; it changes what
// allocates, so allocation budgets are not checked under it.
const raceEnabled = true
