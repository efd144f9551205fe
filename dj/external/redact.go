package external

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
)

// redacted replaces a secret in printed and logged values.
const redacted = "[redacted]"

func redact(secret string) string {
	if secret == "" {
		return ""
	}
	return redacted
}

// fields writes the configuration as %+v would, with the secret key
// redacted; goSyntax quotes strings and names the type as %#v would.
func (c StoreConfig) fields(goSyntax bool) string {
	var parts []string
	str := func(name, v string) {
		if goSyntax {
			v = strconv.Quote(v)
		}
		parts = append(parts, name+":"+v)
	}
	str("Name", c.Name)
	str("Protocol", c.Protocol)
	str("Location", c.Location)
	str("Endpoint", c.Endpoint)
	str("Bucket", c.Bucket)
	str("AccessKey", c.AccessKey)
	str("SecretKey", redact(c.SecretKey))
	parts = append(parts, fmt.Sprintf("Secure:%t", c.Secure))
	if goSyntax {
		parts = append(parts, fmt.Sprintf("Subfolding:%#v", c.Subfolding))
	} else {
		parts = append(parts, fmt.Sprintf("Subfolding:%v", c.Subfolding))
	}
	str("Stage", c.Stage)
	str("ProxyServer", c.ProxyServer)
	str("Cache", c.Cache)
	if goSyntax {
		return "external.StoreConfig{" + strings.Join(parts, ", ") + "}"
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// GoString is %#v: the fields as Go syntax, with the secret key redacted.
func (c StoreConfig) GoString() string { return c.fields(true) }

// Format prints the configuration for every verb without its secret key:
// %v and %s give String, %+v the fields, %#v GoString, %q the quoted
// String; other verbs report a bad verb around String.
func (c StoreConfig) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, "external.StoreConfig", c.String(), c.fields(false), c.GoString())
}

// LogValue logs the configuration as a group with the secret key
// redacted.
func (c StoreConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", c.Name),
		slog.String("protocol", c.Protocol),
		slog.String("location", c.Location),
		slog.String("endpoint", c.Endpoint),
		slog.String("bucket", c.Bucket),
		slog.String("access_key", c.AccessKey),
		slog.String("secret_key", redact(c.SecretKey)),
		slog.Bool("secure", c.Secure),
		slog.String("stage", c.Stage),
		slog.String("cache", c.Cache),
	)
}

func formatRedacted(f fmt.State, verb rune, typ, str, plus, gosyntax string) {
	switch verb {
	case 'v':
		switch {
		case f.Flag('#'):
			io.WriteString(f, gosyntax)
		case f.Flag('+'):
			io.WriteString(f, plus)
		default:
			io.WriteString(f, str)
		}
	case 's':
		io.WriteString(f, str)
	case 'q':
		io.WriteString(f, strconv.Quote(str))
	default:
		fmt.Fprintf(f, "%%!%c(%s=%s)", verb, typ, str)
	}
}

// String names the S3 store and its configuration, without the secret key.
func (s *s3Store) String() string { return "s3 store " + s.cfg.String() }

// GoString is %#v, without the secret key.
func (s *s3Store) GoString() string { return "&external.s3Store{cfg:" + s.cfg.GoString() + "}" }

// Format prints the store for every verb without its secret key.
func (s *s3Store) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, "*external.s3Store", s.String(), "&{cfg:"+s.cfg.fields(false)+"}", s.GoString())
}

// LogValue logs the store's configuration with the secret key redacted.
func (s *s3Store) LogValue() slog.Value { return s.cfg.LogValue() }
