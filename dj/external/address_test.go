package external

import (
	"testing"
)

// Digests computed outside Go (md5sum) for the inputs named.
const (
	md5Hello      = "5d41402abc4b2a76b9719d911017c592" // "hello"
	md5AttachNote = "8a7be28e0003e25ac344fb88e10b571a" // "notes.txt\x00hello world"
	md5RelPath    = "3dbb1822a85f9e34297f52f6a0ff202f" // "session1/raw/data.bin"
)

func TestHashes(t *testing.T) {
	cases := []struct {
		name string
		got  Hash
		want string
	}{
		{"blob", BlobHash([]byte("hello")), md5Hello},
		{"contents", ContentsHash([]byte("hello")), md5Hello},
		{"attach", AttachHash("notes.txt", []byte("hello world")), md5AttachNote},
		{"filepath", FilepathHash("session1/raw/data.bin"), md5RelPath},
	}
	for _, c := range cases {
		if c.got.Hex() != c.want {
			t.Errorf("%s: got %s, want %s", c.name, c.got.Hex(), c.want)
		}
	}
	h := BlobHash([]byte("hello"))
	if s := h.String(); s != "5d41402a-bc4b-2a76-b971-9d911017c592" {
		t.Errorf("String() = %s", s)
	}
	for _, s := range []string{md5Hello, h.String(), "5D41402ABC4B2A76B9719D911017C592"} {
		p, err := ParseHash(s)
		if err != nil || p != h {
			t.Errorf("ParseHash(%q) = %v, %v", s, p, err)
		}
	}
	for _, s := range []string{"", "5d41", md5Hello + "00", "zz41402abc4b2a76b9719d911017c592"} {
		if _, err := ParseHash(s); err == nil {
			t.Errorf("ParseHash(%q) accepted", s)
		}
	}
}

func TestFileHashes(t *testing.T) {
	name := writeTemp(t, "hello world")
	h, n, err := FileContentsHash(name)
	if err != nil || n != 11 || h != ContentsHash([]byte("hello world")) {
		t.Errorf("FileContentsHash = %s, %d, %v", h.Hex(), n, err)
	}
	h, n, err = AttachFileHash(name, "notes.txt")
	if err != nil || n != 11 || h.Hex() != md5AttachNote {
		t.Errorf("AttachFileHash = %s, %d, %v", h.Hex(), n, err)
	}
	if _, _, err := FileContentsHash(name + ".missing"); err == nil {
		t.Error("missing file hashed")
	}
}

func TestSubfold(t *testing.T) {
	cases := []struct {
		name  string
		folds []int
		want  []string
	}{
		{"ABCDEF", []int{2, 2}, []string{"ab", "cd"}},
		{"abcdef", []int{1, 3}, []string{"a", "bcd"}},
		{"abcdef", nil, []string{}},
		{"abc", []int{2, 2}, []string{"ab", "c"}},
	}
	for _, c := range cases {
		got := Subfold(c.name, c.folds)
		if len(got) != len(c.want) {
			t.Errorf("Subfold(%q, %v) = %q, want %q", c.name, c.folds, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("Subfold(%q, %v) = %q, want %q", c.name, c.folds, got, c.want)
			}
		}
	}
}

func TestPaths(t *testing.T) {
	h := BlobHash([]byte("hello"))
	x := md5Hello
	fileCfg := StoreConfig{Name: "raw", Protocol: ProtocolFile, Location: "/data/dj/"}
	s3Cfg := func(loc string) StoreConfig {
		return StoreConfig{Name: "s", Protocol: ProtocolS3, Location: loc, Endpoint: "e:9000",
			Bucket: "b", AccessKey: "a", SecretKey: "k"}
	}
	cases := []struct{ name, got, want string }{
		{"blob key", BlobKey("lab_ephys", h, DefaultSubfolding), "lab_ephys/5d/41/" + x},
		{"blob key flat", BlobKey("lab_ephys", h, nil), "lab_ephys/" + x},
		{"blob key 1,1,1", BlobKey("db", h, []int{1, 1, 1}), "db/5/d/4/" + x},
		{"attach key", AttachKey("db", h, "a.txt", DefaultSubfolding), "db/5d/41/" + x + ".a.txt"},
		{"filepath key", FilepathKey("./sess//a/b.dat"), "sess/a/b.dat"},
		{"cache key", CacheKey(h), "5d/41/" + x},
		{"file blob", fileCfg.BlobPath("db", h), "/data/dj/db/5d/41/" + x},
		{"file attach", fileCfg.AttachPath("db", h, "n.txt"), "/data/dj/db/5d/41/" + x + ".n.txt"},
		{"file filepath", fileCfg.FilepathPath("s1/raw.bin"), "/data/dj/s1/raw.bin"},
		{"file flat", StoreConfig{Protocol: ProtocolFile, Location: "rel", Subfolding: []int{}}.BlobPath("db", h), "rel/db/" + x},
		// Values printed by DataJoint 0.14's rule on Python 3.11.
		{"s3 relative", s3Cfg("dj/store").BlobPath("db", h), "dj/store/db/5d/41/" + x},
		{"s3 drive", s3Cfg(`C:\data\dj`).BlobPath("db", h), "data/dj/db/5d/41/" + x},
		{"s3 root backslash", s3Cfg(`\data\dj`).BlobPath("db", h), "data/dj/db/5d/41/" + x},
		{"s3 absolute", s3Cfg("/abs/store").BlobPath("db", h), "abs/store/db/5d/41/" + x},
		{"s3 empty", s3Cfg("").BlobPath("db", h), "db/5d/41/" + x},
		{"s3 backslash inside", s3Cfg(`a\b`).BlobPath("db", h), "a/b/db/5d/41/" + x},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestValidKey(t *testing.T) {
	for _, k := range []string{"", "/abs", "a/../b", ".."} {
		if validKey(k) == nil {
			t.Errorf("validKey(%q) accepted", k)
		}
	}
	if err := validKey("db/ab/cd/x"); err != nil {
		t.Error(err)
	}
}

func TestCheckFilepath(t *testing.T) {
	for _, ok := range []string{"a", "session1/raw.dat", "a/b/c.d", "a..b/c", "..a/b", "run:1/z", "a/./b"} {
		if err := CheckFilepath(ok); err != nil {
			t.Errorf("CheckFilepath(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "./", "..", "../x", "a/../../x", "a/..", "/etc/passwd", `a\b`, `..\x`,
		"C:/x", "c:x", "Z:", "x:y/z", "a\x00b"} {
		if err := CheckFilepath(bad); err == nil {
			t.Errorf("CheckFilepath(%q) = nil, want an error", bad)
		}
	}
}

func TestValidKeyRefusesNUL(t *testing.T) {
	if err := validKey("db/ab/cd/x\x00y"); err == nil {
		t.Fatal("a key with NUL is accepted")
	}
}
