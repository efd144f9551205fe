// Command dj is the DataJoint for Go command-line tool.
//
// Usage:
//
//	dj <command> [arguments]
//
// Run "dj help" for the list of commands and "dj <command> -h" for the
// arguments of one. Each command lives in its own file and registers itself
// in the commands map.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"

	"github.com/datajoint-go/datajoint/dj"
)

// command is one subcommand of dj.
type command struct {
	// summary is the one-line description shown by "dj help".
	summary string
	// run executes the command with the arguments after its name.
	run func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

// commands maps subcommand names to their implementations.
var commands = map[string]command{}

// errUsage reports a command line that cannot be run; the usage has already
// been printed.
var errUsage = errors.New("usage error")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and returns the process exit code: 0 on
// success, 2 for usage errors, 1 for other failures.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	args, cf, err := extractConnFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "dj: %v\n", err)
		return 2
	}
	cf.stdin, cf.stderr = stdin, stderr
	ctx = context.WithValue(ctx, connFlagsKey{}, cf)
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return exitCode(c.run(ctx, []string{"-h"}, stdin, stdout, stderr), stderr)
			}
		}
		usage(stdout)
		return 0
	case "version", "-version", "--version":
		fmt.Fprintf(stdout, "dj version %s %s %s/%s\n", dj.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "dj: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	return exitCode(c.run(ctx, args[1:], stdin, stdout, stderr), stderr)
}

func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	// A program run by a command (dj migrate) has printed its error.
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) && ec.ExitCode() > 0 {
		return ec.ExitCode()
	}
	// Errors of package dj already begin with "dj: ".
	fmt.Fprintf(stderr, "dj: %s\n", strings.TrimPrefix(err.Error(), "dj: "))
	return 1
}

// usage lists the commands.
func usage(w io.Writer) {
	fmt.Fprintln(w, "dj is the DataJoint for Go command-line tool.")
	fmt.Fprintln(w, "\nUsage:\n\n\tdj [--host HOST[:PORT]] [--user USER] [--replicas HOST:PORT,...] [--read-only] <command> [arguments]\n\tdj --version\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, "\t%-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"dj help <command>\" for the arguments of a command.")
	fmt.Fprintln(w, "\nThe connection comes from --host and --user (in any position), then")
	fmt.Fprintln(w, "DJ_HOST, DJ_USER, DJ_PASS, then ./dj_local_conf.json (or")
	fmt.Fprintln(w, "~/.datajoint_config.json); with no host configured no command connects.")
	fmt.Fprintln(w, "Without a configured password, dj asks for one when standard input is a")
	fmt.Fprintln(w, "terminal. --replicas (DJ_REPLICAS) sends reads of data to read replicas;")
	fmt.Fprintln(w, "--read-only (DJ_READ_ONLY=true) refuses every write.")
}

// openSchema connects with the configuration of LoadConfig(configPath) and
// opens an existing schema; the caller closes the connection.
func openSchema(ctx context.Context, configPath, name string) (*dj.Conn, *dj.Schema, error) {
	c, err := connectConfig(ctx, configPath)
	if err != nil {
		return nil, nil, err
	}
	s, err := c.Schema(ctx, name, dj.NoCreate())
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, s, nil
}

// openSchemaTable is openSchema for the commands that take an optional
// --table: it also resolves that name (a class name or a table name) to
// the table's name in the database, or "" when table is "". An unknown
// table is an error.
func openSchemaTable(ctx context.Context, name, table string) (*dj.Conn, *dj.Schema, string, error) {
	c, s, err := openSchema(ctx, "", name)
	if err != nil {
		return nil, nil, "", err
	}
	if table == "" {
		return c, s, "", nil
	}
	t, err := s.Table(ctx, table)
	if err != nil {
		c.Close()
		return nil, nil, "", err
	}
	return c, s, t.Name(), nil
}
