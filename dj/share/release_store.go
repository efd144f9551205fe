package share

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/datajoint-go/datajoint/dj/external"
)

// manifestSuffix ends the key of the copy of a published release's
// manifest, beside the archive: "<key>.manifest.json".
const manifestSuffix = ".manifest.json"

// PublishRelease copies the release archive file at file (a .tar written
// by Export) to key in the object store st, with a copy of its manifest
// beside it (key + ".manifest.json") from which StoreReleases lists the
// release without downloading it. The archive is checked first (see
// Verify) and uploaded before the manifest, so a listed release is
// complete. Releases written as directories are refused: publish their
// .tar form.
func PublishRelease(ctx context.Context, st external.Store, file, key string) (*Manifest, error) {
	if !isTarPath(file) || !isTarPath(key) {
		return nil, fmt.Errorf("share: publish %s as %s: only .tar archives are published", file, key)
	}
	m, err := Verify(file)
	if err != nil {
		return nil, err
	}
	b, _, err := encodeManifest(m)
	if err != nil {
		return nil, err
	}
	if err := st.PutFile(ctx, key, file, nil); err != nil {
		return nil, fmt.Errorf("share: publish %s: %w", key, err)
	}
	if err := st.Put(ctx, key+manifestSuffix, b); err != nil {
		return nil, fmt.Errorf("share: publish %s: %w", key, err)
	}
	return m, nil
}

// StoreReleases lists the releases published under prefix in st (see
// PublishRelease), oldest first, reading only their manifests. A release
// whose manifest cannot be read is listed with the problem. Path is the
// archive's key.
func StoreReleases(ctx context.Context, st external.Store, prefix string) ([]Release, error) {
	sizes := map[string]int64{}
	var manifests []string
	for info, err := range st.List(ctx, prefix) {
		if err != nil {
			return nil, fmt.Errorf("share: releases in %s: %w", st.Name(), err)
		}
		switch {
		case strings.HasSuffix(info.Key, ".tar"+manifestSuffix):
			manifests = append(manifests, info.Key)
		case isTarPath(info.Key):
			sizes[info.Key] = info.Size
		}
	}
	var out []Release
	for _, mk := range manifests {
		key := strings.TrimSuffix(mk, manifestSuffix)
		size, ok := sizes[key]
		if !ok {
			continue // a manifest left behind by a deleted archive
		}
		r := Release{Path: key, Size: size}
		b, err := st.Get(ctx, mk)
		if err == nil {
			var m *Manifest
			if m, err = parseManifest(b); err == nil {
				r = releaseOf(m, key, size)
			}
		}
		if err != nil {
			r.Problem = err.Error()
		}
		out = append(out, r)
	}
	sortReleases(out)
	return out, nil
}

// FetchRelease downloads the release with the version published under
// prefix in st into the directory dir and returns the local path of the
// archive, for Import (which verifies it). No such release is an error
// matching fs.ErrNotExist; several are an error too.
func FetchRelease(ctx context.Context, st external.Store, prefix, version, dir string) (string, error) {
	list, err := StoreReleases(ctx, st, prefix)
	if err != nil {
		return "", err
	}
	key, err := pickRelease(list, version, "under "+st.Name()+":"+prefix)
	if err != nil {
		return "", err
	}
	local := filepath.Join(dir, path.Base(key))
	if err := st.GetFile(ctx, key, local); err != nil {
		return "", fmt.Errorf("share: fetch %s: %w", key, err)
	}
	return local, nil
}

// sortReleases orders releases by creation time, then version.
func sortReleases(list []Release) {
	slices.SortStableFunc(list, func(a, b Release) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.Version, b.Version)
	})
}
