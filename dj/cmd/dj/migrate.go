package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/datajoint-go/datajoint/dj/migrate"
)

func init() {
	commands["migrate"] = command{
		summary: "plan and apply schema changes from a Go package of structs; show the migration history",
		run:     runMigrate,
	}
}

const migrateUsage = `usage:
	dj migrate plan|apply|status -pkg PKG [flags] SCHEMA
	        build the migration program PKG (a Go main package that calls
	        migrate.Main with the pipeline's structs) with "go build" and run
	        it; the other flags go to it (-allow-data-loss, -lock-timeout,
	        -revision, ...)
	dj migrate history [--config FILE] [--statements] [--json] SCHEMA
	        list the migrations recorded in SCHEMA (table ~migrations)

The structs of a pipeline live in its Go code, so plan, apply and status run
a program built from that code: in CI, the commit under test. status exits
with code 3 when the schema does not match the structs.
The connection comes from --host and --user, DJ_HOST, DJ_USER, DJ_PASS or
dj_local_conf.json ("dj help" says more).
`

// runMigrate implements "dj migrate".
func runMigrate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if err := subcommandUsage(args, migrateUsage, stdout, stderr); err != nil {
		return err
	}
	switch args[0] {
	case "history":
		return migrateHistory(ctx, args[1:], stdout, stderr)
	case "plan", "apply", "status":
	default:
		fmt.Fprintf(stderr, "dj migrate: unknown subcommand %q\n", args[0])
		fmt.Fprint(stderr, migrateUsage)
		return errUsage
	}
	pkg, rest := "", []string{}
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-pkg" || a == "--pkg":
			if i+1 >= len(args) {
				fmt.Fprint(stderr, migrateUsage)
				return errUsage
			}
			pkg = args[i+1]
			i++
		case strings.HasPrefix(a, "-pkg=") || strings.HasPrefix(a, "--pkg="):
			_, pkg, _ = strings.Cut(a, "=")
		default:
			rest = append(rest, a)
		}
	}
	if pkg == "" {
		fmt.Fprintf(stderr, "dj migrate %s: -pkg names the migration program (a main package calling migrate.Main)\n", args[0])
		fmt.Fprint(stderr, migrateUsage)
		return errUsage
	}
	// go build (not go run) stamps the commit into the program, which apply
	// records, and keeps the program's exit code (3 from status).
	dir, err := os.MkdirTemp("", "dj-migrate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "migrate")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
	build.Stdout, build.Stderr = stderr, stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the migration program %s: %w", pkg, err)
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{args[0]}, rest...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	// --host and --user reach the program as the variables it reads.
	if cf, _ := ctx.Value(connFlagsKey{}).(connFlags); cf.host != "" || cf.user != "" {
		cfg, err := loadConfig(ctx, "")
		if err != nil {
			return err
		}
		cmd.Env = append(os.Environ(), "DJ_HOST="+cfg.Addr(), "DJ_USER="+cfg.User, "DJ_PASS="+cfg.Password)
	}
	return cmd.Run()
}

// migrateHistory implements "dj migrate history".
func migrateHistory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dj migrate history", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, migrateUsage) }
	configPath := fs.String("config", "", "configuration file")
	statements := fs.Bool("statements", false, "print the statements of each migration")
	asJSON := fs.Bool("json", false, "write JSON for scripts")
	pos, err := parseArgs(fs, args, migrateUsage, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprint(stderr, migrateUsage)
		return errUsage
	}
	c, s, err := openSchema(ctx, *configPath, pos[0])
	if err != nil {
		return err
	}
	defer c.Close()
	h, err := migrate.History(ctx, s)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]migrationJSON, len(h))
		for i, r := range h {
			out[i] = migrationJSON{r.ID, r.Time.UTC(), r.Version, r.User, r.Host, r.AppliedBy, r.Revision, r.Hash, r.Tables, r.Statements}
		}
		return writeJSON(stdout, out)
	}
	if len(h) == 0 {
		fmt.Fprintf(stdout, "no migration recorded in %s\n", s.Name())
		return nil
	}
	for _, r := range h {
		rev := r.Revision
		if rev == "" {
			rev = "-"
		}
		fmt.Fprintf(stdout, "#%d %s by %s (%s) revision %s hash %.12s: %s\n", r.ID, r.Time.UTC().Format(time.RFC3339), r.AppliedBy, r.User, rev, r.Hash, strings.Join(r.Tables, ", "))
		if *statements {
			fmt.Fprint(stdout, r.Statements)
		}
	}
	return nil
}

// migrationJSON is one migration in "dj migrate history --json", with the
// column names of ~migrations.
type migrationJSON struct {
	ID         int64     `json:"id"`
	Time       time.Time `json:"time"`
	Version    string    `json:"version"`
	User       string    `json:"user"`
	Host       string    `json:"host"`
	AppliedBy  string    `json:"applied_by"`
	Revision   string    `json:"revision"`
	Hash       string    `json:"hash"`
	Tables     []string  `json:"tables"`
	Statements string    `json:"statements"`
}
