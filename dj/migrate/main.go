package migrate

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

// Exit codes of Run.
const (
	ExitOK       = 0 // done; for status, the schema matches
	ExitError    = 1 // the command failed (refusals, data loss without -allow-data-loss, server errors)
	ExitUsage    = 2 // the command line is wrong
	ExitMismatch = 3 // status: the schema does not match the definitions
)

const mainUsage = `usage: %[1]s plan|apply|status [flags] SCHEMA

	plan    print what apply would change, with data-loss warnings and refusals
	apply   make the schema match the definitions built into this program
	status  tell whether the schema matches them (exit code 3 when it does not)
	        and show the last migration recorded

The connection comes from dj_local_conf.json or DJ_HOST, DJ_USER, DJ_PASS.
Flags:
`

// Main is the main function of a migration program: a small command built
// from the Go package that declares a pipeline's structs, so that CI and
// operators plan and apply its schema changes with the code of one commit:
//
//	func main() { migrate.Main(lab.Subject{}, lab.Session{}, lab.Filtered{}) }
//
// It runs Run with the command line and exits with its code.
func Main(tables ...any) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr, tables...)
	stop()
	os.Exit(code)
}

// Run runs one command of a migration program (see Main) on the given
// structs and returns the exit code: ExitOK, ExitError, ExitUsage, or
// ExitMismatch from status. The revision recorded by apply is -revision,
// else the VCS revision that go build stamped into the program.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, tables ...any) int {
	prog := "migrate"
	if len(os.Args) > 0 {
		prog = os.Args[0]
	}
	if len(args) == 0 || (args[0] != "plan" && args[0] != "apply" && args[0] != "status") {
		fmt.Fprintf(stderr, mainUsage, prog)
		return ExitUsage
	}
	sub := args[0]
	fs := flag.NewFlagSet(prog+" "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "", "configuration file (default dj_local_conf.json, then ~/.datajoint_config.json)")
	allowLoss := fs.Bool("allow-data-loss", false, "apply: accept the data loss the plan warns about")
	lockTimeout := fs.Duration("lock-timeout", 10*time.Second, "apply: how long each ALTER waits for the table's lock before it is retried")
	attempts := fs.Int("lock-attempts", 5, "apply: runs of an ALTER that times out waiting for its lock")
	revision := fs.String("revision", buildRevision(), "apply: revision recorded in the history")
	fs.Usage = func() {
		fmt.Fprintf(stderr, mainUsage, prog)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return ExitUsage
	}
	name := fs.Arg(0)
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s %s: %v\n", prog, sub, err)
		return ExitError
	}
	cfg, err := dj.LoadConfig(*config)
	if err != nil {
		return fail(err)
	}
	c, err := dj.Connect(ctx, cfg)
	if err != nil {
		return fail(err)
	}
	defer c.Close()
	var schemaOpts []dj.SchemaOption
	if sub != "apply" {
		schemaOpts = append(schemaOpts, dj.NoCreate())
	}
	s, err := c.Schema(ctx, name, schemaOpts...)
	if errors.Is(err, dj.ErrMissingTable) && sub == "status" {
		fmt.Fprintf(stdout, "schema %s does not exist: apply creates it\n", name)
		return ExitMismatch
	}
	if err != nil {
		return fail(err)
	}
	switch sub {
	case "plan":
		p, err := Diff(ctx, s, tables...)
		if err != nil {
			return fail(err)
		}
		fmt.Fprint(stdout, p)
		if len(p.Refusals) > 0 {
			return ExitError
		}
		return ExitOK
	case "status":
		st, err := CheckStatus(ctx, s, tables...)
		if err != nil {
			return fail(err)
		}
		fmt.Fprint(stdout, st)
		if !st.Matches() {
			return ExitMismatch
		}
		return ExitOK
	}
	opts := []Option{LockTimeout(*lockTimeout), LockAttempts(*attempts), Revision(*revision),
		OnProgress(5*time.Second, func(p Progress) {
			pct := "?"
			if p.Percent >= 0 {
				pct = fmt.Sprintf("%.1f%%", p.Percent)
			}
			fmt.Fprintf(stderr, "%s: %s running for %s (%s, %s)\n", p.Table, p.Algorithm, p.Elapsed.Round(time.Second), pct, p.Stage)
		})}
	if *allowLoss {
		opts = append(opts, AllowDataLoss())
	}
	res, err := Alter(ctx, s, tables, opts...)
	if err != nil {
		return fail(err)
	}
	if len(res.Executed) == 0 {
		fmt.Fprintf(stdout, "schema %s already matches the definitions\n", name)
		return ExitOK
	}
	for _, ex := range res.Executed {
		alg := ex.Algorithm
		if alg == "" {
			alg = "-"
		}
		fmt.Fprintf(stdout, "%s: algorithm %s, %s, %d lock %s\n", ex.Table, alg, ex.Duration.Round(time.Millisecond), ex.LockRetries, plural(int64(ex.LockRetries), "retry", "retries"))
	}
	fmt.Fprintf(stdout, "migration #%d applied to %s (revision %q, hash %s)\n", res.MigrationID, name, *revision, short(res.Plan.Hash))
	return ExitOK
}

// buildRevision is the VCS revision go build stamped into the program,
// with "+dirty" when the tree had changes, or "".
func buildRevision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev != "" && dirty {
		rev += "+dirty"
	}
	return rev
}
