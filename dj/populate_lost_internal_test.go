package dj

import (
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"
)

// TestIsLostDial: a make whose statement could not open a connection (the
// server is restarting) is retried like one whose connection died; other
// network errors and ordinary errors are not.
func TestIsLostDial(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	wrapped := &Error{Op: "insert", Table: "`db`.`call`", Err: fmt.Errorf("insert: %w", dial)}
	if !isLost(dial) || !isLost(wrapped) {
		t.Errorf("a refused dial is not a lost connection: %v", wrapped)
	}
	if isLost(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("timeout")}) {
		t.Error("a read error counts as a failed dial")
	}
	if isLost(errors.New("connect: connection refused")) {
		t.Error("a message that merely mentions a refused connection counts as lost")
	}
}
