//go:build race

package libwebsocketd

// raceDetector: the race detector drops sync.Pool items at random, so
// allocation counts mean nothing under it.
const raceDetector = true
