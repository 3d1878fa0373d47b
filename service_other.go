//go:build !windows

package main

import "os"

// Services are a Windows matter (service_windows.go); elsewhere the
// service manager stops the server with a signal.
func watchService(chan<- os.Signal) (finished func()) { return func() {} }
