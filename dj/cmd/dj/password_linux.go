package main

import (
	"os"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// readPassword reads a line from the terminal in with echo off. Echo goes
// off before prompt is called, so nothing typed once the prompt shows is
// echoed.
func readPassword(in *os.File, prompt func()) ([]byte, error) {
	fd := int(in.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	quiet.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &quiet); err != nil {
		return nil, err
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
	prompt()
	// With echo already off, ReadPassword only reads the line.
	return term.ReadPassword(fd)
}
