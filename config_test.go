package main

import (
	"errors"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func mustParse(t *testing.T, args ...string) Config {
	t.Helper()
	cfg, err := parseConfig(args, []string{"PATH=/bin", "HOME=/root"})
	if err != nil {
		t.Fatalf("parseConfig(%q): %v", args, err)
	}
	return cfg
}

func TestFlagFormsAndCommandArguments(t *testing.T) {
	for _, args := range [][]string{
		{"--port=8080", "./x.sh", "--verbose", "-p", "1"},
		{"--port", "8080", "./x.sh", "--verbose", "-p", "1"},
	} {
		cfg := mustParse(t, args...)
		if cfg.Server.Port != 8080 {
			t.Errorf("%q: port %d, want 8080", args, cfg.Server.Port)
		}
		want := []string{"./x.sh", "--verbose", "-p", "1"}
		if !reflect.DeepEqual(cfg.Handler.Command, want) {
			t.Errorf("%q: command %q, want %q", args, cfg.Handler.Command, want)
		}
	}
}

func TestDefaults(t *testing.T) {
	cfg := mustParse(t, "cat")
	h := cfg.Handler
	if cfg.Server.Port != 80 || h.MaxForks != 1024 || h.MaxFrameSize != 1<<20 ||
		!reflect.DeepEqual(h.PassEnv, []string{"PATH", "LD_LIBRARY_PATH"}) ||
		cfg.LogFormat != "text" || cfg.ShutdownGrace != 5*time.Second || !cfg.Server.ListenTCP {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
	if tls := mustParse(t, "--ssl", "--sslcert=c", "--sslkey=k", "cat"); tls.Server.Port != 443 {
		t.Fatalf("--ssl default port %d, want 443", tls.Server.Port)
	}
}

func TestRepeatableAndListFlags(t *testing.T) {
	cfg := mustParse(t, "--address=127.0.0.1", "--address=[::1]", "--passenv=HOME,LANG",
		"--origin=a.example,https://b.example:8443", "--header=X-A: 1", "--header=X-B: two, three",
		"--header-ws=X-W: w", "--header-http=X-H: h", "--closems=250", "--pingms=1000", "cat")
	if !reflect.DeepEqual(cfg.Server.Addresses, []string{"127.0.0.1", "[::1]"}) {
		t.Errorf("addresses %q", cfg.Server.Addresses)
	}
	if !reflect.DeepEqual(cfg.Handler.PassEnv, []string{"HOME", "LANG"}) {
		t.Errorf("passenv %q", cfg.Handler.PassEnv)
	}
	if !reflect.DeepEqual(cfg.Handler.Origins, []string{"a.example", "https://b.example:8443"}) {
		t.Errorf("origins %q", cfg.Handler.Origins)
	}
	h := cfg.Handler
	if h.Headers.Get("X-A") != "1" || h.Headers.Get("X-B") != "two, three" ||
		h.HeadersWS.Get("X-W") != "w" || h.HeadersHTTP.Get("X-H") != "h" {
		t.Errorf("headers %v %v %v", h.Headers, h.HeadersWS, h.HeadersHTTP)
	}
	if h.CloseGrace != 250*time.Millisecond || h.PingInterval != time.Second {
		t.Errorf("closems %v pingms %v", h.CloseGrace, h.PingInterval)
	}
}

func TestUnixSocketAloneListensOnNoTCP(t *testing.T) {
	if mustParse(t, "--unixsocket=/tmp/x.sock", "cat").Server.ListenTCP {
		t.Error("--unixsocket alone should not listen on TCP")
	}
	if !mustParse(t, "--unixsocket=/tmp/x.sock", "--port=8080", "cat").Server.ListenTCP {
		t.Error("--unixsocket with --port should listen on TCP too")
	}
}

func TestInfoFlagsNeedNoCommand(t *testing.T) {
	for flag, show := range map[string]string{"--help": "help", "-h": "help", "--version": "version", "--license": "license"} {
		if cfg := mustParse(t, flag); cfg.Show != show {
			t.Errorf("%s: Show=%q, want %q", flag, cfg.Show, show)
		}
	}
}

func TestBadCommandLines(t *testing.T) {
	cases := []struct {
		args  []string
		usage bool // exit 2 rather than 1
		says  string
	}{
		{[]string{"--bogus", "cat"}, true, "unknown flag"},
		{[]string{"--port=abc", "cat"}, true, "invalid argument"},
		{[]string{}, false, "nothing to serve"},
		{[]string{"--dir=.", "cat"}, false, "either COMMAND or --dir"},
		{[]string{"--loglevel=loud", "cat"}, false, "unknown log level"},
		{[]string{"--logformat=xml", "cat"}, false, "--logformat"},
		{[]string{"--devconsole", "--staticdir=.", "cat"}, false, "--devconsole"},
		{[]string{"--passstderr", "--binary", "cat"}, false, "--passstderr"},
		{[]string{"--ssl", "--sslcert=c", "cat"}, false, "--sslkey"},
		{[]string{"--sslca=ca.pem", "cat"}, false, "need --ssl"},
		{[]string{"--port=70000", "cat"}, false, "between 0 and 65535"},
		{[]string{"--maxforks=-1", "cat"}, false, "negative"},
		{[]string{"--header=NoColon", "cat"}, false, `"Name: value"`},
		{[]string{"--header=Bad Name: v", "cat"}, false, `"Name: value"`},
		{[]string{"--origin=ftp://x", "cat"}, false, "scheme"},
	}
	for _, tc := range cases {
		_, err := parseConfig(tc.args, nil)
		var usage usageError
		if err == nil || errors.As(err, &usage) != tc.usage || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%q: error %v (usage=%v), want one saying %q (usage=%v)",
				tc.args, err, errors.As(err, &usage), tc.says, tc.usage)
		}
	}
}

func TestHelpListsEveryFlag(t *testing.T) {
	help := helpText()
	var v flagValues
	newFlagSet(&v).VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(help, "--"+f.Name) {
			t.Errorf("--help does not mention --%s", f.Name)
		}
	})
}

func TestSingleDashLongFlags(t *testing.T) {
	cases := []struct{ args, want []string }{
		{[]string{"-port=8080", "./x.sh"}, []string{"--port=8080", "./x.sh"}},
		{[]string{"-port", "8080", "-binary", "./x.sh"}, []string{"--port", "8080", "--binary", "./x.sh"}},
		{[]string{"-passenv=A,B", "-loglevel", "debug", "-devconsole", "x"},
			[]string{"--passenv=A,B", "--loglevel", "debug", "--devconsole", "x"}},
		// A value that starts with a dash is a value, not a flag.
		{[]string{"-header", "-x: y", "cat"}, []string{"--header", "-x: y", "cat"}},
		// GNU forms, the -h shorthand and the lone "-" are left alone.
		{[]string{"--port=1", "--dir", "d", "-h"}, []string{"--port=1", "--dir", "d", "-h"}},
		{[]string{"-port=1", "-", "-port=2"}, []string{"--port=1", "-", "-port=2"}},
		// COMMAND and everything after it, also after "--", are untouched.
		{[]string{"-port=1", "./x.sh", "-port=2", "-binary"}, []string{"--port=1", "./x.sh", "-port=2", "-binary"}},
		{[]string{"-binary", "--", "-port=2"}, []string{"--binary", "--", "-port=2"}},
		{[]string{"-bogus", "cat"}, []string{"--bogus", "cat"}},
	}
	for _, tc := range cases {
		var v flagValues
		if got := acceptSingleDash(newFlagSet(&v), tc.args); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q rewritten to %q, want %q", tc.args, got, tc.want)
		}
	}
	cfg := mustParse(t, "-port", "8080", "-address=127.0.0.1", "-binary", "-passenv=A,B", "./x.sh", "-port=9")
	if cfg.Server.Port != 8080 || !cfg.Handler.Binary || !reflect.DeepEqual(cfg.Server.Addresses, []string{"127.0.0.1"}) ||
		!reflect.DeepEqual(cfg.Handler.PassEnv, []string{"A", "B"}) ||
		!reflect.DeepEqual(cfg.Handler.Command, []string{"./x.sh", "-port=9"}) {
		t.Errorf("single-dash command line parsed into %+v", cfg)
	}
	if _, err := parseConfig([]string{"-bogus", "cat"}, nil); err == nil || !strings.Contains(err.Error(), "unknown flag: --bogus") {
		t.Errorf("-bogus: %v, want an unknown flag error naming --bogus", err)
	}
}

func TestMisplacedFlagsAreNoted(t *testing.T) {
	cfg := mustParse(t, "--port=1", "./x.sh", "--port=9000", "-binary", "-h", "--verbose", "-", "--dir", "d")
	want := []string{"--port=9000", "-binary", "--dir"}
	if !reflect.DeepEqual(cfg.MisplacedFlags, want) {
		t.Errorf("misplaced flags %q, want %q", cfg.MisplacedFlags, want)
	}
	if got := mustParse(t, "./x.sh", "--verbose", "9000").MisplacedFlags; got != nil {
		t.Errorf("misplaced flags %q, want none", got)
	}
	// COMMAND itself may look like a flag after "--"; it is not noted.
	if got := mustParse(t, "--", "--port", "x").MisplacedFlags; got != nil {
		t.Errorf("misplaced flags %q, want none", got)
	}
}

func TestNoCommandIsNothingToServe(t *testing.T) {
	if _, err := parseConfig([]string{"--port=8080"}, nil); !errors.Is(err, errNothingToServe) {
		t.Errorf("no COMMAND: %v, want errNothingToServe", err)
	}
}

func TestHelpNamesValuesReadably(t *testing.T) {
	help := helpText()
	for _, noise := range []string{"stringArray", "strings", "[=true|false]", " int ", " string "} {
		if strings.Contains(help, noise) {
			t.Errorf("--help contains %q", noise)
		}
	}
	for _, want := range []string{"\nListening:\n", "  --port=N ", "  --passenv=NAMES ", "  --binary ",
		"  -h, --help ", "(default PATH,LD_LIBRARY_PATH)", "4 when a listener fails"} {
		if !strings.Contains(strings.Join(strings.Fields(help), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("--help lacks %q", want)
		}
	}
	for _, line := range strings.Split(help, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("--help line wider than 80 columns: %q", line)
		}
	}
}

// A flag no group names is still documented, under "Other options"; every
// name the groups list is a declared flag.
func TestFlagGroupsCoverEveryFlag(t *testing.T) {
	var v flagValues
	fs := newFlagSet(&v)
	fs.String("newflag", "", "a flag added without a group")
	groups := documentFlags(fs)
	last := groups[len(groups)-1]
	if last.Title != otherGroup || len(last.Flags) != 1 || last.Flags[0].Name != "newflag" {
		t.Errorf("ungrouped flag: last group %+v", last)
	}
	for _, g := range flagGroups {
		for _, name := range g.names {
			if fs.Lookup(name) == nil {
				t.Errorf("group %q names --%s, which is not declared", g.title, name)
			}
		}
	}
}

func TestVersionWithGitDescription(t *testing.T) {
	cases := []struct{ described, stamped, want string }{
		{"", "", "0.6.0"},
		{"v0.6.0", "", "0.6.0"}, // built from the release tag
		{"v0.6.0-3-g52ba9bd-dirty", "", "0.6.0+v0.6.0-3-g52ba9bd-dirty"},
		{"", "52ba9bd0e1f2-dirty", "0.6.0+52ba9bd0e1f2-dirty"}, // go build in a checkout
		{"weird/branch_name", "", "0.6.0+weird-branch-name"},
	}
	for _, tc := range cases {
		if got := versionWith(tc.described, tc.stamped); got != tc.want {
			t.Errorf("versionWith(%q, %q) = %q, want %q", tc.described, tc.stamped, got, tc.want)
		}
	}
}

// The README's flag table names every flag, in the groups of --help.
func TestReadmeFlagTableMatchesHelp(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "\n## Flags\n")
	section, _, _ = strings.Cut(section, "\n## ")
	groupOf := map[string]string{}
	group := ""
	for _, line := range strings.Split(section, "\n") {
		first, _, _ := strings.Cut(strings.TrimPrefix(line, "|"), "|")
		if !strings.HasPrefix(line, "|") {
			continue
		}
		if title, ok := strings.CutPrefix(strings.TrimSpace(first), "**"); ok {
			group = strings.TrimSuffix(title, "**")
			continue
		}
		for _, m := range regexp.MustCompile("`--([a-z0-9-]+)").FindAllStringSubmatch(first, -1) {
			groupOf[m[1]] = group
		}
	}
	var v flagValues
	for _, g := range documentFlags(newFlagSet(&v)) {
		for _, f := range g.Flags {
			readmeGroup, listed := groupOf[f.Name]
			switch {
			case !listed:
				t.Errorf("the README's flag table lacks --%s", f.Name)
			case g.Title != otherGroup && readmeGroup != g.Title:
				t.Errorf("--%s is under %q in the README, under %q in --help", f.Name, readmeGroup, g.Title)
			}
		}
	}
}

// The README tells newcomers which Go to get: the go line of go.mod.
func TestReadmeNamesTheGoLineOfGoMod(t *testing.T) {
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\d+\.\d+)(\.\d+)?$`).FindSubmatch(gomod)
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"`go " + string(goLine[1]) + string(goLine[2]) + "`", "Go " + string(goLine[1]) + " or newer"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("the README does not say %q", want)
		}
	}
}

// CHANGES begins with the version the program reports.
func TestChangesNamesThisVersion(t *testing.T) {
	changes, err := os.ReadFile("CHANGES")
	if err != nil {
		t.Fatal(err)
	}
	first := regexp.MustCompile(`(?m)^(\d+\.\d+\.\d+)( .*)?\n---`).FindSubmatch(changes)
	if first == nil || string(first[1]) != version {
		t.Errorf("the newest entry of CHANGES is %q, want %s", first, version)
	}
}

func TestReadmeDocumentsExitStatuses(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(readme)), " ")
	for _, want := range []string{"1 bad configuration", "2 unknown flag", "3 cannot bind", "4 a listener failed while serving"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the README does not document exit status %q", want)
		}
	}
}
