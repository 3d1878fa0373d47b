package libwebsocketd

import (
	"crypto/rand"
	_ "embed"
	"html/template"
	"net/http"

	"github.com/websocketd/websocketd/third_party/xterm"
)

//go:embed terminal.html
var terminalSource string

// terminalTemplate is the page --devconsole serves with --terminal: an
// xterm.js terminal on the session. Like the console, it is parsed at
// init and escapes the one value taken from the request, URL.
var terminalTemplate = template.Must(template.New("terminal").Parse(terminalSource))

// terminalPage is what the template sees. The vendored library's code is
// trusted as it is: it holds no "</script" or "</style" to end its element.
type terminalPage struct {
	URL, Nonce  string
	XtermScript template.JS
	FitScript   template.JS
	XtermStyle  template.CSS
}

// terminalCSP is the console's policy, plus style attributes: xterm.js
// colours text in 24-bit colour through them. A style attribute cannot run
// script; scripts and style elements still need the nonce.
func terminalCSP(nonce string) string {
	return consoleCSP(nonce) + "; style-src-attr 'unsafe-inline'"
}

func serveTerminalPage(w http.ResponseWriter, r *http.Request) {
	nonce := rand.Text()
	page := terminalPage{URL: consoleURL(r), Nonce: nonce,
		XtermScript: template.JS(xterm.Script), FitScript: template.JS(xterm.FitScript),
		XtermStyle: template.CSS(xterm.Style)}
	servePage(w, r, terminalTemplate, page, terminalCSP(nonce))
}
