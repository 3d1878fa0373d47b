package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// The keys of a --config file are the long flag names, with the flag's
// meaning, default and checks: a key is applied by setting its flag, so
// nothing about it is declared twice. These lists only say where a key
// may stand.

// serverWideKeys belong to the whole server: the top of the file (or the
// command line), never a [[route]].
var serverWideKeys = []string{
	"port", "address", "unixsocket", "ssl", "sslcert", "sslkey", "sslca", "redirport",
	"shutdownms", "loglevel", "logformat", "trustproxy", "trustproxyheader", "allowhost",
	"metrics", "once", "cluster", "clustername", "clusteruser", "clusterpassword", "clustertoken",
	"clustercreds", "clusterca",
}

// routeOnlyKeys stand only in a [[route]]: they are not flags (the command
// line's COMMAND is the one route's command).
var routeOnlyKeys = map[string]string{
	"path":            `the route's URL path: exact, or a prefix when it ends in "/"`,
	"command":         `the program and its arguments, an array: ["python3", "chat.py"] (never a shell string)`,
	"args_from_query": "the query parameter whose values, in order, are appended to command's arguments",
}

// notFileKeys are flags with no meaning in a file.
var notFileKeys = []string{"config", "check", "print-config", "help", "version", "license"}

// pathKeys name files or directories: in a file, a relative one is taken
// from the file's own directory, so a site can be started from anywhere.
var pathKeys = []string{"dir", "staticdir", "cgidir", "basicauth", "sslcert", "sslkey", "sslca", "unixsocket",
	"clustercreds", "clusterca"}

// setFromFile gives flag name the value a file gives its key, as the
// same flag on the command line would; base is the file's directory.
func setFromFile(fs *pflag.FlagSet, name string, value any, base string) error {
	f := fs.Lookup(name)
	text, list, err := flagText(f, value)
	if err != nil {
		return err
	}
	if list != nil {
		if err := f.Value.(pflag.SliceValue).Replace(list); err != nil {
			return err
		}
		f.Changed = true
		return nil
	}
	if slices.Contains(pathKeys, name) && text != "" && !filepath.IsAbs(text) {
		text = filepath.Join(base, text)
	}
	return fs.Set(name, text)
}

// flagText is a TOML value as its flag takes it: text for one value, a
// list for a list flag.
func flagText(f *pflag.Flag, value any) (string, []string, error) {
	switch kind := f.Value.Type(); kind {
	case "bool":
		if b, ok := value.(bool); ok {
			return strconv.FormatBool(b), nil, nil
		}
		return "", nil, wantType("true or false", value)
	case "int", "int64":
		if n, ok := value.(int64); ok {
			return strconv.FormatInt(n, 10), nil, nil
		}
		return "", nil, wantType("an integer", value)
	case "string":
		if s, ok := value.(string); ok {
			return s, nil, nil
		}
		return "", nil, wantType("a string", value)
	case "stringSlice", "stringArray":
		list, err := stringList(f.Name, value)
		return "", list, err
	default:
		return "", nil, fmt.Errorf("a key of type %s cannot be set from a file", kind)
	}
}

// stringList is an array of strings, a single string, or for env a table
// of NAME = "value".
func stringList(name string, value any) ([]string, error) {
	switch v := value.(type) {
	case string:
		return []string{v}, nil
	case []any:
		list := make([]string, len(v))
		for i, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, wantType("an array of strings", value)
			}
			list[i] = s
		}
		return list, nil
	case map[string]any:
		if name == "env" {
			return envTable(v)
		}
	}
	return nil, wantType("an array of strings", value)
}

// envTable is env = { NAME = "value", ... }, as NAME=value entries.
func envTable(table map[string]any) ([]string, error) {
	var list []string
	for name, value := range table {
		s, ok := value.(string)
		if !ok {
			return nil, fmt.Errorf("env: %s: %w", name, wantType("a string", value))
		}
		list = append(list, name+"="+s)
	}
	slices.Sort(list)
	return list, nil
}

func wantType(want string, got any) error {
	return fmt.Errorf("want %s, not %s", want, tomlTypeName(got))
}

func tomlTypeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", v), "*")
}
