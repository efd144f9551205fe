package dj

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The types below hold the database password or object-store credentials
// (Config, and through it Conn, Tx and Schema). fmt would print their
// fields for %v, %+v, %#v and the other verbs, so each formats itself
// from a description that leaves the secrets out.

// formatRedacted writes a description of a value of type typ for verb:
// plain for %v and %s (and %q, %x, %X of it), plus for %+v and goSyntax for
// %#v. Other verbs print as fmt prints a verb that does not apply.
func formatRedacted(f fmt.State, verb rune, typ, plain, plus, goSyntax string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, goSyntax)
	case verb == 'v' && f.Flag('+'):
		io.WriteString(f, plus)
	case verb == 'v' || verb == 's' || verb == 'q' || verb == 'x' || verb == 'X':
		fmt.Fprintf(f, fmt.FormatString(f, verb), plain)
	default:
		fmt.Fprintf(f, "%%!%c(%s=%s)", verb, typ, plain)
	}
}

const redactedSecret = "****"

// redact is how a secret is shown: "****", or "" when there is none.
func redact(secret string) string {
	if secret == "" {
		return ""
	}
	return redactedSecret
}

// Format prints the configuration in every verb without the password or
// the stores' settings (which hold credentials): %v and %s as String,
// %+v with the field names, %#v as Go syntax with the secrets replaced.
func (c Config) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, "dj.Config", c.String(), c.fields(false), c.GoString())
}

// GoString is Go syntax for the configuration with the password and the
// stores' settings replaced.
func (c Config) GoString() string { return "dj.Config" + c.fields(true) }

// fields lists the configuration's fields in braces; goSyntax quotes the
// strings as %#v does.
func (c Config) fields(goSyntax bool) string {
	str := func(s string) string {
		if goSyntax {
			return strconv.Quote(s)
		}
		return s
	}
	dur := func(d time.Duration) string {
		if goSyntax {
			return strconv.FormatInt(int64(d), 10)
		}
		return d.String()
	}
	sep := " "
	if goSyntax {
		sep = ", "
	}
	names := make([]string, 0, len(c.Stores))
	for n := range c.Stores {
		names = append(names, str(n))
	}
	sort.Strings(names)
	replicas := make([]string, len(c.Replicas))
	for i, r := range c.Replicas {
		replicas[i] = str(r)
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, kv := range [][2]string{
		{"Host", str(c.Host)},
		{"Port", strconv.Itoa(c.Port)},
		{"User", str(c.User)},
		{"Password", str(redact(c.Password))},
		{"TLS", str(string(c.TLS))},
		{"TLSConfig", present(c.TLSConfig != nil)},
		{"Dial", present(c.Dial != nil)},
		{"MaxOpenConns", strconv.Itoa(c.MaxOpenConns)},
		{"Logger", present(c.Logger != nil)},
		{"Stores", "[" + strings.Join(names, sep) + "]"},
		{"StoreTransfers", strconv.Itoa(c.StoreTransfers)},
		{"Cache", str(c.Cache)},
		{"MaxBlobSize", strconv.FormatInt(c.MaxBlobSize, 10)},
		{"Replicas", "[" + strings.Join(replicas, sep) + "]"},
		{"ReplicaUser", str(c.ReplicaUser)},
		{"ReplicaPassword", str(redact(c.ReplicaPassword))},
		{"ReplicaMaxLag", dur(c.ReplicaMaxLag)},
		{"ReplicaCheckInterval", dur(c.ReplicaCheckInterval)},
		{"ReadOnly", strconv.FormatBool(c.ReadOnly)},
	} {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(kv[0])
		b.WriteByte(':')
		b.WriteString(kv[1])
	}
	b.WriteByte('}')
	return b.String()
}

// MarshalJSON encodes the configuration without its secrets, so that a
// Config inside a value logged as JSON does not carry them: the password
// becomes "****", stores are listed by name and TLSConfig and Logger are
// left out.
func (c Config) MarshalJSON() ([]byte, error) {
	names := make([]string, 0, len(c.Stores))
	for n := range c.Stores {
		names = append(names, n)
	}
	sort.Strings(names)
	return json.Marshal(struct {
		Host                 string
		Port                 int
		User                 string
		Password             string
		TLS                  TLSMode
		MaxOpenConns         int
		Stores               []string
		StoreTransfers       int
		Cache                string
		MaxBlobSize          int64
		Replicas             []string      `json:",omitempty"`
		ReplicaUser          string        `json:",omitempty"`
		ReplicaPassword      string        `json:",omitempty"`
		ReplicaMaxLag        time.Duration `json:",omitempty"`
		ReplicaCheckInterval time.Duration `json:",omitempty"`
		ReadOnly             bool          `json:",omitempty"`
	}{c.Host, c.Port, c.User, redact(c.Password), c.TLS, c.MaxOpenConns, names, c.StoreTransfers, c.Cache, c.MaxBlobSize,
		c.Replicas, c.ReplicaUser, redact(c.ReplicaPassword), c.ReplicaMaxLag, c.ReplicaCheckInterval, c.ReadOnly})
}

func present(set bool) string {
	if set {
		return "set"
	}
	return "nil"
}

// describe names the server of a connection for String and logs.
func (c *Conn) describe() string {
	if c.offline {
		return "offline"
	}
	return c.cfg.String()
}

// String describes the connection by its user and server, without the
// password.
func (c *Conn) String() string {
	if c == nil {
		return "<nil>"
	}
	return "dj.Conn(" + c.describe() + ")"
}

// GoString is like String: a Conn's fields hold credentials.
func (c *Conn) GoString() string {
	if c == nil {
		return "(*dj.Conn)(nil)"
	}
	return "&dj.Conn{" + strconv.Quote(c.describe()) + "}"
}

// Format prints the connection in every verb without its credentials.
func (c *Conn) Format(f fmt.State, verb rune) {
	s := c.String()
	formatRedacted(f, verb, "*dj.Conn", s, s, c.GoString())
}

// LogValue keeps credentials out of structured logs.
func (c *Conn) LogValue() slog.Value { return slog.StringValue(c.String()) }

// String names the transaction's connection, without credentials.
func (t *Tx) String() string {
	if t == nil {
		return "<nil>"
	}
	return "dj.Tx(" + t.conn.describe() + ")"
}

// GoString is like String.
func (t *Tx) GoString() string {
	if t == nil {
		return "(*dj.Tx)(nil)"
	}
	return "&dj.Tx{" + strconv.Quote(t.conn.describe()) + "}"
}

// Format prints the transaction in every verb without credentials.
func (t *Tx) Format(f fmt.State, verb rune) {
	s := t.String()
	formatRedacted(f, verb, "*dj.Tx", s, s, t.GoString())
}

// LogValue keeps credentials out of structured logs.
func (t *Tx) LogValue() slog.Value { return slog.StringValue(t.String()) }

// String names the schema and its connection, without credentials.
func (s *Schema) String() string {
	if s == nil {
		return "<nil>"
	}
	return "dj.Schema(" + s.name + " on " + s.conn.describe() + ")"
}

// GoString is like String.
func (s *Schema) GoString() string {
	if s == nil {
		return "(*dj.Schema)(nil)"
	}
	return "&dj.Schema{" + strconv.Quote(s.name) + ", " + strconv.Quote(s.conn.describe()) + "}"
}

// Format prints the schema in every verb without credentials.
func (s *Schema) Format(f fmt.State, verb rune) {
	str := s.String()
	formatRedacted(f, verb, "*dj.Schema", str, str, s.GoString())
}

// LogValue keeps credentials out of structured logs.
func (s *Schema) LogValue() slog.Value { return slog.StringValue(s.String()) }
