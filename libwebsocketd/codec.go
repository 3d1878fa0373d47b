package libwebsocketd

import (
	"io"
	"log/slog"
	"os"

	"github.com/gorilla/websocket"
	"github.com/websocketd/websocketd/internal/pipes"
)

// A codec is how a session's messages become a program's bytes and back:
// lines, binary chunks, --framed, or a --terminal. It is chosen once per
// session, at the upgrade (chooseCodec), and builds both directions, so
// the pumps that move messages never look at a mode. --passstderr wraps
// any of them (stderrCodec).
type codec interface {
	// input writes client messages to a program's stdin, pipe.
	input(pipe io.Writer) messageSink
	// output cuts a program's stdout, in, into messages of their kind.
	output(in pipes.Input) messageReader
	// passesStderr reports whether the program's stderr lines go to the
	// client too (as stderrMessage makes them), not only to the log.
	passesStderr() bool
	// stderrMessage is a stderr line as the client gets it.
	stderrMessage(line []byte) (kind int, message []byte)
	// controlMessages tells a client's control messages (a --terminal
	// resize), which are not counted as messages, from data; nil: all
	// are data.
	controlMessages() func(message []byte, kind int) bool
}

// messageReader cuts a program's output into messages.
type messageReader interface {
	// next returns the next message and its kind (websocket.TextMessage
	// or BinaryMessage), valid until the following call, or an error
	// (io.EOF once the output is over and everything returned).
	next() (kind int, message []byte, err error)
	// buffered reports whether next can return without waiting.
	buffered() bool
}

// codecOptions are the settings a codec is chosen from.
type codecOptions struct {
	binary, framed, passStderr bool
	terminal                   *os.File // the master of a --terminal child, else nil
	maxLine                    int      // --maxlinesize: the longest line or framed message
	log                        *slog.Logger
}

// chooseCodec picks a session's codec once, from its settings.
func chooseCodec(o codecOptions) codec {
	var c codec
	switch {
	case o.terminal != nil:
		c = terminalCodec{master: o.terminal, log: o.log}
	case o.framed:
		c = framedCodec{limit: o.maxLine}
	case o.binary:
		c = chunkCodec{}
	default:
		c = lineCodec{limit: o.maxLine}
	}
	if o.passStderr {
		c = stderrCodec{c}
	}
	return c
}

// codecDefaults are what most codecs do: stderr goes only to the log, and
// every client message is data.
type codecDefaults struct{}

func (codecDefaults) passesStderr() bool { return false }

func (codecDefaults) stderrMessage(line []byte) (int, []byte) { return websocket.TextMessage, line }

func (codecDefaults) controlMessages() func([]byte, int) bool { return nil }

// lineCodec: each client message is a line on stdin, each line of stdout
// a text message. A line over limit bytes is refused (closingError).
type lineCodec struct {
	codecDefaults
	limit int
}

func (lineCodec) input(pipe io.Writer) messageSink {
	return &pipeInput{burst: burstWriter{pipe: pipe}, newline: true}
}

func (c lineCodec) output(in pipes.Input) messageReader {
	return &lineMessages{lines: pipes.NewLineReader(in, c.limit)}
}

// lineMessages are a program's lines as text messages. A line over the
// limit ends them with the outputTooBigError that closes the client.
type lineMessages struct {
	lines  *pipes.LineReader
	tooBig error // once a line was too long: said at every call from then on
}

func (r *lineMessages) next() (int, []byte, error) {
	line, err := r.lines.Next()
	if err != nil {
		return 0, nil, r.failed(err)
	}
	return websocket.TextMessage, line, nil
}

// failed says why the lines end: a line over the limit in the words of
// --maxlinesize, the same error each time.
func (r *lineMessages) failed(err error) error {
	if tooLong, ok := err.(*pipes.LineTooLongError); ok && r.tooBig == nil {
		r.tooBig = &outputTooBigError{what: "a stdout line", limit: tooLong.Limit, reason: "line too long"}
	}
	if r.tooBig != nil {
		return r.tooBig
	}
	return err
}

func (r *lineMessages) buffered() bool { return r.lines.Buffered() }

// chunkCodec (--binary): bytes both ways, each read of stdout a binary
// message.
type chunkCodec struct{ codecDefaults }

func (chunkCodec) input(pipe io.Writer) messageSink {
	return &pipeInput{burst: burstWriter{pipe: pipe}}
}

func (chunkCodec) output(in pipes.Input) messageReader {
	return kindOf(websocket.BinaryMessage, pipes.NewChunkReader(in))
}

// framedCodec (--framed): a header before each message, both ways; the
// child chooses each message's kind (framed.go).
type framedCodec struct {
	codecDefaults
	limit int // the longest message the child may announce
}

func (framedCodec) input(pipe io.Writer) messageSink {
	return &framedInput{burst: burstWriter{pipe: pipe}}
}

func (c framedCodec) output(in pipes.Input) messageReader {
	return &framedReader{in: in, limit: c.limit}
}

// terminalCodec (--terminal): typing in, resize control messages, and the
// terminal's bytes out as binary messages (terminal.go).
type terminalCodec struct {
	codecDefaults
	master *os.File
	log    *slog.Logger
}

func (c terminalCodec) input(pipe io.Writer) messageSink {
	return &terminalInput{burst: burstWriter{pipe: pipe}, master: c.master, log: c.log}
}

func (terminalCodec) controlMessages() func([]byte, int) bool { return isTerminalControl }

func (terminalCodec) output(in pipes.Input) messageReader {
	return kindOf(websocket.BinaryMessage, pipes.NewChunkReader(in))
}

// stderrCodec (--passstderr) wraps another: each stdout message and each
// stderr line goes out as {"stream":…,"data":…}.
type stderrCodec struct{ codec }

func (c stderrCodec) output(in pipes.Input) messageReader {
	return streamReader{c.codec.output(in)}
}

func (stderrCodec) passesStderr() bool { return true }

func (stderrCodec) stderrMessage(line []byte) (int, []byte) {
	return websocket.TextMessage, streamMessage("stderr", line)
}

// streamReader wraps each message of stdout for --passstderr.
type streamReader struct{ messageReader }

func (r streamReader) next() (int, []byte, error) {
	_, message, err := r.messageReader.next()
	if err != nil {
		return 0, nil, err
	}
	return websocket.TextMessage, streamMessage("stdout", message), nil
}

// frameReader is what the pipe readers are (pipes.ChunkReader,
// pipes.LineReader): they cut bytes and know nothing of message kinds.
type frameReader interface {
	Next() ([]byte, error)
	Buffered() bool
}

// kindOf gives every message of r the one kind.
func kindOf(kind int, r frameReader) messageReader { return oneKind{kind: kind, frames: r} }

type oneKind struct {
	frames frameReader
	kind   int
}

func (r oneKind) next() (int, []byte, error) {
	message, err := r.frames.Next()
	return r.kind, message, err
}

func (r oneKind) buffered() bool { return r.frames.Buffered() }
