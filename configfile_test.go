package main

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// loadFile loads args with --config=dir/site.toml holding text.
func loadFile(t *testing.T, text string, args ...string) (Config, error) {
	t.Helper()
	name := siteFileName
	read := func(path string) ([]byte, error) {
		if path != name {
			return nil, errors.New("no such file: " + path)
		}
		return []byte(text), nil
	}
	return loadConfig(append([]string{"--config=" + name}, args...), []string{"PATH=/bin"}, read)
}

// siteFileName is where loadFile's file is, in the system's own form (a
// drive and backslashes on Windows).
var siteFileName = filepath.Join(string(filepath.Separator)+"srv", "site", "site.toml")

// siteDir is its directory, and the path a relative one in it is from.
var siteDir = filepath.Dir(siteFileName)

const siteFile = `
address = "127.0.0.1"
port = 8080
pingms = 1000

[[route]]
path = "/chat"
command = ["python3", "chat.py"]
room = "json"

[[route]]
path = "/term"
command = ["bash", "-l"]
binary = true
pingms = 5000

[[route]]
path = "/greet"
command = ["./greet.sh", "--"]
args_from_query = "arg"
env = { LANG = "C.UTF-8", B = "2" }

[[route]]
path = "/scripts/"
dir = "scripts"
`

func TestConfigFileRoutes(t *testing.T) {
	cfg, err := loadFile(t, siteFile)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.Port != 8080 || !reflect.DeepEqual(cfg.Server.Addresses, []string{"127.0.0.1"}) {
		t.Errorf("server-wide keys: port %d, addresses %q", cfg.Server.Port, cfg.Server.Addresses)
	}
	if len(cfg.Routes) != 4 {
		t.Fatalf("%d routes, want 4", len(cfg.Routes))
	}
	chat, term, greet, scripts := cfg.Routes[0].Handler, cfg.Routes[1].Handler, cfg.Routes[2].Handler, cfg.Routes[3].Handler
	if chat.Room != "json" || !reflect.DeepEqual(chat.Command, []string{"python3", "chat.py"}) || chat.WorkDir != absolute(siteDir) {
		t.Errorf("/chat: room %q, command %q, workdir %q", chat.Room, chat.Command, chat.WorkDir)
	}
	if chat.PingInterval != time.Second || term.PingInterval != 5*time.Second {
		t.Errorf("pingms: top level gave /chat %v, /term's own key gave %v", chat.PingInterval, term.PingInterval)
	}
	if !term.Binary || chat.Binary {
		t.Error("binary = true reached the wrong route")
	}
	if greet.Command[0] != filepath.Join(absolute(siteDir), "greet.sh") || greet.ArgsFromQuery != "arg" {
		t.Errorf("/greet: command %q (want the program from the file's directory), args from %q", greet.Command, greet.ArgsFromQuery)
	}
	if !reflect.DeepEqual(greet.Env, []string{"B=2", "LANG=C.UTF-8"}) {
		t.Errorf("env table gave %q", greet.Env)
	}
	if scripts.ScriptDir != filepath.Join(siteDir, "scripts") || scripts.Mount != "/scripts" || cfg.Routes[3].Path != "/scripts/" {
		t.Errorf("/scripts/: dir %q, mount %q", scripts.ScriptDir, scripts.Mount)
	}
	if want := siteFileName + ":11"; cfg.Routes[1].Where != want {
		t.Errorf("/term is at %q, want %s", cfg.Routes[1].Where, want)
	}
}

func TestCommandLineFlagsOverrideTheTopLevelAndRoutesOverrideBoth(t *testing.T) {
	cfg, err := loadFile(t, siteFile, "--pingms=2000", "--port=9000")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.Port != 9000 {
		t.Errorf("--port=9000 on the command line gave port %d", cfg.Server.Port)
	}
	if got := cfg.Routes[0].Handler.PingInterval; got != 2*time.Second {
		t.Errorf("/chat's pingms is %v, want the command line's 2s over the file's top level", got)
	}
	if got := cfg.Routes[1].Handler.PingInterval; got != 5*time.Second {
		t.Errorf("/term's pingms is %v, want its own key's 5s", got)
	}
}

func TestAFileWithoutRoutesIsTheCommandLinesShorthand(t *testing.T) {
	cfg, err := loadFile(t, "port = 8081\nbinary = true\norigin = [\"a.example\", \"b.example\"]\n", "cat")
	if err != nil {
		t.Fatal(err)
	}
	h := cfg.Handler
	if cfg.Routes != nil || cfg.Server.Port != 8081 || !h.Binary || len(h.Origins) != 2 || h.Command[0] != "cat" {
		t.Errorf("routes %v, port %d, binary %v, origins %q, command %q", cfg.Routes, cfg.Server.Port, h.Binary, h.Origins, h.Command)
	}
}

// Every mistake in a file stops the start with FILE:LINE and the reason.
func TestBadConfigFilesNameTheLine(t *testing.T) {
	route := "[[route]]\npath = \"/\"\ncommand = [\"cat\"]\n"
	for _, tc := range []struct{ name, text, want string }{
		{"syntax", "port = \n", "site.toml:1:"},
		{"unknown top key", "port = 80\nbogus = 1\n", "site.toml:2: unknown key \"bogus\""},
		{"unknown route key", route + "colour = \"red\"\n", "site.toml:4: unknown key \"colour\""},
		{"type", "port = \"eighty\"\n", "site.toml:1: port: want an integer, not a string"},
		{"bool type", route + "binary = 1\n", "site.toml:4: binary: want true or false, not an integer"},
		{"two routes one path", route + route, "site.toml:4: a second route for the path \"/\" (the first is at line 1)"},
		{"no target", "[[route]]\npath = \"/x\"\n", "site.toml:1 (route /x): the route serves nothing"},
		{"two targets", route + "staticdir = \"www\"\n", "the route has command and staticdir"},
		{"no path", "[[route]]\ncommand = [\"cat\"]\n", "site.toml:1: the route has no path"},
		{"bad path", "[[route]]\npath = \"/a/../b\"\ncommand = [\"cat\"]\n", "site.toml:2: path:"},
		{"server-wide in a route", route + "port = 80\n", "site.toml:4: port is server-wide"},
		{"route key at the top", "path = \"/\"\n" + route, "site.toml:1: path belongs in a [[route]]"},
		{"command at the top", "command = [\"cat\"]\n", "command belongs in a [[route]]"},
		{"not an array of tables", "[route]\npath = \"/\"\n", "site.toml:1: routes are [[route]] tables"},
		{"command as a string", "[[route]]\npath = \"/\"\ncommand = \"cat x\"\n", "site.toml:3: command: want an array"},
		{"dir on an exact path", "[[route]]\npath = \"/x\"\ndir = \"d\"\n", "its path must end in /"},
		{"args in a room", route + "room = \"plain\"\nargs_from_query = \"a\"\n", "args_from_query needs a command, and no room"},
		{"bad parameter", route + "args_from_query = \"a&b\"\n", "site.toml:4: args_from_query:"},
		{"once with routes", "once = true\n" + route, "--once serves one session"},
		{"flag checks name the route", route + "room = \"json\"\nbinary = true\n", "site.toml:1 (route /): --room=json cannot be combined with --binary"},
		{"info key", "help = true\n", "site.toml:1: help is for the command line"},
		{"env", route + "env = [\"1X=y\"]\n", "--env \"1X=y\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadFile(t, tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
	_, err := loadFile(t, siteFile, "cat")
	if err == nil || !strings.Contains(err.Error(), "a COMMAND on the command line cannot go with the [[route]] tables") {
		t.Errorf("COMMAND with routes: %v", err)
	}
}

// --print-config writes the file that loads into the same configuration
// as the command line it was given.
func TestPrintConfigLoadsBackIntoTheSameConfig(t *testing.T) {
	args := []string{"--port=9001", "--address=127.0.0.1", "--binary", "--origin=a.example,b.example",
		"--header=X-A: 1", "--maxforks=7", "--env=A=b", "--pingms=500", "cat", "-u"}
	direct, err := parseConfig(args, []string{"PATH=/bin"})
	if err != nil {
		t.Fatal(err)
	}
	printed, err := parseConfig(append([]string{"--print-config"}, args...), nil)
	if err != nil || printed.Show != "print-config" {
		t.Fatalf("--print-config: %v", err)
	}
	loaded, err := loadFile(t, printed.Printed)
	if err != nil {
		t.Fatalf("the printed file does not load: %v\n%s", err, printed.Printed)
	}
	if len(loaded.Routes) != 1 || loaded.Routes[0].Path != "/" {
		t.Fatalf("the printed file has routes %v, want one at /", loaded.Routes)
	}
	got := loaded.Routes[0].Handler
	got.WorkDir, got.Mount = "", ""
	if !reflect.DeepEqual(got, direct.Handler) {
		t.Errorf("the printed file serves\n%+v\nthe command line\n%+v\nfile:\n%s", got, direct.Handler, printed.Printed)
	}
	if loaded.Server.Port != 9001 || !reflect.DeepEqual(loaded.Server.Addresses, direct.Server.Addresses) {
		t.Errorf("server-wide keys did not survive: %+v", loaded.Server)
	}
}

func TestCheckPrintsTheRouteTable(t *testing.T) {
	cfg, err := loadFile(t, siteFile+"\n[[route]]\npath = \"/vnc\"\nconnect = \"127.0.0.1:5900\"\n", "--check")
	if err != nil || cfg.Show != "check" {
		t.Fatalf("--check: %v", err)
	}
	table := routeTable(cfg)
	for _, want := range []string{"/chat", "command python3 chat.py, room=json", siteFileName + ":6",
		"/scripts/", "scripts in " + filepath.Join(siteDir, "scripts"), "args from ?arg", "binary",
		"connections to 127.0.0.1:5900"} {
		if !strings.Contains(table, want) {
			t.Errorf("the route table lacks %q:\n%s", want, table)
		}
	}
}

// FuzzConfigFile: no file makes loading panic, and a file that loads
// gives routes that pass their checks, each path once.
func FuzzConfigFile(f *testing.F) {
	f.Add(siteFile)
	f.Add("port = 80\n[[route]]\npath = \"/\"\ncommand = [\"cat\"]\nenv = { A = \"b\" }\n")
	f.Add("route = [{path = \"/a\", command = [\"x\"]}]\n[x.y]\nz = 1\n")
	f.Fuzz(func(t *testing.T, text string) {
		cfg, err := loadFile(t, text)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, r := range cfg.Routes {
			if seen[r.Path] {
				t.Fatalf("two routes for %q were accepted", r.Path)
			}
			seen[r.Path] = true
			if err := (Config{Handler: r.Handler, Server: cfg.Server, LogFormat: cfg.LogFormat}).checkServing(); len(err) > 0 {
				t.Fatalf("route %s loaded but fails its checks: %v", r.Path, err)
			}
		}
	})
}
