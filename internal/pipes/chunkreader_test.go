package pipes

import (
	"strings"
	"testing"
	"testing/iotest"
)

func TestChunkReaderKeepsEveryByte(t *testing.T) {
	var input []byte
	for i := range 100000 {
		input = append(input, byte(i))
	}
	got := strings.Join(readAll(t, NewChunkReader(NewLazyInput(iotest.HalfReader(strings.NewReader(string(input)))))), "")
	if got != string(input) {
		t.Fatalf("chunks differ from input (%d vs %d bytes)", len(got), len(input))
	}
}
