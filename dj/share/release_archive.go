package share

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// archive is an open release archive: a directory of members or a tar
// file holding them.
type archive struct {
	path  string
	f     *os.File            // the tar file, or nil for a directory
	at    map[string][2]int64 // tar: offset and size of each member
	names []string            // every member, in archive order
	size  int64               // bytes of the archive
}

// openArchive opens the archive at p and lists its members.
func openArchive(p string) (*archive, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("share: release %s: %w", p, err)
	}
	a := &archive{path: p}
	if st.IsDir() {
		err := filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(p, q)
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			a.names = append(a.names, filepath.ToSlash(rel))
			a.size += info.Size()
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("share: release %s: %w", p, err)
		}
		return a, nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("share: release %s: %w", p, err)
	}
	a.f, a.at, a.size = f, map[string][2]int64{}, st.Size()
	tr := tar.NewReader(f) // reads headers unbuffered and seeks past data
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%w: %s: %w", ErrCorruptArchive, p, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("share: release %s: %w", p, err)
		}
		if off+h.Size > a.size {
			f.Close()
			return nil, fmt.Errorf("%w: %s: member %s is truncated", ErrCorruptArchive, p, h.Name)
		}
		if _, dup := a.at[h.Name]; dup {
			f.Close()
			return nil, fmt.Errorf("%w: %s: member %s appears twice", ErrCorruptArchive, p, h.Name)
		}
		a.at[h.Name] = [2]int64{off, h.Size}
		a.names = append(a.names, h.Name)
	}
	return a, nil
}

func (a *archive) close() {
	if a.f != nil {
		a.f.Close()
	}
}

// open returns the contents of member name.
func (a *archive) open(name string) (io.ReadCloser, error) {
	if a.f == nil {
		if !fs.ValidPath(name) {
			return nil, fmt.Errorf("%w: member name %q", ErrCorruptArchive, name)
		}
		f, err := os.Open(filepath.Join(a.path, filepath.FromSlash(name)))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: member %s is missing", ErrCorruptArchive, name)
		}
		if err != nil {
			return nil, fmt.Errorf("share: release %s: %w", a.path, err)
		}
		return f, nil
	}
	at, ok := a.at[name]
	if !ok {
		return nil, fmt.Errorf("%w: member %s is missing", ErrCorruptArchive, name)
	}
	return io.NopCloser(io.NewSectionReader(a.f, at[0], at[1])), nil
}

// readMember returns the contents of a small member.
func (a *archive) readMember(name string) ([]byte, error) {
	r, err := a.open(name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%w: member %s: %w", ErrCorruptArchive, name, err)
	}
	return b, nil
}

// manifest reads and checks the manifest.
func (a *archive) manifest() (*Manifest, error) {
	b, err := a.readMember(manifestName)
	if err != nil {
		return nil, err
	}
	sum, err := a.readMember(manifestSumName)
	if err != nil {
		return nil, err
	}
	return decodeManifest(b, sum)
}

// packTar writes the members of the directory dir, manifest first and
// then in the manifest's order, into the tar file out.
func packTar(dir, out string, m *Manifest) (err error) {
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("share: export: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("share: export: %w", cerr)
		}
		if err != nil {
			os.Remove(out)
		}
	}()
	tw := tar.NewWriter(f)
	names := []string{manifestName, manifestSumName}
	for _, mem := range m.Members {
		names = append(names, mem.Name)
	}
	for _, name := range names {
		if err := addFile(tw, filepath.Join(dir, filepath.FromSlash(name)), name, m.Created); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("share: export: %w", err)
	}
	return nil
}

func addFile(tw *tar.Writer, src, name string, mtime time.Time) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("share: export: %w", err)
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return fmt.Errorf("share: export: %w", err)
	}
	h := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: st.Size(), Mode: 0o644, ModTime: mtime.UTC().Truncate(time.Second), Format: tar.FormatPAX}
	if err := tw.WriteHeader(h); err != nil {
		return fmt.Errorf("share: export: %s: %w", name, err)
	}
	if _, err := io.Copy(tw, in); err != nil {
		return fmt.Errorf("share: export: %s: %w", name, err)
	}
	return nil
}

// memberName is the member of the rows of the i-th table, or of an
// object of a store.
func rowsMember(i int) string { return path.Join("rows", fmt.Sprintf("%05d.bin.zst", i)) }

func objectMember(store, hash string) string {
	return path.Join("objects", strings.ReplaceAll(store, "/", "_"), hash)
}
