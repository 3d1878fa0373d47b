//go:build !race

package libwebsocketd

const raceDetector = false
