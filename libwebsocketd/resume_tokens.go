package libwebsocketd

import (
	"crypto/rand"
	"crypto/sha256"
	"sync"
)

// resumeTokens are a Handler's tokens for --resumems: each one lets a
// client come back once to the process it names. A token is
// rand.Text() (26 base-32 characters from crypto/rand: 130 bits) and is
// known by its SHA-256 alone: a lookup's timing depends on the hash, so
// it tells nothing of how much of a guess was right. The Handler is the
// route, so a token is good on its route only, and on its URL path.
type resumeTokens struct {
	mu     sync.Mutex
	byHash map[[sha256.Size]byte]*resumable
}

func newResumeTokens() *resumeTokens {
	return &resumeTokens{byHash: map[[sha256.Size]byte]*resumable{}}
}

// issue gives d a new token, the one a client may come back with next,
// and forgets any earlier one: a token is good once.
func (t *resumeTokens) issue(d *resumable) string {
	token := rand.Text()
	key := sha256.Sum256([]byte(token))
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byHash[d.tokenKey] == d {
		delete(t.byHash, d.tokenKey)
	}
	d.tokenKey = key
	t.byHash[key] = d
	return token
}

// take returns the process a token names on path and forgets the token;
// nil when it names none there (unknown, used or expired).
func (t *resumeTokens) take(token, path string) *resumable {
	key := sha256.Sum256([]byte(token))
	t.mu.Lock()
	defer t.mu.Unlock()
	d := t.byHash[key]
	if d == nil || d.path != path {
		return nil
	}
	delete(t.byHash, key)
	return d
}

// revoke forgets the token key if it still names d, and reports whether
// it did: of an expiry and a resume that race, the first one wins.
func (t *resumeTokens) revoke(d *resumable, key [sha256.Size]byte) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byHash[key] != d {
		return false
	}
	delete(t.byHash, key)
	return true
}

// revokeCurrent forgets d's token, if it has one: the process ends, and
// no client is to come back to it.
func (t *resumeTokens) revokeCurrent(d *resumable) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byHash[d.tokenKey] == d {
		delete(t.byHash, d.tokenKey)
	}
}

// current is d's token key now, for a timer that must not outlive it.
func (t *resumeTokens) current(d *resumable) [sha256.Size]byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return d.tokenKey
}
