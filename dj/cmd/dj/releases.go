package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/datajoint-go/datajoint/dj/share"
)

func init() {
	commands["releases"] = command{
		summary: "list the release archives of a directory",
		run:     runReleases,
	}
}

const releasesUsage = `usage: dj releases [--json] [--store NAME [--config FILE]] DIR

Lists the release archives in DIR (the .tar files and the directories
written by dj export), oldest first: version, name, creation time,
schemas, tables, rows, objects and size in bytes. An archive whose
manifest cannot be read is listed with the problem. dj import --version
VERSION DIR loads one.

With --store, DIR is a key prefix in the object store NAME of --config
(dj_local_conf.json by default), and the releases listed are those that
dj export --store published there; only their manifests are read.
`

func runReleases(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, asJSON := inspectFlags("releases", releasesUsage, stderr)
	store := fs.String("store", "", "list the releases published under the prefix DIR of this store")
	config := fs.String("config", "", "dj_local_conf.json that configures --store")
	pos, err := parseArgs(fs, args, releasesUsage, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprint(stderr, releasesUsage)
		return errUsage
	}
	var list []share.Release
	if *store != "" {
		st, err := openConfigStore(*config, *store)
		if err != nil {
			return err
		}
		list, err = share.StoreReleases(ctx, st, pos[0])
		if err != nil {
			return err
		}
	} else if list, err = share.Releases(pos[0]); err != nil {
		return err
	}
	if *asJSON {
		if list == nil {
			list = []share.Release{}
		}
		return writeJSON(stdout, list)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tCREATED\tSCHEMAS\tTABLES\tROWS\tOBJECTS\tBYTES\tPATH")
	for _, r := range list {
		if r.Problem != "" {
			fmt.Fprintf(tw, "?\t\t\t\t\t\t\t\t%s: %s\n", r.Path, r.Problem)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", r.Version, r.Name, r.Created.Format("2006-01-02 15:04:05Z"),
			strings.Join(r.Databases, ","), r.Tables, r.Rows, r.Objects, r.Size, r.Path)
	}
	return tw.Flush()
}
