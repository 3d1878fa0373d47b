module github.com/websocketd/websocketd

go 1.26.8

require (
	github.com/gorilla/websocket v1.5.3
	github.com/spf13/pflag v1.1.0
)
