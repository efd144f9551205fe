//go:build race

package blob

// raceEnabled reports a build with the race detector, whose shadow memory
// multiplies a process's resident memory.
const raceEnabled = true
