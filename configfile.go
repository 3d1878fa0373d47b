package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// configFile is a --config file as read: its top-level keys and its
// [[route]] tables, each key with its line, so that every message about
// it can name FILE:LINE.
type configFile struct {
	name   string
	top    []fileEntry
	routes []fileRoute
}

// fileEntry is one key of the file and its TOML value (string, int64,
// float64, bool, []any, map[string]any or a date).
type fileEntry struct {
	key   string
	value any
	line  int
}

// fileRoute is one [[route]] table.
type fileRoute struct {
	line    int
	entries []fileEntry
}

// where is "FILE:LINE", as messages name a place in the file.
func (f configFile) where(line int) string { return fmt.Sprintf("%s:%d", f.name, line) }

// parseConfigFile reads the TOML of a --config file. It checks the TOML
// and its shape (route is an array of tables); what the keys mean is
// checked as they are applied.
func parseConfigFile(name string, data []byte) (configFile, error) {
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		var decodeErr *toml.DecodeError
		if errors.As(err, &decodeErr) {
			line, column := decodeErr.Position()
			return configFile{}, fmt.Errorf("%s:%d:%d: %s", name, line, column,
				strings.TrimPrefix(decodeErr.Error(), "toml: "))
		}
		return configFile{}, fmt.Errorf("%s: %w", name, err)
	}
	lines := keyLines(data)
	f := configFile{name: name}
	for key, value := range doc {
		if key != "route" {
			f.top = append(f.top, fileEntry{key, value, lines[key]})
			continue
		}
		tables, ok := value.([]any)
		if !ok {
			return configFile{}, fmt.Errorf("%s: routes are [[route]] tables (an array of tables), not [route]", f.where(lines[key]))
		}
		for i, table := range tables {
			route, err := f.route(i, table, lines)
			if err != nil {
				return configFile{}, err
			}
			f.routes = append(f.routes, route)
		}
	}
	sortByLine(f.top)
	return f, nil
}

func (f configFile) route(i int, table any, lines map[string]int) (fileRoute, error) {
	prefix := fmt.Sprintf("route.%d", i)
	keys, ok := table.(map[string]any)
	if !ok {
		return fileRoute{}, fmt.Errorf("%s: each route is a table of keys", f.where(lines["route"]))
	}
	route := fileRoute{line: lines[prefix]}
	if route.line == 0 { // route = [{...}], an inline array of tables
		route.line = lines["route"]
	}
	for key, value := range keys {
		line := lines[prefix+"."+key]
		if line == 0 {
			line = route.line
		}
		route.entries = append(route.entries, fileEntry{key, value, line})
	}
	sortByLine(route.entries)
	return route, nil
}

func sortByLine(entries []fileEntry) {
	slices.SortFunc(entries, func(a, b fileEntry) int {
		if a.line != b.line {
			return a.line - b.line
		}
		return strings.Compare(a.key, b.key)
	})
}

// keyLines finds the line of each key: "port" at the top, "route.N" for
// the N-th [[route]] header (from 0) and "route.N.key" for a key in it.
// The decoder has checked the TOML already; this walk only counts lines.
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	var p unstable.Parser
	p.Reset(data)
	table, routes := "", -1
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.ArrayTable, unstable.Table:
			parts, line := keyParts(&p, e.Key())
			switch {
			case parts[0] != "route":
				table = strings.Join(parts, ".")
			case e.Kind == unstable.ArrayTable && len(parts) == 1:
				routes++
				table = fmt.Sprintf("route.%d", routes)
			default: // [route.env] inside the latest [[route]]
				table = strings.Join(append([]string{fmt.Sprintf("route.%d", max(routes, 0))}, parts[1:]...), ".")
			}
			recordLine(lines, table, line)
		case unstable.KeyValue:
			parts, line := keyParts(&p, e.Key())
			key := strings.Join(parts, ".")
			if table != "" {
				key = table + "." + key
			}
			recordLine(lines, key, line)
		}
	}
	return lines
}

func keyParts(p *unstable.Parser, it unstable.Iterator) ([]string, int) {
	var parts []string
	line := 0
	for it.Next() {
		n := it.Node()
		if line == 0 {
			line = p.Shape(n.Raw).Start.Line
		}
		parts = append(parts, string(n.Data))
	}
	return parts, line
}

// recordLine keeps the first line of a key and of each table above it.
func recordLine(lines map[string]int, key string, line int) {
	for {
		if _, ok := lines[key]; !ok {
			lines[key] = line
		}
		i := strings.LastIndexByte(key, '.')
		if i < 0 {
			return
		}
		key = key[:i]
	}
}
