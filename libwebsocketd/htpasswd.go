package libwebsocketd

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// ParseHtpasswd reads an htpasswd file: one "user:hash" per line, blank
// lines and lines starting with '#' ignored. Only bcrypt hashes ($2a$,
// $2b$, $2y$, as `htpasswd -B` writes them) of a cost up to maxBcryptCost
// are accepted: the other kinds htpasswd knows (MD5-crypt, SHA-1, crypt,
// plain text) are cheap to brute force, so a file holding one is refused
// rather than half used.
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

// maxBcryptCost is the highest bcrypt cost accepted: htpasswd's own
// limit for -C. A check hashes at each of the file's costs, and each step
// doubles the time: cost 10 takes some 60 ms on a core of today, cost 17
// some 8 s, and cost 31, which the format allows, a day and a half.
const maxBcryptCost = 17

// bcryptHashLen is the length of every bcrypt hash: "$2y$", two digits of
// cost, "$", 22 characters of salt and 31 of hash.
const bcryptHashLen = 60

// checkBcrypt refuses anything but a well-formed bcrypt hash of a
// reasonable cost, naming the weaker kind when it recognises it.
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
	if err := checkBcryptVariant(hash); err != nil {
		return err
	}
	cost, err := bcrypt.Cost([]byte(hash))
	if err != nil {
		return fmt.Errorf("malformed bcrypt hash: %v", err)
	}
	if len(hash) != bcryptHashLen {
		// bcrypt.Cost reads no further than the salt: a hash cut short or
		// run on would parse, and then match no password at all.
		return fmt.Errorf("malformed bcrypt hash: %d characters, want %d", len(hash), bcryptHashLen)
	}
	if cost > maxBcryptCost {
		return fmt.Errorf("bcrypt cost %d is above %d, htpasswd's own limit: every check would take "+
			"too long (create the entry again with htpasswd -B -C %d or lower)", cost, maxBcryptCost, maxBcryptCost)
	}
	return nil
}

// checkBcryptVariant accepts the variants htpasswd and the libraries of
// today write, $2a$, $2b$ and $2y$, which all compute the same bcrypt.
func checkBcryptVariant(hash string) error {
	variant, _, _ := strings.Cut(strings.TrimPrefix(hash, "$"), "$")
	switch variant {
	case "2a", "2b", "2y":
		return nil
	case "2x":
		// crypt_blowfish's mark for hashes made with its sign-extension
		// bug (CVE-2011-2483): not what bcrypt computes.
		return errors.New("$2x$ hash refused: made by a crypt_blowfish with the 8-bit bug; create the entry again with htpasswd -B")
	}
	if len(variant) > 2 {
		return errors.New("malformed bcrypt hash")
	}
	return fmt.Errorf("bcrypt variant %q refused: only $2a$, $2b$ and $2y$ are accepted", "$"+variant+"$")
}
