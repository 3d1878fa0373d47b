package main

import (
	"slices"
	"strings"

	"github.com/spf13/pflag"
)

// acceptSingleDash rewrites the classic tool's single-dash long flags
// ("-port=8080", "-port 8080", "-binary") into the GNU form pflag reads
// ("--port=8080"). The classic websocketd parsed its command line with Go's
// flag package, which takes one dash or two alike, and systemd units and
// scripts written for it use the one-dash form. Only the arguments before
// COMMAND are looked at: COMMAND and everything after it stay untouched.
func acceptSingleDash(fs *pflag.FlagSet, args []string) []string {
	out := slices.Clone(args)
	for i := 0; i < len(out); i++ {
		arg := out[i]
		if arg == "--" || !isFlagLike(arg) {
			break // COMMAND begins here (or after "--")
		}
		name, hasValue := flagName(arg)
		// One-letter names are pflag shorthands (-h); a longer name after a
		// single dash is a long flag. An unknown one is rewritten too, so
		// that the error names it ("unknown flag: --bogus").
		if !strings.HasPrefix(arg, "--") && len(name) > 1 {
			out[i] = "-" + arg
		}
		if takesSeparateValue(fs, name, hasValue) {
			i++ // the next argument is this flag's value, not COMMAND
		}
	}
	return out
}

// isFlagLike reports whether arg starts with a dash and is more than one:
// a lone "-" is an argument (commonly meaning STDIN), as pflag reads it.
func isFlagLike(arg string) bool {
	return len(arg) > 1 && arg[0] == '-'
}

// flagName returns the name in "-name", "--name" or "--name=value", and
// whether the value is attached with "=".
func flagName(arg string) (name string, hasValue bool) {
	name = strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	name, _, hasValue = strings.Cut(name, "=")
	return name, hasValue
}

// takesSeparateValue mirrors pflag: a flag that needs a value and has none
// attached reads the next argument. Shorthands are looked up too.
func takesSeparateValue(fs *pflag.FlagSet, name string, hasValue bool) bool {
	if hasValue {
		return false
	}
	flag := fs.Lookup(name)
	if flag == nil && len(name) == 1 {
		flag = fs.ShorthandLookup(name)
	}
	return flag != nil && flag.NoOptDefVal == ""
}

// misplacedFlags lists the arguments after COMMAND that name one of
// websocketd's own long flags: they go to COMMAND, as they must, but a
// newcomer who wrote "websocketd ./x.sh --port=9000" meant them for us.
// One-letter flags are left out: "-h" means something to most programs.
func misplacedFlags(fs *pflag.FlagSet, command []string) []string {
	var found []string
	for _, arg := range command[min(1, len(command)):] {
		if !isFlagLike(arg) || arg == "--" {
			continue
		}
		if name, _ := flagName(arg); len(name) > 1 && fs.Lookup(name) != nil {
			found = append(found, arg)
		}
	}
	return found
}
