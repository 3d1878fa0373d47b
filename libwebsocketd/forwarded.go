package libwebsocketd

import (
	"errors"
	"fmt"
	"strings"
)

// forwardedElement is one comma-separated element of a Forwarded header
// (RFC 7239): its parameters, names lower-cased.
type forwardedElement map[string]string

// parseForwarded parses the Forwarded header's field value:
//
//	forwarded-element *( "," forwarded-element )
//	forwarded-element = [ pair ] *( ";" [ pair ] ),  pair = token "=" ( token / quoted-string )
//
// Anything else is an error: a header we cannot read is not believed.
func parseForwarded(value string) ([]forwardedElement, error) {
	p := &headerParser{s: value}
	elements := []forwardedElement{{}}
	for {
		p.skipSpace()
		if p.done() {
			break
		}
		switch p.peek() {
		case ';':
			p.pos++
			continue
		case ',':
			p.pos++
			elements = append(elements, forwardedElement{})
			continue
		}
		name, val, err := p.pair()
		if err != nil {
			return nil, err
		}
		current := elements[len(elements)-1]
		if _, twice := current[name]; twice {
			return nil, fmt.Errorf("parameter %q twice in one element", name)
		}
		current[name] = val
		p.skipSpace()
		if !p.done() && p.peek() != ';' && p.peek() != ',' {
			return nil, fmt.Errorf("unexpected %q at %d", p.peek(), p.pos)
		}
	}
	return elements, nil
}

type headerParser struct {
	s   string
	pos int
}

func (p *headerParser) done() bool { return p.pos >= len(p.s) }
func (p *headerParser) peek() byte { return p.s[p.pos] }

func (p *headerParser) skipSpace() {
	for !p.done() && (p.peek() == ' ' || p.peek() == '\t') {
		p.pos++
	}
}

func (p *headerParser) pair() (name, value string, err error) {
	name = p.token()
	if name == "" || p.done() || p.peek() != '=' {
		return "", "", fmt.Errorf("want name=value at %d", p.pos)
	}
	p.pos++
	if !p.done() && p.peek() == '"' {
		value, err = p.quoted()
	} else if value = p.token(); value == "" {
		err = fmt.Errorf("empty value for %q", name)
	}
	return strings.ToLower(name), value, err
}

func (p *headerParser) token() string {
	start := p.pos
	for !p.done() && isTokenChar(p.peek()) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// quoted reads a quoted-string, undoing its backslash escapes.
func (p *headerParser) quoted() (string, error) {
	var b strings.Builder
	for p.pos++; !p.done(); p.pos++ {
		switch c := p.peek(); {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\\' && p.pos+1 < len(p.s):
			p.pos++
			b.WriteByte(p.peek())
		case c < ' ' && c != '\t', c == 0x7f:
			return "", errors.New("control character in a quoted string")
		default:
			b.WriteByte(c)
		}
	}
	return "", errors.New("unterminated quoted string")
}

// isTokenChar reports whether c is an RFC 9110 tchar.
func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
