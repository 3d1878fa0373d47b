package test

import (
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// exampleLanguage is one folder of examples/ and the program it needs.
type exampleLanguage struct {
	dir   string // folder under examples/, also the URL's first segment
	ext   string // the scripts' extension; none for compiled programs
	needs string // interpreter, or the compiler that `make examples` uses
}

// exampleLanguages are the ten languages of examples/, in the order of the
// index page.
var exampleLanguages = []exampleLanguage{
	{"bash", ".sh", "bash"},
	{"python", ".py", "python3"},
	{"perl", ".pl", "perl"},
	{"node", ".js", "node"},
	{"ruby", ".rb", "ruby"},
	{"php", ".php", "php"},
	{"lua", ".lua", "lua"},
	{"awk", ".awk", "gawk"},
	{"c", "", "cc"},
	{"go", "", "go"},
}

// exampleNames are the four programs every language has.
var exampleNames = []string{"count", "greeter", "echo", "dump-env"}

const (
	examplesDir = "../examples"
	indexPage   = examplesDir + "/html/index.html"
)

// needTool skips the test when a program it needs is not installed, and
// fails it in CI, which installs every one of them (.ci/run).
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs %s: %v", name, err)
		}
		t.Skipf("%s is not installed", name)
	}
}

// indexEntries returns the URL paths that the example page offers.
func indexEntries(t *testing.T) []string {
	t.Helper()
	page, err := os.ReadFile(indexPage)
	if err != nil {
		t.Fatal(err)
	}
	option := regexp.MustCompile(`<option(?: value="([^"]*)")?>([^<]*)</option>`)
	var paths []string
	for _, m := range option.FindAllStringSubmatch(string(page), -1) {
		if m[1] != "" {
			paths = append(paths, m[1])
		} else {
			paths = append(paths, m[2])
		}
	}
	return paths
}

// languageOf returns the language whose folder a URL path names.
func languageOf(t *testing.T, urlPath string) exampleLanguage {
	t.Helper()
	dir, _, _ := strings.Cut(strings.TrimPrefix(urlPath, "/"), "/")
	for _, lang := range exampleLanguages {
		if lang.dir == dir {
			return lang
		}
	}
	t.Fatalf("%s is in no example language's folder", urlPath)
	return exampleLanguage{}
}

// The index page lists the four examples of each of the ten languages,
// each of which is in examples/ (as source for the compiled ones), and
// every example in examples/ is on the page.
func TestExampleIndexListsEveryExample(t *testing.T) {
	var want []string
	for _, lang := range exampleLanguages {
		for _, name := range exampleNames {
			want = append(want, "/"+lang.dir+"/"+name+lang.ext)
			checkExampleSource(t, lang, name)
		}
		listed := exampleSources(t, lang)
		if !slices.Equal(listed, sortedNames(exampleNames)) {
			t.Errorf("examples/%s holds the examples %v, want exactly %v", lang.dir, listed, exampleNames)
		}
	}
	if got := indexEntries(t); !slices.Equal(got, want) {
		t.Errorf("the index page offers\n%v\nwant\n%v", got, want)
	}
}

// checkExampleSource checks that an example is there, and that a script
// can be run as it is.
func checkExampleSource(t *testing.T, lang exampleLanguage, name string) {
	t.Helper()
	file := filepath.Join(examplesDir, lang.dir, name+lang.ext)
	switch lang.dir {
	case "c":
		file += ".c"
	case "go":
		file += ".go"
	}
	info, err := os.Stat(file)
	if err != nil {
		t.Errorf("example missing: %v", err)
		return
	}
	if lang.ext != "" && info.Mode()&0o111 == 0 {
		t.Errorf("%s is not executable", file)
	}
}

// exampleSources lists the examples in a language's folder by name.
func exampleSources(t *testing.T, lang exampleLanguage) []string {
	t.Helper()
	ext := lang.ext
	switch lang.dir {
	case "c":
		ext = ".c"
	case "go":
		ext = ".go"
	}
	files, err := filepath.Glob(filepath.Join(examplesDir, lang.dir, "*"+ext))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ext))
	}
	return sortedNames(names)
}

func sortedNames(names []string) []string {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	return sorted
}

// `make run` serves on the 127.0.0.1 address it prints, the index page
// comes with it, and every example the page offers works there, each
// through websocketd with the gorilla client: 40 programs in 10 languages,
// compiled ones included (make run builds them).
func TestMakeRunServesEveryIndexEntry(t *testing.T) {
	needTool(t, "make")
	run := startMakeRun(t, "")
	page, err := os.ReadFile(indexPage)
	if err != nil {
		t.Fatal(err)
	}
	if got := httpGet(t, "http://"+run.addr+"/"); got != string(page) {
		t.Errorf("GET / did not answer the index page:\n%.300s", got)
	}
	for _, urlPath := range indexEntries(t) {
		t.Run(strings.TrimPrefix(urlPath, "/"), func(t *testing.T) {
			t.Parallel()
			needTool(t, languageOf(t, urlPath).needs)
			checkExample(t, run.addr, urlPath)
		})
	}
}

// ADDRESS= moves `make run` to another interface; 127.0.0.2 is loopback
// too on Linux, yet not the default.
func TestMakeRunAddress(t *testing.T) {
	needTool(t, "make")
	run := startMakeRun(t, "127.0.0.2")
	checkReplies(t, run.addr, "/bash/echo.sh", echoExchanges[:1])
}

// checkExample runs the example at urlPath and checks that it does what
// its name says, in the same words as the others of its kind.
func checkExample(t *testing.T, addr, urlPath string) {
	switch name := strings.TrimSuffix(path.Base(urlPath), path.Ext(urlPath)); name {
	case "count":
		checkCount(t, addr, urlPath)
	case "greeter":
		checkReplies(t, addr, urlPath, greeterExchanges)
	case "echo":
		checkReplies(t, addr, urlPath, echoExchanges)
	case "dump-env":
		checkDumpEnv(t, addr, urlPath)
	default:
		t.Fatalf("no check for an example named %q", name)
	}
}

// exchange is one message sent and the messages it must bring back.
type exchange struct {
	send string
	want []string
}

// A message with a "\n" reaches the program as two lines; a CR before the
// newline is the program's to drop (websocketd keeps it), and greeters do.
var greeterExchanges = []exchange{
	{"Ada", []string{"Hello, Ada!"}},
	{"ünïcödé ✓", []string{"Hello, ünïcödé ✓!"}},
	{"", []string{"Hello, !"}},
	{"  two  spaces  ", []string{"Hello,   two  spaces  !"}},
	{"carriage\r", []string{"Hello, carriage!"}},
	{"first\nsecond", []string{"Hello, first!", "Hello, second!"}},
}

var echoExchanges = []exchange{
	{"hello", []string{"hello"}},
	{"ünïcödé ✓", []string{"ünïcödé ✓"}},
	{"", []string{""}},
	{"  two  spaces  ", []string{"  two  spaces  "}},
	{"first\nsecond", []string{"first", "second"}},
	{strings.Repeat("long line ", 20000), []string{strings.Repeat("long line ", 20000)}},
}

// dialExample opens a WebSocket to an example.
func dialExample(t *testing.T, addr, urlPath string, header http.Header) *websocket.Conn {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+urlPath, header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (HTTP status %d)", urlPath, err, status)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetReadDeadline(time.Now().Add(readTimeout))
	return conn
}

// readUntilClose returns every text message up to the close frame, and the
// close code.
func readUntilClose(t *testing.T, conn *websocket.Conn) ([]string, int) {
	t.Helper()
	var messages []string
	for {
		_, data, err := conn.ReadMessage()
		var closed *websocket.CloseError
		if errors.As(err, &closed) {
			return messages, closed.Code
		}
		if err != nil {
			t.Fatalf("after %d messages: %v", len(messages), err)
		}
		messages = append(messages, string(data))
	}
}

func checkCount(t *testing.T, addr, urlPath string) {
	conn := dialExample(t, addr, urlPath, nil)
	got, code := readUntilClose(t, conn)
	want := strings.Fields("1 2 3 4 5 6 7 8 9 10")
	if !slices.Equal(got, want) || code != websocket.CloseNormalClosure {
		t.Errorf("count sent %q and closed with %d, want %q and 1000", got, code, want)
	}
}

func checkReplies(t *testing.T, addr, urlPath string, exchanges []exchange) {
	conn := dialExample(t, addr, urlPath, nil)
	for _, ex := range exchanges {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(ex.send)); err != nil {
			t.Fatalf("sending %q: %v", ex.send, err)
		}
		for _, want := range ex.want {
			_, got, err := conn.ReadMessage()
			if err != nil {
				t.Fatalf("after sending %.40q: %v", ex.send, err)
			}
			if string(got) != want {
				t.Fatalf("sent %.40q, got %.60q, want %.60q", ex.send, got, want)
			}
		}
	}
	// Closing the connection closes stdin: each of them then exits by
	// itself, with status 0.
	conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	if rest, code := readUntilClose(t, conn); len(rest) > 0 || code != websocket.CloseNormalClosure {
		t.Errorf("after the close: messages %q, close code %d, want none and 1000", rest, code)
	}
}

// checkDumpEnv checks that dump-env prints NAME=value lines sorted by name,
// among them the CGI variables of this very request. Of the two headers,
// sorted by name HTTP_X_EXAMPLE comes first, sorted as whole lines second.
func checkDumpEnv(t *testing.T, addr, urlPath string) {
	header := http.Header{"X-Example": {"dump-env"}, "X-Example2": {"sorted"}}
	conn := dialExample(t, addr, urlPath+"/extra/info?lang=x&n=1", header)
	lines, code := readUntilClose(t, conn)
	if code != websocket.CloseNormalClosure {
		t.Errorf("closed with %d, want 1000", code)
	}
	env := map[string]string{}
	var names []string
	for _, line := range lines {
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("line %q is not NAME=value", line)
		}
		env[name] = value
		names = append(names, name)
	}
	if !slices.IsSorted(names) {
		t.Errorf("names not sorted: %v", names)
	}
	host, port, _ := strings.Cut(addr, ":")
	want := map[string]string{
		"GATEWAY_INTERFACE": "CGI/1.1",
		"SERVER_PROTOCOL":   "HTTP/1.1",
		"REQUEST_METHOD":    "GET",
		"SERVER_NAME":       host,
		"SERVER_PORT":       port,
		"REQUEST_URI":       urlPath + "/extra/info?lang=x&n=1",
		"SCRIPT_NAME":       urlPath,
		"PATH_INFO":         "/extra/info",
		"QUERY_STRING":      "lang=x&n=1",
		"REMOTE_ADDR":       "127.0.0.1",
		"REMOTE_HOST":       "127.0.0.1",
		"HTTP_HOST":         addr,
		"HTTP_X_EXAMPLE":    "dump-env",
		"HTTP_X_EXAMPLE2":   "sorted",
	}
	for name, value := range want {
		if got, ok := env[name]; !ok || got != value {
			t.Errorf("%s=%q (set: %v), want %q", name, got, ok, value)
		}
	}
	for _, name := range []string{"SERVER_SOFTWARE", "REMOTE_PORT", "UNIQUE_ID", "PATH"} {
		if env[name] == "" {
			t.Errorf("%s is missing or empty", name)
		}
	}
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	client := &http.Client{Timeout: readTimeout}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, %v", url, resp.Status, err)
	}
	return string(body)
}

// The compiled examples are clean: `go vet` passes on the Go ones (the
// "ignore" tag keeps them out of `go vet ./...`), and the C ones compile
// without a warning.
func TestCompiledExamplesBuildClean(t *testing.T) {
	for _, name := range exampleNames {
		source := filepath.Join(examplesDir, "go", name+".go")
		if out, err := exec.Command("go", "vet", source).CombinedOutput(); err != nil {
			t.Errorf("go vet %s: %v\n%s", source, err, out)
		}
	}
	needTool(t, "cc")
	for _, name := range exampleNames {
		source := filepath.Join(examplesDir, "c", name+".c")
		cc := exec.Command("cc", "-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fsyntax-only", source)
		if out, err := cc.CombinedOutput(); err != nil {
			t.Errorf("cc %s: %v\n%s", source, err, out)
		}
	}
}
