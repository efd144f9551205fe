package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/datajoint-go/datajoint/dj/share"
)

func init() {
	commands["import"] = command{
		summary: "load a release archive into a server",
		run:     runImport,
	}
}

const importUsage = `usage: dj import [--version VERSION] [--rename FROM=TO ...] [--config FILE]
                 [--store NAME] [--verify] [--json] PATH

Loads the release archive PATH (written by dj export) into the server of
--config (dj_local_conf.json by default), its objects into the stores of
the same names there. With --version, PATH is a directory of releases and
the release with that version is loaded; with --store NAME as well, PATH
is a key prefix in the object store NAME of --config, where dj export
--store published the release, and the release is downloaded to a
temporary directory first. --rename loads schema FROM of
the release into schema TO (repeatable); other schemas keep their names.

Every member of the archive is checked against the SHA-256 of its
manifest before anything is created: a damaged or incomplete archive is
refused and nothing is loaded. So is a release whose tables exist in the
destination with other definitions. Rows and objects already there are
skipped, so an interrupted import completes when run again. --verify only
checks the archive, without a server.
`

func runImport(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, asJSON := inspectFlags("import", importUsage, stderr)
	var rename pairs
	fs.Var(&rename, "rename", "FROM=TO: load schema FROM as TO (repeatable)")
	version := fs.String("version", "", "load the release with this version from the directory PATH")
	config := fs.String("config", "", "dj_local_conf.json of the destination")
	verifyOnly := fs.Bool("verify", false, "check the archive only")
	store := fs.String("store", "", "with --version: PATH is a key prefix in this store")
	pos, err := parseArgs(fs, args, importUsage, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprint(stderr, importUsage)
		return errUsage
	}
	opts := share.ImportOptions{Rename: map[string]string{}}
	for _, r := range rename {
		from, to, ok := strings.Cut(r, "=")
		if !ok || from == "" || to == "" {
			fmt.Fprintf(stderr, "dj import: --rename %q: want FROM=TO\n", r)
			return errUsage
		}
		opts.Rename[from] = to
	}
	path := pos[0]
	switch {
	case *store != "":
		if *version == "" {
			fmt.Fprintln(stderr, "dj import: --store needs --version")
			return errUsage
		}
		st, err := openConfigStore(*config, *store)
		if err != nil {
			return err
		}
		tmp, err := os.MkdirTemp("", "dj-import-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if path, err = share.FetchRelease(ctx, st, path, *version, tmp); err != nil {
			return err
		}
	case *version != "":
		if path, err = share.FindRelease(path, *version); err != nil {
			return err
		}
	default:
		if st, err := os.Stat(path); err == nil && st.IsDir() && !isRelease(path) {
			fmt.Fprintf(stderr, "dj import: %s is a directory of releases: choose one with --version (see dj releases)\n", path)
			return errUsage
		}
	}
	if *verifyOnly {
		m, err := share.Verify(path)
		if err != nil {
			return err
		}
		if *asJSON {
			r, err := share.ReadRelease(path)
			if err != nil {
				return err
			}
			return writeJSON(stdout, r)
		}
		fmt.Fprintf(stdout, "%s: release %s %s is complete: %d members, %d rows, %d objects\n", path, m.Name, m.Version, len(m.Members), m.TotalRows(), len(m.Objects))
		return nil
	}
	c, err := connectConfig(ctx, *config)
	if err != nil {
		return err
	}
	defer c.Close()
	if !*asJSON {
		opts.Progress = progressPrinter(stderr, "written")
	}
	res, err := share.Import(ctx, c, path, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, res)
	}
	fmt.Fprintf(stdout, "imported %s %s: %d rows of %d tables (%d tables created), %d objects written (%d bytes), %d already there\n",
		res.Manifest.Name, res.Manifest.Version, res.Manifest.TotalRows(), len(res.Manifest.Tables), len(res.Created), res.Objects, res.Bytes, res.Skipped)
	return nil
}

// isRelease reports whether the directory dir is a release archive.
func isRelease(dir string) bool {
	_, err := os.Stat(dir + "/manifest.json")
	return err == nil
}
