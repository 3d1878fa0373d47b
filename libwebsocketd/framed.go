package libwebsocketd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/websocketd/websocketd/internal/pipes"
)

// With --framed every message, in both directions, is a 4-byte big-endian
// header and the payload. The header's top bit is 1 for a text message
// and 0 for a binary one; the other 31 bits are the payload's length. So
// message boundaries and types survive the pipes, an empty message is a
// header alone, and a binary message of any size stays one message.

const (
	framedHeaderSize = 4
	framedTextBit    = 1 << 31
	// maxFramedLength is the most a header can announce.
	maxFramedLength = framedTextBit - 1
	// maxPreallocFramed bounds what a header alone makes us allocate: a
	// child writing garbage must not cost 2 GiB before it sends any data.
	maxPreallocFramed = 1 << 20
)

// framedHeader returns the header of a message of the given type and size.
func framedHeader(text bool, size int) [framedHeaderSize]byte {
	word := uint32(size)
	if text {
		word |= framedTextBit
	}
	var header [framedHeaderSize]byte
	binary.BigEndian.PutUint32(header[:], word)
	return header
}

// framingError is output of the child that breaks the framed format: the
// session ends with 1011 and a log line that names the problem.
type framingError struct{ problem string }

func (e *framingError) Error() string { return "child output breaks --framed: " + e.problem }

func (e *framingError) closeFrame() (int, string) {
	return websocket.CloseInternalServerErr, "bad framed output"
}

// framedReader cuts the child's output into the messages its headers
// announce. Like pipes.LineReader it holds a read buffer only while unread
// output is in it, and it can stop at any byte when the input would
// block, to go on from there at the next call.
type framedReader struct {
	in    pipes.Input
	limit int     // the largest message the child may announce (--maxlinesize)
	buf   *[]byte // from the pipes' buffer pool; nil while nothing is unread
	data  []byte  // the unread part of *buf
	err   error   // how the input ended, once it has

	header  [framedHeaderSize]byte
	headerN int  // bytes of header read so far
	size    int  // the payload's length, once the header is whole
	text    bool // the type of the message being read, or last returned
	// message assembles a payload that spans reads; nil while none does.
	message []byte
}

// next returns the next message and the kind its header gives.
func (f *framedReader) next() (int, []byte, error) {
	message, err := f.nextPayload()
	if err != nil {
		return 0, nil, err
	}
	return f.messageType(), message, nil
}

func (f *framedReader) nextPayload() ([]byte, error) {
	f.dropMessage()
	for {
		if f.headerN < framedHeaderSize {
			n := copy(f.header[f.headerN:], f.data)
			f.data = f.data[n:]
			f.headerN += n
			if f.headerN == framedHeaderSize {
				if err := f.startMessage(); err != nil {
					return nil, err
				}
			}
		}
		if f.headerN == framedHeaderSize {
			if payload, whole := f.takePayload(); whole {
				f.headerN = 0
				return payload, f.checkText(payload)
			}
		}
		if err := f.fill(); err != nil {
			return nil, err
		}
	}
}

// fill reads more output, once everything read so far is used up.
func (f *framedReader) fill() error {
	f.release()
	if f.err != nil {
		if errors.Is(f.err, io.EOF) && f.headerN > 0 {
			return &framingError{fmt.Sprintf("stdout ended inside a message "+
				"(%d of %d header bytes, %d of %d payload bytes)",
				f.headerN, framedHeaderSize, len(f.message), f.size)}
		}
		return f.err
	}
	buf, n, err := f.in.Read()
	if errors.Is(err, pipes.ErrWouldBlock) {
		return err // what is read so far waits in header and message
	}
	f.buf, f.err = buf, err
	if buf != nil {
		f.data = (*buf)[:n]
	}
	return nil
}

func (f *framedReader) startMessage() error {
	word := binary.BigEndian.Uint32(f.header[:])
	f.text = word&framedTextBit != 0
	f.size = int(word &^ framedTextBit)
	if f.size > f.limit {
		return &outputTooBigError{what: fmt.Sprintf("a framed message of %d bytes", f.size),
			limit: f.limit, reason: "message too big"}
	}
	return nil
}

// takePayload returns the payload once all of it is read: straight from
// the read buffer when it is all there, else assembled in message.
func (f *framedReader) takePayload() ([]byte, bool) {
	if f.message == nil && len(f.data) >= f.size {
		payload := f.data[:f.size]
		f.data = f.data[f.size:]
		return payload, true
	}
	if f.message == nil {
		f.message = takeAssembly(min(f.size, maxPreallocFramed))
	}
	n := min(f.size-len(f.message), len(f.data))
	f.message = append(f.message, f.data[:n]...)
	f.data = f.data[n:]
	return f.message, len(f.message) == f.size
}

// checkText refuses a text message that is not UTF-8: browsers would fail
// the connection on it, and the child said it was text.
func (f *framedReader) checkText(payload []byte) error {
	if f.text && !utf8.Valid(payload) {
		return &framingError{fmt.Sprintf("a text message of %d bytes is not valid UTF-8", len(payload))}
	}
	return nil
}

// dropMessage forgets the message returned last, once it is sent.
func (f *framedReader) dropMessage() {
	if f.headerN == 0 && f.message != nil {
		giveAssembly(f.message)
		f.message = nil
	}
}

// assemblies lend a framed reader the buffer a message that spans reads
// is put together in, for as long as it takes to send it: a 64 KiB
// message never fits one 64 KiB pipe read with its header, and a buffer
// made for each cost an allocation and the clearing of 64 KiB.
var assemblies sync.Pool // of *[]byte

// takeAssembly lends an empty buffer of at least size bytes.
func takeAssembly(size int) []byte {
	if lent, _ := assemblies.Get().(*[]byte); lent != nil && cap(*lent) >= size {
		return (*lent)[:0]
	}
	return make([]byte, 0, size)
}

// giveAssembly takes a buffer back, unless it is too big to keep.
func giveAssembly(buf []byte) {
	if cap(buf) <= maxPreallocFramed {
		buf = buf[:0]
		assemblies.Put(&buf)
	}
}

func (f *framedReader) release() {
	if f.buf != nil {
		pipes.PutBuffer(f.buf)
	}
	f.buf, f.data = nil, nil
}

// buffered reports whether a whole message is already read.
func (f *framedReader) buffered() bool {
	if f.headerN != 0 || len(f.data) < framedHeaderSize {
		return false
	}
	size := binary.BigEndian.Uint32(f.data) &^ framedTextBit
	return uint64(len(f.data)-framedHeaderSize) >= uint64(size)
}

// messageType is the type of the message next returned last.
func (f *framedReader) messageType() int {
	if f.text {
		return websocket.TextMessage
	}
	return websocket.BinaryMessage
}

// writeFramed adds a message, with its header, to the burst for stdin.
func (b *burstWriter) writeFramed(text bool, message []byte) {
	header := framedHeader(text, len(message))
	b.makeRoom(len(header) + len(message))
	b.w.Write(header[:])
	b.w.Write(message)
}

// framedInput writes client messages to a pipe (a child's stdin), each
// after its header.
type framedInput struct{ burst burstWriter }

func (in *framedInput) write(message []byte, kind int) {
	in.burst.writeFramed(kind == websocket.TextMessage, message)
}
func (in *framedInput) flush() error { return in.burst.flush() }

// finish hands over the messages that came before the end.
func (in *framedInput) finish(error) { in.burst.flush() }
