package libwebsocketd

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// ParseHtpasswd reads an htpasswd file: one "user:hash" per line, blank
// lines and lines starting with '#' ignored. Only bcrypt hashes ($2a$,
// $2b$, $2y$, as `htpasswd -B` writes them) are accepted: the other kinds
// htpasswd knows (MD5-crypt, SHA-1, crypt, plain text) are cheap to brute
// force, so a file holding one is refused rather than half used.
func ParseHtpasswd(data []byte) (map[string][]byte, error) {
	users := map[string][]byte{}
	scanner := bufio.NewScanner(bytes.NewReader(data))
	scanner.Buffer(nil, 64<<10)
	for n := 1; scanner.Scan(); n++ {
		line := strings.TrimRight(scanner.Text(), " \t\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		user, hash, ok := strings.Cut(line, ":")
		switch {
		case !ok:
			return nil, fmt.Errorf("line %d: want user:hash", n)
		case user == "" || strings.TrimSpace(user) != user:
			return nil, fmt.Errorf("line %d: empty user name or one with spaces around it", n)
		case users[user] != nil:
			return nil, fmt.Errorf("line %d: user %q appears twice", n, user)
		}
		if err := checkBcrypt(hash); err != nil {
			return nil, fmt.Errorf("line %d: user %q: %w", n, user, err)
		}
		users[user] = []byte(hash)
	}
	if err := scanner.Err(); err != nil {
		return nil, err
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("no users in the file")
	}
	return users, nil
}

// checkBcrypt refuses anything but a well-formed bcrypt hash, naming the
// weaker kind when it recognises it.
func checkBcrypt(hash string) error {
	weak := func(kind string) error {
		return fmt.Errorf("%s hash refused, only bcrypt is accepted (create the entry with htpasswd -B)", kind)
	}
	switch {
	case strings.HasPrefix(hash, "$apr1$") || strings.HasPrefix(hash, "$1$"):
		return weak("MD5")
	case strings.HasPrefix(hash, "{SHA}"):
		return weak("SHA-1")
	case strings.HasPrefix(hash, "$5$") || strings.HasPrefix(hash, "$6$"):
		return weak("SHA-crypt")
	case !strings.HasPrefix(hash, "$2"):
		return weak("crypt or plain-text")
	}
	if _, err := bcrypt.Cost([]byte(hash)); err != nil {
		return fmt.Errorf("malformed bcrypt hash: %v", err)
	}
	return nil
}
