package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/datajoint-go/datajoint/dj"
)

// connFlags are the connection settings given on the command line, which
// take precedence over dj_local_conf.json and DJ_HOST, DJ_USER, DJ_PASS
// (and DJ_REPLICAS, DJ_READ_ONLY).
type connFlags struct {
	host, user string
	// replicas is --replicas HOST:PORT,... ("" when not given; the flag
	// needs a value).
	replicas string
	// readOnly is --read-only (or --read-only=false) when readOnlySet.
	readOnly, readOnlySet bool
	// stdin and stderr serve the password prompt.
	stdin  io.Reader
	stderr io.Writer
}

type connFlagsKey struct{}

// extractConnFlags removes --host, --user and --replicas (with "=" or a
// separate value, one or two dashes) and --read-only (alone, or
// --read-only=true|false) from anywhere before "--" in args, so every
// command accepts them in any position.
func extractConnFlags(args []string) ([]string, connFlags, error) {
	var cf connFlags
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && name == "read-only" {
			cf.readOnly, cf.readOnlySet = true, true
			if hasValue {
				b, err := strconv.ParseBool(value)
				if err != nil {
					return nil, cf, fmt.Errorf("flag --read-only: want true or false, got %q", value)
				}
				cf.readOnly = b
			}
			continue
		}
		if !strings.HasPrefix(a, "-") || (name != "host" && name != "user" && name != "replicas") {
			out = append(out, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, cf, fmt.Errorf("flag %s needs a value", a)
			}
			i++
			value = args[i]
		}
		if value == "" {
			return nil, cf, fmt.Errorf("flag -%s needs a value", name)
		}
		switch name {
		case "host":
			cf.host = value
		case "user":
			cf.user = value
		default:
			cf.replicas = value
		}
	}
	return out, cf, nil
}

// errNoHost is the error of a command that would connect with no host
// configured: dj never guesses a server.
var errNoHost = fmt.Errorf("%w: no database host configured: pass --host HOST[:PORT] (and --user), "+
	"set DJ_HOST (and DJ_USER, DJ_PASS), or write database.host in ./%s", dj.ErrConfig, dj.ConfigFile)

// loadConfig reads the configuration of dj.LoadConfig(path), applies the
// command-line flags and, when no password is configured and standard
// input is a terminal, asks for one without echoing it.
func loadConfig(ctx context.Context, path string) (dj.Config, error) {
	cfg, err := dj.LoadConfig(path)
	if err != nil {
		return cfg, err
	}
	cf, _ := ctx.Value(connFlagsKey{}).(connFlags)
	if cf.host != "" {
		cfg.Host = cf.host
	}
	if cf.user != "" {
		cfg.User = cf.user
	}
	if cf.replicas != "" {
		cfg.Replicas = nil
		for _, r := range strings.Split(cf.replicas, ",") {
			if r = strings.TrimSpace(r); r != "" {
				cfg.Replicas = append(cfg.Replicas, r)
			}
		}
	}
	if cf.readOnlySet {
		cfg.ReadOnly = cf.readOnly
	}
	if cfg.Host == "" {
		return cfg, errNoHost
	}
	if _, set := os.LookupEnv("DJ_PASS"); cfg.Password == "" && !set {
		if f, ok := cf.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			pw, err := promptPassword(f, cf.stderr, cfg)
			if err != nil {
				return cfg, err
			}
			cfg.Password = pw
		}
	}
	return cfg, nil
}

// promptPassword asks for the password of cfg's user on the terminal in,
// echo off, writing the prompt to w.
func promptPassword(in *os.File, w io.Writer, cfg dj.Config) (string, error) {
	if w == nil {
		w = io.Discard
	}
	pw, err := readPassword(in, func() { fmt.Fprintf(w, "Password for %s: ", cfg) })
	fmt.Fprintln(w)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	return string(pw), nil
}

// helpRequested reports whether args ask for help: "help" as the first
// argument, or -h, -help or --help before "--".
func helpRequested(args []string) bool {
	for i, a := range args {
		switch {
		case a == "--":
			return false
		case a == "-h" || a == "-help" || a == "--help" || (i == 0 && a == "help"):
			return true
		}
	}
	return false
}

// subcommandUsage handles the help and empty command lines of a command
// with subcommands: help goes to stdout (flag.ErrHelp, exit 0), a missing
// subcommand prints the usage on stderr (errUsage, exit 2). It returns nil
// when the command should run.
func subcommandUsage(args []string, usage string, stdout, stderr io.Writer) error {
	if helpRequested(args) {
		fmt.Fprint(stdout, usage)
		return flag.ErrHelp
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	return nil
}
