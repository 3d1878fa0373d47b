package libwebsocketd

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// echoServer serves `cat` through a real Handler on loopback and returns
// a raw client connection, upgraded.
func echoServer(b testing.TB, cfg Config) (io.Writer, *bufio.Reader) {
	cfg.Command = []string{"cat"}
	h, err := NewHandler(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(func() {
		h.Shutdown(context.Background())
		srv.Close()
	})
	client := sendUpgrade(b, srv.URL)
	reply := bufio.NewReaderSize(client, 64<<10)
	resp, err := http.ReadResponse(reply, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		b.Fatalf("upgrade: %v %v", resp, err)
	}
	return client, reply
}

// benchmarkEcho sends bursts of burst messages of size bytes and reads
// them back; one op is one message echoed by a real child (cat). The
// client side is raw frames, so allocs/op are the server's.
func benchmarkEcho(b *testing.B, cfg Config, burst, size int) {
	if size >= 126 || cfg.Binary {
		b.Fatal("only short text messages are framed by this benchmark")
	}
	client, reply := echoServer(b, cfg)
	frames := bytes.Repeat(clientFrame(textFinal, string(bytes.Repeat([]byte{'x'}, size))), burst)
	echoed := make([]byte, burst*(2+size)) // server frames: 2-byte header
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += burst {
		if _, err := client.Write(frames); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(reply, echoed); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRelayEcho is the echo benchmark's shape: bursts of 32 short
// messages through cat.
func BenchmarkRelayEcho(b *testing.B) { benchmarkEcho(b, Config{}, 32, 64) }

// BenchmarkRelayEchoOneByOne waits for each message before the next: no
// burst to batch, the worst case for the relay.
func BenchmarkRelayEchoOneByOne(b *testing.B) { benchmarkEcho(b, Config{}, 1, 64) }
