package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/datajoint-go/datajoint/dj/inspect"
)

func init() {
	commands["gen"] = command{
		summary: "generate Go structs for every table of a live schema",
		run:     runGen,
	}
}

const genUsage = `usage: dj gen SCHEMA [--package NAME] [-o DIR] [--json]

Writes a Go package that declares every table of the schema as a struct
(with key structs, references, types, defaults, comments and indexes), to
bind with Schema.Bind. Without -o the source goes to stdout; with -o it is
written to DIR/tables.go (DIR is created). The package name defaults to the
schema name. Re-running gives the same file. --json writes the package
name, the file and the source.
`

func runGen(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, asJSON := inspectFlags("gen", genUsage, stderr)
	pkg := fs.String("package", "", "Go package name")
	dir := fs.String("o", "", "output directory")
	pos, err := parseArgs(fs, args, genUsage, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprint(stderr, genUsage)
		return errUsage
	}
	c, s, err := openSchema(ctx, "", pos[0])
	if err != nil {
		return err
	}
	defer c.Close()
	src, err := inspect.Generate(ctx, s, inspect.GenOptions{Package: *pkg})
	if err != nil {
		return err
	}
	file := ""
	if *dir != "" {
		if err := os.MkdirAll(*dir, 0o755); err != nil {
			return err
		}
		file = filepath.Join(*dir, "tables.go")
		if err := os.WriteFile(file, src, 0o644); err != nil {
			return err
		}
	}
	if *asJSON {
		name := *pkg
		if name == "" {
			name = inspect.PackageName(s.Name())
		}
		return writeJSON(stdout, map[string]string{"package": name, "file": file, "source": string(src)})
	}
	if file == "" {
		_, err = stdout.Write(src)
	}
	return err
}
