package libwebsocketd

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// authRealm is the realm of the Basic challenge; browsers show it.
const authRealm = `Basic realm="websocketd"`

// BasicAuth checks HTTP Basic credentials against an htpasswd file
// (--basicauth). Reload reads the file again (SIGHUP).
type BasicAuth struct {
	path string
	// compare is bcrypt's comparison; tests put a counting one in its place.
	compare func(hash, password []byte) error
	gate    checkGate

	mu    sync.RWMutex
	users *authUsers
	// verified remembers, per user, a digest of the password that last
	// passed bcrypt: bcrypt is slow on purpose (tens of ms), and a browser
	// sends the same credentials with every request. Emptied on reload.
	verified map[string][32]byte
}

// NewBasicAuth reads the htpasswd file at path.
func NewBasicAuth(path string) (*BasicAuth, error) {
	a := &BasicAuth{path: path, compare: bcrypt.CompareHashAndPassword}
	if err := a.Reload(); err != nil {
		return nil, err
	}
	return a, nil
}

// Reload reads the file again; on error the users read before stay.
func (a *BasicAuth) Reload() error {
	data, err := os.ReadFile(a.path)
	if err != nil {
		return fmt.Errorf("--basicauth: %w", err)
	}
	hashes, err := ParseHtpasswd(data)
	if err != nil {
		return fmt.Errorf("--basicauth %s: %w", a.path, err)
	}
	users, err := newAuthUsers(hashes)
	if err != nil {
		return fmt.Errorf("--basicauth %s: %w", a.path, err)
	}
	a.mu.Lock()
	a.users, a.verified = users, map[string][32]byte{}
	a.mu.Unlock()
	return nil
}

// Why a check failed; the first three are answered 401, the last 429.
var (
	errNoCredentials        = errors.New("no credentials")
	errMalformedCredentials = errors.New("malformed credentials")
	errWrongCredentials     = errors.New("wrong credentials")
	errTooManyChecks        = fmt.Errorf("more than %d credential checks at a time from this address", maxChecksPerAddress)
)

// check returns the user whose credentials r carries, or why not. The
// bcrypt work runs only within the bound of checks per client address.
func (a *BasicAuth) check(r *http.Request) (string, error) {
	user, password, present := r.BasicAuth()
	if !present {
		if r.Header.Get("Authorization") != "" {
			return "", errMalformedCredentials
		}
		return "", errNoCredentials
	}
	digest := sha256.Sum256([]byte(password))
	a.mu.RLock()
	users := a.users
	remembered, seen := a.verified[user]
	a.mu.RUnlock()
	if seen && subtle.ConstantTimeCompare(remembered[:], digest[:]) == 1 {
		return user, nil
	}
	key := gateKey(r.RemoteAddr)
	if !a.gate.enter(key) {
		return "", errTooManyChecks
	}
	defer a.gate.leave(key)
	if !users.verify(a.compare, user, []byte(password)) {
		return "", errWrongCredentials
	}
	a.mu.Lock()
	if a.users == users { // not if a reload came in between
		a.verified[user] = digest
	}
	a.mu.Unlock()
	return user, nil
}

type authUserKey struct{}

// authenticate answers a request without valid credentials (401, or 429
// when its address has too many checks under way) and reports false;
// otherwise it returns the request to serve: one that carries the user
// for the child's environment and no longer carries the password (the
// Authorization header), which no child is to see.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	user, err := h.cfg.BasicAuth.check(r)
	if errors.Is(err, errTooManyChecks) {
		w.Header().Set("Retry-After", "1")
		h.refuse(w, r, http.StatusTooManyRequests, err.Error())
		return r, false
	}
	if err != nil {
		h.log.Log(r.Context(), LevelAccess, "authentication failed: "+err.Error(), "category", "http",
			"url", requestURL(r), "remote", r.RemoteAddr)
		w.Header()["WWW-Authenticate"] = []string{authRealm} // the spelling of RFC 9110
		http.Error(w, "401 unauthorized", http.StatusUnauthorized)
		return r, false
	}
	r = r.WithContext(context.WithValue(r.Context(), authUserKey{}, user))
	r.Header = r.Header.Clone()
	r.Header.Del("Authorization")
	return r, true
}

// authUser is the user authenticate found, or "".
func authUser(r *http.Request) string {
	user, _ := r.Context().Value(authUserKey{}).(string)
	return user
}

// authVars are the CGI variables naming the authenticated user.
func authVars(r *http.Request) []string {
	if user := authUser(r); user != "" {
		return []string{"AUTH_TYPE=Basic", "REMOTE_USER=" + safeValue(user)}
	}
	return nil
}
