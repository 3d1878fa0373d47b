package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// manMarkdown is the man page in the Markdown dialect of go-md2man, built
// from the flag set and the prose of --help, so that the page cannot
// drift from the program. `make docs` turns it into roff (gendocs.go).
func manMarkdown(fs *pflag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%% WEBSOCKETD 1 \"\" \"websocketd %s\" \"User Commands\"\n\n", version)
	b.WriteString("# NAME\n\nwebsocketd - turn a program that reads STDIN and writes STDOUT into a WebSocket server\n\n")
	b.WriteString("# SYNOPSIS\n\n")
	for _, line := range strings.Split(helpUsage, "\n") {
		synopsis, _, _ := strings.Cut(strings.TrimSpace(line), "   ")
		fmt.Fprintf(&b, "%s\n\n", manSynopsis(synopsis))
	}
	fmt.Fprintf(&b, "# DESCRIPTION\n\n%s\n\n%s\n\n", markdownText(helpDescription), markdownText(helpArguments))
	b.WriteString("# OPTIONS\n\n")
	for _, group := range documentFlags(fs) {
		fmt.Fprintf(&b, "### %s\n\n", markdownText(group.Title))
		for _, flag := range group.Flags {
			fmt.Fprintf(&b, "%s\n: %s\n\n", manFlag(flag), markdownText(flag.fullHelp()))
		}
	}
	fmt.Fprintf(&b, "# URL FORMS\n\n%s\n\n", manBlock(helpURLForms))
	fmt.Fprintf(&b, "# ENVIRONMENT\n\n%s\n\n", markdownText(helpEnvironment))
	fmt.Fprintf(&b, "# TERMINALS\n\n%s\n\n", markdownText(helpTerminals))
	fmt.Fprintf(&b, "# CONFIGURATION FILE\n\n%s\n\n", manBlock(helpConfigFile()))
	fmt.Fprintf(&b, "# EXAMPLES\n\n%s\n\n", manBlock(helpExamples))
	fmt.Fprintf(&b, "# EXIT STATUS\n\n%s\n", markdownText(helpExitStatus))
	return b.String()
}

// manSynopsis sets the program name in bold and the placeholders in
// italics, as man pages do.
func manSynopsis(line string) string {
	words := strings.Fields(line)
	for i, word := range words {
		switch {
		case i == 0:
			words[i] = "**" + word + "**"
		case strings.HasPrefix(word, "--"):
			flag, value, _ := strings.Cut(word, "=")
			words[i] = "**" + markdownText(flag) + "**=*" + value + "*"
		default:
			words[i] = markdownText(word)
		}
	}
	return strings.Join(words, " ")
}

// manFlag is the term of a flag's definition: "**--port**=*N*".
func manFlag(flag flagDoc) string {
	term := "**--" + markdownText(flag.Name) + "**"
	if flag.Shorthand != "" {
		term = "**-" + flag.Shorthand + "**, " + term
	}
	if flag.Value != "" {
		term += "=*" + markdownText(flag.Value) + "*"
	}
	return term
}

// markdownText escapes what Markdown would read as markup (a "<HEADER>"
// would vanish as HTML, a "*" start emphasis, a "|" end a table cell) and
// joins the lines of a paragraph: for the man page and docs/flags.md.
func markdownText(text string) string {
	var b strings.Builder
	for _, r := range strings.Join(strings.Fields(text), " ") {
		if strings.ContainsRune("\\`*_{}[]<>#|", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// manBlock is an indented block of --help as a preformatted block.
func manBlock(text string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		lines[i] = "    " + strings.TrimPrefix(line, "  ")
	}
	return strings.Join(lines, "\n")
}
