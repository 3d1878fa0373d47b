package libwebsocketd

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
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

// check returns the user whose credentials r carries, or ok=false.
func (a *BasicAuth) check(r *http.Request) (user string, ok bool) {
	user, password, present := r.BasicAuth()
	if !present {
		return "", false
	}
	digest := sha256.Sum256([]byte(password))
	a.mu.RLock()
	users := a.users
	remembered, seen := a.verified[user]
	a.mu.RUnlock()
	if seen && subtle.ConstantTimeCompare(remembered[:], digest[:]) == 1 {
		return user, true
	}
	if !users.verify(a.compare, user, []byte(password)) {
		return "", false
	}
	a.mu.Lock()
	if a.users == users { // not if a reload came in between
		a.verified[user] = digest
	}
	a.mu.Unlock()
	return user, true
}

type authUserKey struct{}

// authenticate answers 401 to a request without valid credentials and
// reports false; otherwise it returns the request to serve: one that
// carries the user for the child's environment and no longer carries the
// password (the Authorization header), which no child is to see.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	user, ok := h.cfg.BasicAuth.check(r)
	if !ok {
		why := "no credentials"
		if r.Header.Get("Authorization") != "" {
			why = "wrong credentials"
		}
		h.log.Log(r.Context(), LevelAccess, "authentication failed: "+why, "category", "http",
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
