//go:build !linux

package main

import (
	"os"

	"golang.org/x/term"
)

// readPassword reads a line from the terminal in with echo off, after
// calling prompt.
func readPassword(in *os.File, prompt func()) ([]byte, error) {
	prompt()
	return term.ReadPassword(int(in.Fd()))
}
