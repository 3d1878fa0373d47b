package child

import "testing"

func TestWindowsKindByExtension(t *testing.T) {
	cases := map[string]WindowsKind{
		`C:\w\echo.exe`: WindowsExecutable, `C:\w\ECHO.EXE`: WindowsExecutable,
		`C:\w\run.bat`: WindowsBatch, `C:\w\Run.Cmd`: WindowsBatch,
		`C:\w\script.sh`: NotRunnableOnWindows, `C:\w\script.py`: NotRunnableOnWindows,
		`C:\w.exe\plain`: NotRunnableOnWindows, `C:\w\noext`: NotRunnableOnWindows,
	}
	for path, want := range cases {
		if got := WindowsKindOf(path); got != want {
			t.Errorf("%s: kind %d, want %d", path, got, want)
		}
	}
}

func TestBatchCommandLineQuoting(t *testing.T) {
	line, err := batchCommandLine(`C:\Windows\system32\cmd.exe`,
		[]string{`C:\my dir\a&b (x).bat`, "one two", "x^y|z"})
	if err != nil {
		t.Fatal(err)
	}
	want := `"C:\Windows\system32\cmd.exe" /d /v:off /s /c ""C:\my dir\a&b (x).bat" "one two" "x^y|z""`
	if line != want {
		t.Errorf("got  %s\nwant %s", line, want)
	}
	for _, bad := range []string{"%PATH%", "a!b", `say "hi"`, "a\nb"} {
		if _, err := batchCommandLine("cmd.exe", []string{`C:\x.bat`, bad}); err == nil {
			t.Errorf("%q accepted as a batch argument", bad)
		}
	}
}
