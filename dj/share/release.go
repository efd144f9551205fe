package share

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FormatName and FormatVersion identify the release archive format in
// its manifest. Import refuses archives of a later format version.
const (
	FormatName    = "dj-release"
	FormatVersion = 1
)

// The members that describe an archive: the manifest and the SHA-256 of
// the manifest, as lower-case hex.
const (
	manifestName    = "manifest.json"
	manifestSumName = "manifest.sha256"
)

// ErrCorruptArchive reports a release archive that is not complete and
// intact: a member missing, added, truncated or altered, or a manifest
// that does not describe it.
var ErrCorruptArchive = errors.New("share: corrupt release archive")

// Manifest describes a release archive: where it comes from, the
// definition and row count of every table, the external objects, and the
// size and SHA-256 of every member.
type Manifest struct {
	Format        string    `json:"format"`
	FormatVersion int       `json:"format_version"`
	Name          string    `json:"name"`
	Version       string    `json:"version"`
	Created       time.Time `json:"created"`
	Source        Source    `json:"source"`
	// Tables lists the tables to create, in order: the tracking and log
	// tables of each database, then every table parents first.
	Tables []TableEntry `json:"tables"`
	// Objects lists the external objects, one per tracking row.
	Objects []ObjectEntry `json:"objects"`
	// Members lists every member of the archive but the manifest and its
	// checksum.
	Members []Member `json:"members"`
}

// Source is where a release was exported from.
type Source struct {
	Host      string   `json:"host"`
	Server    string   `json:"server"`
	Databases []string `json:"databases"`
	// Seeds describes the restrictions the closure started from; empty
	// for whole databases.
	Seeds []string `json:"seeds,omitempty"`
}

// TableEntry is one table of a release.
type TableEntry struct {
	Database string `json:"database"`
	Table    string `json:"table"`
	// DDL is the source's SHOW CREATE TABLE.
	DDL        string   `json:"ddl"`
	Columns    []Column `json:"columns"`
	PrimaryKey []string `json:"primary_key"`
	Rows       int64    `json:"rows"`
	// Member holds the rows; empty when there are none.
	Member string `json:"member,omitempty"`
}

// Column is one column of a table entry, with its data type.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// ObjectEntry is one external object of a release: the tracking row's
// hash in database Database's ~external_<Store> table, and the member
// that holds its contents.
type ObjectEntry struct {
	Store        string            `json:"store"`
	Database     string            `json:"database"`
	Hash         string            `json:"hash"`
	Size         int64             `json:"size"`
	Attachment   string            `json:"attachment,omitempty"`
	Filepath     string            `json:"filepath,omitempty"`
	ContentsHash string            `json:"contents_hash,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
	Member       string            `json:"member"`
}

// Member is one file of an archive.
type Member struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// TotalRows is the number of rows of all tables of the release.
func (m *Manifest) TotalRows() int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

// Release is a release archive found by Releases.
type Release struct {
	Path      string    `json:"path"`
	Name      string    `json:"name"`
	Version   string    `json:"version"`
	Created   time.Time `json:"created"`
	Databases []string  `json:"databases"`
	Tables    int       `json:"tables"`
	Rows      int64     `json:"rows"`
	Objects   int       `json:"objects"`
	// Size is the number of bytes of the archive.
	Size int64 `json:"size"`
	// Problem, when not empty, says why the archive's manifest cannot be
	// read; the other fields but Path are then zero.
	Problem string `json:"problem,omitempty"`
}

// isTarPath reports whether path names a single-file archive.
func isTarPath(path string) bool { return strings.HasSuffix(path, ".tar") }

// Releases lists the release archives in dir: the files named *.tar and
// the directories that hold a manifest.json, sorted by creation time and
// version. Only manifests are read; Import verifies the members.
func Releases(dir string) ([]Release, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("share: releases: %w", err)
	}
	var out []Release
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if strings.Contains(e.Name(), ".partial") {
			continue // an export in progress or interrupted
		}
		switch {
		case e.IsDir():
			if _, err := os.Stat(filepath.Join(p, manifestName)); err != nil {
				continue
			}
		case e.Type().IsRegular() && isTarPath(e.Name()):
		default:
			continue
		}
		r, err := ReadRelease(p)
		if err != nil {
			r.Problem = err.Error()
		}
		out = append(out, r)
	}
	sortReleases(out)
	return out, nil
}

// ReadRelease describes the release archive at path from its manifest,
// without verifying its members (see Verify).
func ReadRelease(path string) (Release, error) {
	r := Release{Path: path}
	a, err := openArchive(path)
	if err != nil {
		return r, err
	}
	defer a.close()
	m, err := a.manifest()
	if err != nil {
		return r, err
	}
	return releaseOf(m, path, a.size), nil
}

// releaseOf describes the release at path, of size bytes, with manifest m.
func releaseOf(m *Manifest, path string, size int64) Release {
	return Release{Path: path, Name: m.Name, Version: m.Version, Created: m.Created, Databases: m.Source.Databases,
		Tables: len(m.Tables), Rows: m.TotalRows(), Objects: len(m.Objects), Size: size}
}

// FindRelease returns the path of the release with the version in dir. No
// such release is an error matching fs.ErrNotExist; several are an error
// too.
func FindRelease(dir, version string) (string, error) {
	list, err := Releases(dir)
	if err != nil {
		return "", err
	}
	return pickRelease(list, version, "in "+dir)
}

// pickRelease returns the path of the one release of the list with the
// version; where says where the list came from, for the errors.
func pickRelease(list []Release, version, where string) (string, error) {
	var found []string
	for _, r := range list {
		if r.Problem == "" && r.Version == version {
			found = append(found, r.Path)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("share: no release with version %q %s: %w", version, where, fs.ErrNotExist)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("share: %d releases with version %q %s: %s", len(found), version, where, strings.Join(found, ", "))
}

// encodeManifest returns the manifest's JSON and the hex SHA-256 of it.
func encodeManifest(m *Manifest) ([]byte, []byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, nil, fmt.Errorf("share: manifest: %w", err)
	}
	b = append(b, '\n')
	sum := sha256.Sum256(b)
	return b, []byte(hex.EncodeToString(sum[:]) + "\n"), nil
}

// decodeManifest checks the manifest's JSON against its checksum and its
// format, and reads it.
func decodeManifest(b, sum []byte) (*Manifest, error) {
	got := sha256.Sum256(b)
	if hex.EncodeToString(got[:]) != string(bytes.TrimSpace(sum)) {
		return nil, fmt.Errorf("%w: %s does not match %s", ErrCorruptArchive, manifestName, manifestSumName)
	}
	return parseManifest(b)
}

// parseManifest decodes manifest.json and checks its format and format
// version.
func parseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorruptArchive, manifestName, err)
	}
	if m.Format != FormatName {
		return nil, fmt.Errorf("%w: format %q, not %q", ErrCorruptArchive, m.Format, FormatName)
	}
	if m.FormatVersion < 1 || m.FormatVersion > FormatVersion {
		return nil, fmt.Errorf("%w: format version %d; this version of dj reads %d", ErrCorruptArchive, m.FormatVersion, FormatVersion)
	}
	return &m, nil
}

// verifyMembers checks that the archive holds exactly the members of the
// manifest, each with its size and SHA-256.
func verifyMembers(a *archive, m *Manifest) error {
	want := map[string]Member{}
	for _, mem := range m.Members {
		if _, dup := want[mem.Name]; dup {
			return fmt.Errorf("%w: member %s listed twice", ErrCorruptArchive, mem.Name)
		}
		want[mem.Name] = mem
	}
	have := map[string]bool{}
	for _, name := range a.names {
		if name == manifestName || name == manifestSumName {
			continue
		}
		if _, ok := want[name]; !ok {
			return fmt.Errorf("%w: member %s is not in the manifest", ErrCorruptArchive, name)
		}
		have[name] = true
	}
	buf := make([]byte, 1<<16)
	for _, mem := range m.Members {
		if !have[mem.Name] {
			return fmt.Errorf("%w: member %s is missing", ErrCorruptArchive, mem.Name)
		}
		r, err := a.open(mem.Name)
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.CopyBuffer(h, r, buf)
		r.Close()
		if err != nil {
			return fmt.Errorf("%w: member %s: %w", ErrCorruptArchive, mem.Name, err)
		}
		if n != mem.Size {
			return fmt.Errorf("%w: member %s has %d bytes, the manifest says %d", ErrCorruptArchive, mem.Name, n, mem.Size)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != mem.SHA256 {
			return fmt.Errorf("%w: member %s has SHA-256 %s, the manifest says %s", ErrCorruptArchive, mem.Name, got, mem.SHA256)
		}
	}
	for _, t := range m.Tables {
		if t.Member != "" {
			if _, ok := want[t.Member]; !ok {
				return fmt.Errorf("%w: the rows of %s.%s are in no member", ErrCorruptArchive, t.Database, t.Table)
			}
		}
	}
	for _, o := range m.Objects {
		if _, ok := want[o.Member]; !ok {
			return fmt.Errorf("%w: object %s is in no member", ErrCorruptArchive, o.Hash)
		}
	}
	return nil
}
