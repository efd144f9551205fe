package external

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Protocols a store can use.
const (
	ProtocolFile = "file"
	ProtocolS3   = "s3"
)

// DefaultSubfolding is DataJoint's default subfolding: two directory levels
// of two hex digits each.
var DefaultSubfolding = []int{2, 2}

// StoreConfig is one entry of DataJoint's "stores" configuration. Its JSON
// keys (ParseStore, MarshalJSON) are DataJoint 0.14's: protocol, location,
// endpoint, bucket, access_key, secret_key, secure, subfolding, stage and
// proxy_server; cache is an addition of this package.
type StoreConfig struct {
	// Name is the store name used in attribute types (blob@name). It is
	// the key of the entry in the "stores" object.
	Name string
	// Protocol is "file" or "s3".
	Protocol string
	// Location is the root directory (file) or key prefix (s3).
	Location string
	// Endpoint is the S3 server as host:port, without a scheme.
	Endpoint string
	// Bucket is the S3 bucket, which must exist.
	Bucket string
	// AccessKey and SecretKey are the S3 credentials.
	AccessKey string
	SecretKey string
	// Secure selects HTTPS for S3; the default is HTTP, as in DataJoint 0.14.
	Secure bool
	// Subfolding lists the number of hex digits of each directory level of
	// blob and attach paths. Nil means DefaultSubfolding (2, 2); an empty,
	// non-nil slice means a flat layout (JSON null or []).
	Subfolding []int
	// Stage is the local directory that filepath@store values are relative to.
	Stage string
	// ProxyServer is an HTTP proxy for S3 requests (host:port or URL).
	ProxyServer string
	// Cache is a local directory used as a read-through cache of blobs.
	Cache string
}

var storeNameRE = regexp.MustCompile(`^[a-z][\-\w]*$`)

var (
	requiredKeys = map[string][]string{
		ProtocolFile: {"protocol", "location"},
		ProtocolS3:   {"protocol", "endpoint", "bucket", "access_key", "secret_key", "location"},
	}
	optionalKeys = map[string][]string{
		ProtocolFile: {"subfolding", "stage", "cache"},
		ProtocolS3:   {"subfolding", "stage", "secure", "proxy_server", "cache"},
	}
)

// Folds returns the subfolding in effect: DefaultSubfolding when Subfolding
// is nil.
func (c StoreConfig) Folds() []int {
	if c.Subfolding == nil {
		return DefaultSubfolding
	}
	return c.Subfolding
}

// Validate checks the name, the protocol, the keys the protocol requires
// and the subfolding. It does no I/O. Errors match ErrConfig.
func (c StoreConfig) Validate() error {
	if !storeNameRE.MatchString(c.Name) {
		return configError(c.Name, "store name %q must match [a-z][-\\w]*", c.Name)
	}
	set := map[string]bool{"protocol": c.Protocol != "", "location": true,
		"endpoint": c.Endpoint != "", "bucket": c.Bucket != "",
		"access_key": c.AccessKey != "", "secret_key": c.SecretKey != ""}
	req, ok := requiredKeys[c.Protocol]
	if !ok {
		return configError(c.Name, "protocol %q is not one of %q, %q", c.Protocol, ProtocolFile, ProtocolS3)
	}
	var missing []string
	for _, k := range req {
		if !set[k] {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return configError(c.Name, "protocol %s requires %s", c.Protocol, strings.Join(missing, ", "))
	}
	if c.Protocol == ProtocolFile && c.Location == "" {
		return configError(c.Name, "protocol file requires a location directory")
	}
	if c.Protocol == ProtocolFile && (c.Endpoint != "" || c.Bucket != "" || c.AccessKey != "" ||
		c.SecretKey != "" || c.Secure || c.ProxyServer != "") {
		return configError(c.Name, "protocol file takes none of endpoint, bucket, access_key, secret_key, secure, proxy_server")
	}
	if c.Protocol == ProtocolS3 && strings.Contains(c.Endpoint, "://") {
		return configError(c.Name, "endpoint %q must be host:port without a scheme (use secure for HTTPS)", c.Endpoint)
	}
	total := 0
	for _, n := range c.Subfolding {
		if n <= 0 {
			return configError(c.Name, "subfolding %v: every level needs at least one character", c.Subfolding)
		}
		total += n
	}
	if total > 32 {
		return configError(c.Name, "subfolding %v uses %d of the 32 hex digits", c.Subfolding, total)
	}
	return nil
}

// ParseStores reads the "stores" object of dj_local_conf.json: a JSON
// object from store name to its settings. Keys are matched
// case-insensitively; unknown keys, keys the protocol does not take and
// missing required keys are errors that match ErrConfig. Every entry is
// validated.
func ParseStores(raw []byte) (map[string]StoreConfig, error) {
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, configError("", "stores: %v", err)
	}
	out := make(map[string]StoreConfig, len(entries))
	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c, err := ParseStore(name, entries[name])
		if err != nil {
			return nil, err
		}
		out[name] = c
	}
	return out, nil
}

// ParseStore reads the JSON settings of one store (see ParseStores).
func ParseStore(name string, raw []byte) (StoreConfig, error) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&fields); err != nil {
		return StoreConfig{}, configError(name, "settings must be a JSON object: %v", err)
	}
	if fields == nil {
		return StoreConfig{}, configError(name, "settings must be a JSON object, not null")
	}
	lower := make(map[string]json.RawMessage, len(fields))
	for k, v := range fields {
		lk := strings.ToLower(k)
		if _, dup := lower[lk]; dup {
			return StoreConfig{}, configError(name, "key %q given twice", lk)
		}
		lower[lk] = v
	}
	c := StoreConfig{Name: name}
	if p, ok := lower["protocol"]; ok {
		if err := json.Unmarshal(p, &c.Protocol); err != nil {
			return c, configError(name, "protocol: %v", err)
		}
		c.Protocol = strings.ToLower(c.Protocol)
	}
	req, ok := requiredKeys[c.Protocol]
	if !ok {
		return c, configError(name, "protocol %q is not one of %q, %q", c.Protocol, ProtocolFile, ProtocolS3)
	}
	allowed := map[string]bool{}
	for _, k := range append(append([]string{}, req...), optionalKeys[c.Protocol]...) {
		allowed[k] = true
	}
	var unknown, missing []string
	for k := range lower {
		if !allowed[k] {
			unknown = append(unknown, k)
		}
	}
	for _, k := range req {
		if _, ok := lower[k]; !ok {
			missing = append(missing, k)
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		valid := append(append([]string{}, req...), optionalKeys[c.Protocol]...)
		return c, configError(name, "unknown key(s) %s for protocol %s; valid keys: %s",
			strings.Join(unknown, ", "), c.Protocol, strings.Join(valid, ", "))
	}
	if len(missing) > 0 {
		return c, configError(name, "protocol %s requires %s", c.Protocol, strings.Join(missing, ", "))
	}
	str := func(key string, dst *string) error {
		v, ok := lower[key]
		if !ok {
			return nil
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return configError(name, "%s must be a string: %v", key, err)
		}
		return nil
	}
	for key, dst := range map[string]*string{"location": &c.Location, "endpoint": &c.Endpoint,
		"bucket": &c.Bucket, "access_key": &c.AccessKey, "secret_key": &c.SecretKey,
		"stage": &c.Stage, "proxy_server": &c.ProxyServer, "cache": &c.Cache} {
		if err := str(key, dst); err != nil {
			return c, err
		}
	}
	if v, ok := lower["secure"]; ok {
		if err := json.Unmarshal(v, &c.Secure); err != nil {
			return c, configError(name, "secure must be true or false: %v", err)
		}
	}
	if v, ok := lower["subfolding"]; ok {
		var folds []int
		if err := json.Unmarshal(v, &folds); err != nil {
			return c, configError(name, "subfolding must be a list of integers or null: %v", err)
		}
		if folds == nil {
			folds = []int{}
		}
		c.Subfolding = folds
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

// MarshalJSON writes the settings under DataJoint's keys, leaving out
// empty ones; ParseStore reads them back to an equal StoreConfig (Name
// aside, which is the key of the entry).
func (c StoreConfig) MarshalJSON() ([]byte, error) {
	m := map[string]any{"protocol": c.Protocol, "location": c.Location}
	for k, v := range map[string]string{"endpoint": c.Endpoint, "bucket": c.Bucket,
		"access_key": c.AccessKey, "secret_key": c.SecretKey, "stage": c.Stage,
		"proxy_server": c.ProxyServer, "cache": c.Cache} {
		if v != "" {
			m[k] = v
		}
	}
	if c.Secure {
		m["secure"] = true
	}
	if c.Subfolding != nil {
		m["subfolding"] = c.Subfolding
	}
	return json.Marshal(m)
}

// String describes the store without its secret key.
func (c StoreConfig) String() string {
	switch c.Protocol {
	case ProtocolS3:
		scheme := "http"
		if c.Secure {
			scheme = "https"
		}
		return fmt.Sprintf("%s (s3 %s://%s/%s/%s)", c.Name, scheme, c.Endpoint, c.Bucket, c.Location)
	default:
		return fmt.Sprintf("%s (%s %s)", c.Name, c.Protocol, c.Location)
	}
}
