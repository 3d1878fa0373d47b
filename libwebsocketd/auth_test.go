package libwebsocketd

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func bcryptLine(t testing.TB, user, password string) string {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return user + ":" + string(hash) + "\n"
}

func TestParseHtpasswd(t *testing.T) {
	good := "# users\n\n" + bcryptLine(t, "alice", "wonderland") + bcryptLine(t, "bob", "builder")
	users, err := ParseHtpasswd([]byte(good))
	if err != nil || len(users) != 2 || users["alice"] == nil || users["bob"] == nil {
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
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.SetBasicAuth(user, password)
		return auth.check(r)
	}
	for range 2 { // the second time from the remembered digest
		if user, ok := try("alice", "wonderland"); !ok || user != "alice" {
			t.Fatalf("right password refused")
		}
	}
	if _, ok := try("alice", "wonderlan"); ok {
		t.Fatal("wrong password accepted")
	}
	if _, ok := try("mallory", "wonderland"); ok {
		t.Fatal("unknown user accepted")
	}
	if _, ok := auth.check(httptest.NewRequest(http.MethodGet, "/", nil)); ok {
		t.Fatal("no credentials accepted")
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

// FuzzHtpasswd: the parser never panics, and what it accepts is bcrypt.
func FuzzHtpasswd(f *testing.F) {
	f.Add([]byte("alice:$2y$05$" + strings.Repeat("a", 53) + "\n"))
	f.Add([]byte("# comment\n\nbob:$apr1$x$y\n"))
	f.Add([]byte("a:b:c\r\n:x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		users, err := ParseHtpasswd(data)
		if err != nil {
			return
		}
		for user, hash := range users {
			if _, err := bcrypt.Cost(hash); err != nil || user == "" || strings.Contains(user, "\n") {
				t.Fatalf("accepted user %q with hash %q", user, hash)
			}
		}
	})
}
