package main

// defaultPassEnv is --passenv's default for an OS: the variables a child
// needs to find programs and libraries there. Those of the classic
// websocketd, plus on Windows what most programs need to run at all
// (SystemRoot for the system DLLs, COMSPEC for cmd.exe, PATHEXT to find
// commands, and the temporary directories).
func defaultPassEnv(goos string) []string {
	switch goos {
	case "windows":
		return []string{"PATH", "SystemRoot", "COMSPEC", "PATHEXT", "WINDIR", "TEMP", "TMP"}
	case "darwin", "ios":
		return []string{"PATH", "DYLD_LIBRARY_PATH"}
	}
	return []string{"PATH", "LD_LIBRARY_PATH"} // Linux and the BSDs
}
