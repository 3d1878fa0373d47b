package main

// target is one platform websocketd is released for.
type target struct {
	goos, goarch, goarm string
}

// targets are the platforms of a release: those the classic websocketd
// ships for, and the BSDs and Windows on ARM besides.
var targets = []target{
	{"linux", "amd64", ""},
	{"linux", "386", ""},
	{"linux", "arm", "6"},
	{"linux", "arm64", ""},
	{"darwin", "amd64", ""},
	{"darwin", "arm64", ""},
	{"freebsd", "amd64", ""},
	{"openbsd", "amd64", ""},
	{"windows", "amd64", ""},
	{"windows", "386", ""},
	{"windows", "arm64", ""},
}

// packaged are the targets that also get a .deb and an .rpm.
var packaged = map[string]bool{"linux-amd64": true, "linux-arm64": true}

func (t target) name() string {
	if t.goarm != "" {
		return t.goos + "-" + t.goarch + "v" + t.goarm
	}
	return t.goos + "-" + t.goarch
}

// binary is the executable's file name on the target.
func (t target) binary() string {
	if t.goos == "windows" {
		return "websocketd.exe"
	}
	return "websocketd"
}

func (t target) env() []string {
	env := []string{"CGO_ENABLED=0", "GOOS=" + t.goos, "GOARCH=" + t.goarch}
	if t.goarm != "" {
		env = append(env, "GOARM="+t.goarm)
	}
	return env
}
