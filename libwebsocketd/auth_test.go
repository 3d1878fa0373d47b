package libwebsocketd

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func bcryptLine(t testing.TB, user, password string) string {
	t.Helper()
	return bcryptLineAt(t, bcrypt.MinCost, user, password)
}

func bcryptLineAt(t testing.TB, cost int, user, password string) string {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		t.Fatal(err)
	}
	return user + ":" + string(hash) + "\n"
}

// authFromFile reads an htpasswd file of the given content.
func authFromFile(t testing.TB, content string) *BasicAuth {
	t.Helper()
	path := filepath.Join(t.TempDir(), "htpasswd")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	auth, err := NewBasicAuth(path)
	if err != nil {
		t.Fatal(err)
	}
	return auth
}

// requestAs is a request carrying Basic credentials from remote.
func requestAs(user, password, remote string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(user, password)
	r.RemoteAddr = remote
	return r
}

// salted is the salt and hash part of a bcrypt hash, well-formed enough
// for the parser, which never hashes.
var salted = strings.Repeat("a", 53)

func TestParseHtpasswd(t *testing.T) {
	good := "# users\n\n" + bcryptLine(t, "alice", "wonderland") + bcryptLine(t, "bob", "builder") +
		"a:$2a$17$" + salted + "\nb:$2b$04$" + salted + "\ny:$2y$10$" + salted + "\n"
	users, err := ParseHtpasswd([]byte(good))
	if err != nil || len(users) != 5 || users["alice"] == nil || users["bob"] == nil {
		t.Fatalf("ParseHtpasswd: %v, %d users", err, len(users))
	}
	cases := map[string]string{
		"alice:$apr1$salt$0123456789abcdefghijkl\n":               "MD5",
		"alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n":               "SHA-1",
		"alice:$6$salt$abcdef\n":                                  "SHA-crypt",
		"alice:rqXexS6ZhobKA\n":                                   "crypt or plain-text",
		"alice:$2y$10$tooshort\n":                                 "malformed bcrypt",
		"no colon here\n":                                         "want user:hash",
		":" + strings.TrimPrefix(bcryptLine(t, "", "x"), ":"):     "empty user",
		bcryptLine(t, "alice", "a") + bcryptLine(t, "alice", "b"): "twice",
		"# only a comment\n":                                      "no users",
		"alice:$2x$05$" + salted + "\n":                           `line 1: user "alice": $2x$ hash refused`,
		"alice:$2$05$" + salted + "\n":                            "bcrypt variant",
		"alice:$2z$05$" + salted + "\n":                           "bcrypt variant",
		"#\nbob:$2y$18$" + salted + "\n":                          `line 2: user "bob": bcrypt cost 18 is above 17`,
		"carol:$2b$31$" + salted + "\n":                           `line 1: user "carol": bcrypt cost 31 is above 17`,
		"dave:$2y$05$" + salted + "x\n":                           "61 characters, want 60",
		"erin:$2y$05$" + salted[1:] + "\n":                        "59 characters, want 60",
	}
	for file, want := range cases {
		if _, err := ParseHtpasswd([]byte(file)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseHtpasswd(%q): %v, want an error saying %q", file, err, want)
		}
	}
}

func TestBasicAuthCheckAndReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "htpasswd")
	write := func(content string) {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(bcryptLine(t, "alice", "wonderland"))
	auth, err := NewBasicAuth(path)
	if err != nil {
		t.Fatal(err)
	}
	try := func(user, password string) (string, bool) {
		user, err := auth.check(requestAs(user, password, "192.0.2.1:1"))
		return user, err == nil
	}
	for range 2 { // the second time from the remembered digest
		if user, ok := try("alice", "wonderland"); !ok || user != "alice" {
			t.Fatalf("right password refused")
		}
	}
	if _, err := auth.check(requestAs("alice", "wonderlan", "192.0.2.1:1")); err != errWrongCredentials {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := auth.check(requestAs("mallory", "wonderland", "192.0.2.1:1")); err != errWrongCredentials {
		t.Fatalf("unknown user: %v", err)
	}
	if _, err := auth.check(httptest.NewRequest(http.MethodGet, "/", nil)); err != errNoCredentials {
		t.Fatalf("no credentials: %v", err)
	}
	malformed := httptest.NewRequest(http.MethodGet, "/", nil)
	malformed.Header.Set("Authorization", "Basic !!")
	if _, err := auth.check(malformed); err != errMalformedCredentials {
		t.Fatalf("malformed credentials: %v", err)
	}
	write(bcryptLine(t, "alice", "new password"))
	if err := auth.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, ok := try("alice", "wonderland"); ok {
		t.Fatal("old password still accepted after the reload")
	}
	write("alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n")
	if err := auth.Reload(); err == nil {
		t.Fatal("a weak file reloaded")
	}
	if _, ok := try("alice", "new password"); !ok {
		t.Fatal("a failed reload dropped the users read before")
	}
}

// A check does the same bcrypt work whatever the name, so that its time
// cannot tell which names exist: one comparison at each cost the file
// uses, for an unknown user as for a cheap or an expensive known one.
// What is counted is the work asked for, not a time, so that a loaded
// machine cannot make the test pass or fail.
func TestBasicAuthWorkDoesNotDependOnTheName(t *testing.T) {
	auth := authFromFile(t, bcryptLineAt(t, 4, "cheap", "right")+
		bcryptLineAt(t, 4, "cheap too", "right")+bcryptLineAt(t, 6, "dear", "right"))
	var costs []int
	auth.compare = func(hash, password []byte) error {
		cost, err := bcrypt.Cost(hash)
		if err != nil {
			t.Errorf("compared against a malformed hash %q", hash)
		}
		costs = append(costs, cost)
		return bcrypt.CompareHashAndPassword(hash, password)
	}
	tries := []struct {
		user, password string
		accepted       bool
	}{
		{"nobody", "right", false}, {"cheap", "wrong", false}, {"dear", "wrong", false},
		{"cheap", "right", true}, {"dear", "right", true},
	}
	for _, try := range tries {
		costs = nil
		_, err := auth.check(requestAs(try.user, try.password, "192.0.2.1:1"))
		if ok := err == nil; ok != try.accepted {
			t.Errorf("%s with the %s password: accepted %v", try.user, try.password, ok)
		}
		slices.Sort(costs)
		if !slices.Equal(costs, []int{4, 6}) {
			t.Errorf("%s with the %s password: bcrypt costs %v, want one comparison at each cost in the file, [4 6]",
				try.user, try.password, costs)
		}
	}
}

// Credential checks under way at once are bounded per client address:
// beyond the bound the answer is 429 without any bcrypt, while another
// address still gets through, and so does the first once its checks end.
func TestBasicAuthBoundsChecksPerAddress(t *testing.T) {
	auth := authFromFile(t, bcryptLine(t, "alice", "wonderland"))
	entered, release := make(chan struct{}), make(chan struct{})
	auth.compare = func(hash, password []byte) error { // one call a check: one cost in the file
		select {
		case entered <- struct{}{}:
			<-release
		case <-release:
		}
		return bcrypt.ErrMismatchedHashAndPassword
	}
	h := &Handler{cfg: Config{BasicAuth: auth}, log: slog.New(slog.DiscardHandler)}
	answer := func(remote string) <-chan int {
		answered := make(chan int, 1)
		go func() {
			w := httptest.NewRecorder()
			h.authenticate(w, requestAs("alice", "guess", remote))
			answered <- w.Code
		}()
		return answered
	}
	var held []<-chan int
	for i := range maxChecksPerAddress {
		held = append(held, answer(fmt.Sprintf("192.0.2.1:%d", 1000+i)))
		<-entered
	}
	select {
	case code := <-answer("192.0.2.1:2000"):
		if code != http.StatusTooManyRequests {
			t.Errorf("a check beyond the bound: status %d, want 429", code)
		}
	case <-entered:
		t.Error("a check beyond the bound ran bcrypt")
	}
	held = append(held, answer("[2001:db8::1]:1000"))
	<-entered // another address gets as far as bcrypt
	close(release)
	for _, answered := range held {
		if code := <-answered; code != http.StatusUnauthorized {
			t.Errorf("a wrong password: status %d, want 401", code)
		}
	}
	if code := <-answer("192.0.2.1:3000"); code != http.StatusUnauthorized {
		t.Errorf("once the checks ended: status %d, want 401", code)
	}
}

// Checks count together by address, without the port, IPv6 by its /64.
func TestGateKey(t *testing.T) {
	for remote, want := range map[string]string{
		"192.0.2.1:1234":             "192.0.2.1",
		"192.0.2.1":                  "192.0.2.1",
		"[::ffff:192.0.2.1]:80":      "192.0.2.1",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2::ffff]:1":     "2001:db8:1:2::/64",
		"[2001:db8:1:3::1]:1":        "2001:db8:1:3::/64",
		"[fe80::1%eth0]:22":          "fe80::/64",
		"@":                          "@",
		"":                           "",
		"not an address:port":        "not an address",
	} {
		if got := gateKey(remote); got != want {
			t.Errorf("gateKey(%q) = %q, want %q", remote, got, want)
		}
	}
}

// A decoy is a well-formed hash of the cost asked for, made without
// hashing at that cost (cost 17 would take seconds), matching nothing.
func TestDecoyHash(t *testing.T) {
	for _, cost := range []int{bcrypt.MinCost, 5, 17} {
		decoy, err := decoyHash(cost)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := bcrypt.Cost(decoy); err != nil || got != cost {
			t.Errorf("decoyHash(%d) = %q: cost %d, %v", cost, decoy, got, err)
		}
		if cost > 5 {
			continue // comparing at cost 17 takes seconds
		}
		for _, password := range []string{"", "decoy password", string(decoy)} {
			if bcrypt.CompareHashAndPassword(decoy, []byte(password)) == nil {
				t.Errorf("decoy of cost %d matches %q", cost, password)
			}
		}
	}
}

// FuzzHtpasswd: the parser never panics, and what it accepts is bcrypt of
// an accepted variant and a bounded cost.
func FuzzHtpasswd(f *testing.F) {
	f.Add([]byte("alice:$2y$05$" + salted + "\n"))
	f.Add([]byte("# comment\n\nbob:$apr1$x$y\n"))
	f.Add([]byte("a:b:c\r\n:x\n"))
	f.Add([]byte("x:$2x$05$" + salted + "\n"))
	f.Add([]byte("big:$2b$31$" + salted + "\nok:$2a$17$" + salted + "\n"))
	f.Add([]byte("old:$2$05$" + salted + "\nodd:$2\r$05$" + salted + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		users, err := ParseHtpasswd(data)
		if err != nil {
			return
		}
		for user, hash := range users {
			cost, err := bcrypt.Cost(hash)
			variant := string(hash[:min(len(hash), 4)])
			if err != nil || cost > maxBcryptCost || len(hash) != 60 || user == "" || strings.Contains(user, "\n") ||
				(variant != "$2a$" && variant != "$2b$" && variant != "$2y$") {
				t.Fatalf("accepted user %q with hash %q", user, hash)
			}
		}
	})
}
