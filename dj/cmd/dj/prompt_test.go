package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// TestPasswordPromptTerminal runs the dj binary on a pseudo-terminal (made
// by util-linux script(1)) with --host and --user and no password
// configured: dj asks for the password on the terminal, the terminal does
// not echo it, and the command connects with it.
func TestPasswordPromptTerminal(t *testing.T) {
	srv := testenv.MySQL(t)
	if srv.Pass == "" {
		t.Fatal("the test server's user needs a password for this test")
	}
	scriptPath, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("script(1) from util-linux makes the pseudo-terminal: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "dj")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	noConfig(t)
	cmd := exec.Command(scriptPath, "-q", "-e", "-c", bin+" --host "+srv.Host+" --user "+srv.User+" schemas", os.DevNull)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = pr
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pr.Close()
	// Type the password once the prompt has switched echo off.
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "Password for "+srv.User+"@") {
		if time.Now().After(deadline) {
			t.Fatalf("no prompt: %q", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := pw.WriteString(srv.Pass + "\n"); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	if strings.Contains(got, srv.Pass) {
		t.Errorf("the password was echoed: %q", got)
	}
	if !strings.Contains(got, "SCHEMA") || strings.Contains(got, "Access denied") {
		t.Errorf("output %q", got)
	}
}

// syncBuffer collects the output of a process while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
