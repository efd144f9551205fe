package external

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseStores(t *testing.T) {
	raw := `{
	  "raw": {"protocol": "file", "location": "/data/raw", "stage": "/stage"},
	  "shared": {"Protocol": "S3", "ENDPOINT": "s3.example.org:9000", "bucket": "lab",
	             "access_key": "ak", "secret_key": "sk", "location": "dj", "secure": true,
	             "subfolding": [1, 3]},
	  "flat": {"protocol": "file", "location": "/f", "subfolding": null}
	}`
	stores, err := ParseStores([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	r := stores["raw"]
	if r.Name != "raw" || r.Protocol != "file" || r.Location != "/data/raw" || r.Stage != "/stage" ||
		r.Subfolding != nil || !slices.Equal(r.Folds(), []int{2, 2}) {
		t.Errorf("raw = %+v", r)
	}
	s := stores["shared"]
	if s.Protocol != "s3" || s.Endpoint != "s3.example.org:9000" || !s.Secure || !slices.Equal(s.Folds(), []int{1, 3}) {
		t.Errorf("shared = %+v", s)
	}
	if strings.Contains(s.String(), "sk") {
		t.Errorf("String() shows the secret: %s", s)
	}
	if f := stores["flat"]; f.Subfolding == nil || len(f.Folds()) != 0 {
		t.Errorf("flat = %+v", f)
	}
}

func TestParseStoresErrors(t *testing.T) {
	cases := []struct{ name, raw, want string }{
		{"not json", `{`, "stores"},
		{"bad name", `{"Raw": {"protocol": "file", "location": "/x"}}`, "store name"},
		{"name digit", `{"1raw": {"protocol": "file", "location": "/x"}}`, "store name"},
		{"no protocol", `{"raw": {"location": "/x"}}`, "protocol"},
		{"bad protocol", `{"raw": {"protocol": "gcs", "location": "/x"}}`, "gcs"},
		{"unknown key", `{"raw": {"protocol": "file", "location": "/x", "colour": 1}}`, "unknown key(s) colour"},
		{"s3 key on file", `{"raw": {"protocol": "file", "location": "/x", "bucket": "b"}}`, "unknown key(s) bucket"},
		{"missing s3 keys", `{"s": {"protocol": "s3", "location": "", "endpoint": "e:1"}}`, "requires bucket, access_key, secret_key"},
		{"file no location", `{"raw": {"protocol": "file"}}`, "requires location"},
		{"file empty location", `{"raw": {"protocol": "file", "location": ""}}`, "location"},
		{"scheme", `{"s": {"protocol": "s3", "location": "", "endpoint": "http://e:1", "bucket": "b", "access_key": "a", "secret_key": "k"}}`, "without a scheme"},
		{"bad subfolding", `{"raw": {"protocol": "file", "location": "/x", "subfolding": [2, 0]}}`, "subfolding"},
		{"long subfolding", `{"raw": {"protocol": "file", "location": "/x", "subfolding": [20, 20]}}`, "32 hex"},
		{"subfolding type", `{"raw": {"protocol": "file", "location": "/x", "subfolding": "2,2"}}`, "subfolding"},
		{"secure type", `{"s": {"protocol": "s3", "location": "", "endpoint": "e:1", "bucket": "b", "access_key": "a", "secret_key": "k", "secure": "yes"}}`, "secure"},
		{"duplicate key", `{"raw": {"protocol": "file", "location": "/x", "LOCATION": "/y"}}`, "twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseStores([]byte(c.raw))
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrConfig) {
				t.Errorf("%v does not match ErrConfig", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := Open(StoreConfig{Name: "raw", Protocol: ProtocolFile, Location: t.TempDir() + "/missing"})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing location: %v", err)
	}
	_, err = Open(StoreConfig{Name: "Raw", Protocol: ProtocolFile, Location: t.TempDir()})
	if !errors.Is(err, ErrConfig) {
		t.Errorf("bad name: %v", err)
	}
}

func TestStoreConfigJSON(t *testing.T) {
	for _, c := range []StoreConfig{
		{Name: "a", Protocol: ProtocolFile, Location: "/x", Stage: "/s"},
		{Name: "a", Protocol: ProtocolFile, Location: "/x", Subfolding: []int{}},
		{Name: "a", Protocol: ProtocolS3, Location: "", Endpoint: "e:1", Bucket: "b", AccessKey: "k",
			SecretKey: "s", Secure: true, Subfolding: []int{3}, ProxyServer: "p:3128", Cache: "/c"},
	} {
		raw, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseStore(c.Name, raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if !reflect.DeepEqual(back, c) {
			t.Errorf("%s read back as %+v, want %+v", raw, back, c)
		}
	}
}
