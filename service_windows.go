package main

import (
	"os"
	"syscall"

	"golang.org/x/sys/windows/svc"
)

// A Windows service is stopped by the service control manager, which sends
// no console event. When websocketd runs as a service, a stop or shutdown
// request becomes the same graceful shutdown as SIGTERM: a signal on the
// channel the server already waits on. Outside a service this does nothing.
func watchService(signals chan<- os.Signal) (finished func()) {
	isService, err := svc.IsWindowsService()
	if err != nil || !isService {
		return func() {}
	}
	done := make(chan struct{})
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		// The name is ignored for a service that has a process of its own.
		svc.Run("websocketd", &serviceHandler{signals: signals, done: done})
	}()
	// The manager learns that the service stopped once Execute returns, so
	// the server waits for that before it exits.
	return func() { close(done); <-returned }
}

// serviceHandler answers the service control manager for the server.
type serviceHandler struct {
	signals chan<- os.Signal
	done    <-chan struct{} // closed when the server has shut down
}

func (h *serviceHandler) Execute(_ []string, requests <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case <-h.done:
			return false, 0
		case request := <-requests:
			switch request.Cmd {
			case svc.Interrogate:
				status <- request.CurrentStatus
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending}
				h.signals <- syscall.SIGTERM
			}
		}
	}
}
