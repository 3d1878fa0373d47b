// Package xterm embeds xterm.js and its fit add-on (see README.md), for
// the terminal page of --devconsole --terminal.
package xterm

import _ "embed"

// Script is xterm.js, which defines the global Terminal.
//
//go:embed xterm.js
var Script string

// Style is xterm.js's style sheet.
//
//go:embed xterm.css
var Style string

// FitScript is the fit add-on, which defines the global FitAddon.
//
//go:embed addon-fit.js
var FitScript string
