package dj

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/datajoint-go/datajoint/dj/external"
)

// TLSMode selects how the connection uses TLS, after DataJoint's
// database.use_tls setting.
type TLSMode string

// TLS modes.
const (
	TLSPreferred  TLSMode = ""            // use TLS when the server offers it (use_tls = null)
	TLSRequired   TLSMode = "true"        // require TLS and verify the server (use_tls = true)
	TLSDisabled   TLSMode = "false"       // never use TLS (use_tls = false)
	TLSSkipVerify TLSMode = "skip-verify" // require TLS without verifying the certificate
)

// Config holds the connection settings. Host is required: Connect refuses
// a Config without one rather than guess a server. LoadConfig fills one
// from DataJoint's configuration file and environment variables; fields set
// in code after that take precedence over both. An empty User means root.
type Config struct {
	// Host is the server's host name or address, optionally with ":port"
	// (DataJoint's database.host; DJ_HOST).
	Host string
	// Port is used when Host has no port; 0 means 3306 (database.port).
	Port int
	// User and Password authenticate the connection (database.user,
	// database.password; DJ_USER, DJ_PASS). Password never appears in
	// errors, logs or String.
	User     string
	Password string
	// TLS selects the TLS mode (database.use_tls). TLSConfig, when set,
	// overrides it with a custom configuration.
	TLS       TLSMode
	TLSConfig *tls.Config
	// Dial, when set, opens the network connection to a server (the
	// host:port of Host, or of a replica) in place of a TCP dial: through
	// an SSH tunnel or a proxy, or to an engine in the same process.
	Dial func(ctx context.Context, addr string) (net.Conn, error)
	// MaxOpenConns bounds the connection pool; 0 means no limit.
	MaxOpenConns int
	// Logger receives debug, info and warning records; nil discards them.
	// Populate's records and their attributes are listed at LogAttrTable.
	Logger *slog.Logger
	// Tracer, when set, sees every statement the connection sends and,
	// if it implements KeyTracer, every populate key (see Tracer and
	// SlowQueryLog).
	Tracer Tracer
	// Stores configures the object stores of external attributes
	// (blob@name, attach@name, filepath@name) by name: DataJoint's "stores"
	// setting. Conn.SetStore and Conn.UseStore add or replace stores.
	Stores map[string]external.StoreConfig
	// StoreTransfers bounds the concurrent object transfers to one store
	// during one insert or fetch; 0 means DefaultStoreTransfers.
	StoreTransfers int
	// Cache is a local directory used as a read cache of external blobs
	// (DataJoint's "cache" key), laid out <cache>/<aa>/<bb>/<hash>; ""
	// disables it. It is never cleaned.
	Cache string
	// MaxBlobSize bounds, in bytes, the memory one fetched blob may decode
	// into; a larger or hostile blob fails with an error wrapping
	// blob.ErrTooLarge. 0 means blob.DefaultMaxDecodedSize. The MaxBlobSize
	// fetch option overrides it for one fetch.
	MaxBlobSize int64

	// Replicas names read-only replicas of the server, each "host" or
	// "host:port" (the port defaults to Port, else 3306): reads of data
	// outside a transaction go to them, round-robin among the healthy
	// ones, and everything else to the server of Host. See "Read replicas"
	// at Conn. DJ_REPLICAS (comma-separated); database.replicas.
	Replicas []string
	// ReplicaUser and ReplicaPassword authenticate to the replicas; empty
	// means User and Password. The account needs SELECT on the data and the
	// privilege to read the replication status (REPLICA MONITOR on MariaDB
	// 10.5.9 and later, REPLICATION CLIENT on MySQL).
	ReplicaUser     string
	ReplicaPassword string
	// ReplicaMaxLag bounds how far behind the server a replica may be
	// (Seconds_Behind_Master) and still take reads; 0 means
	// DefaultReplicaMaxLag and a negative value no bound.
	// DJ_REPLICA_MAX_LAG; database.replica_max_lag (seconds).
	ReplicaMaxLag time.Duration
	// ReplicaCheckInterval is how long a replica's replication status is
	// trusted before it is read again, and how long a replica that failed
	// is left out before it is tried again; 0 means
	// DefaultReplicaCheckInterval.
	ReplicaCheckInterval time.Duration
	// ReadOnly refuses every write (DataJoint's read-only sessions): a
	// statement that would change data or the schema fails with an error
	// wrapping ErrReadOnly before anything is sent, and every session is
	// also set READ ONLY on the server. DJ_READ_ONLY; database.read_only.
	ReadOnly bool
}

// Defaults of the replica settings (see Config.ReplicaMaxLag and
// Config.ReplicaCheckInterval).
const (
	DefaultReplicaMaxLag        = 10 * time.Second
	DefaultReplicaCheckInterval = 2 * time.Second
)

// errNoHost is the error of connecting with no host configured.
var errNoHost = fmt.Errorf("%w: no database host: set database.host in ./%s or ~/%s, the DJ_HOST environment variable (with DJ_USER, DJ_PASS), or Config.Host", ErrConfig, ConfigFile, GlobalConfigFile)

// Addr returns host:port.
func (c Config) Addr() string {
	host := c.Host
	if host == "" {
		host = "localhost"
	}
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	port := c.Port
	if port == 0 {
		port = 3306
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(port))
}

// String describes the configuration without the password.
func (c Config) String() string {
	user := c.User
	if user == "" {
		user = "root"
	}
	pw := ""
	if c.Password != "" {
		pw = ":****"
	}
	return fmt.Sprintf("%s%s@%s", user, pw, c.Addr())
}

// LogValue keeps the password out of structured logs.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// ConfigFile names DataJoint's local configuration file, read from the
// working directory.
const ConfigFile = "dj_local_conf.json"

// GlobalConfigFile names DataJoint's per-user configuration file, read from
// the home directory when ConfigFile is absent.
const GlobalConfigFile = ".datajoint_config.json"

// LoadConfig builds a Config the way DataJoint for Python does: defaults,
// then the configuration file, then the environment (DJ_HOST, DJ_USER,
// DJ_PASS; DJ_PORT too). An empty path means ./dj_local_conf.json if it
// exists, else ~/.datajoint_config.json if it exists, else no file. A file
// that is named explicitly must exist.
//
// The file uses DataJoint's flat dotted keys: "database.host",
// "database.user", "database.password", "database.port",
// "database.use_tls", plus "stores" (an object from store name to its
// settings, see external.ParseStores) and "cache". Other keys DataJoint
// defines are accepted and ignored here. Keys of this package's own:
// "database.replicas" (a list of "host:port", or one comma-separated
// string), "database.replica_max_lag" (seconds) and "database.read_only"
// (true or false); the environment adds DJ_REPLICAS, DJ_REPLICA_MAX_LAG
// (a duration such as "5s", or seconds) and DJ_READ_ONLY.
func LoadConfig(path string) (Config, error) {
	var cfg Config
	if path == "" {
		for _, p := range defaultConfigPaths() {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("%w: %w", ErrConfig, err)
		}
		if err := cfg.applyFile(data); err != nil {
			return cfg, fmt.Errorf("%w: %s: %w", ErrConfig, path, err)
		}
	}
	if err := cfg.applyEnv(os.LookupEnv); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func defaultConfigPaths() []string {
	out := []string{ConfigFile}
	if home, err := os.UserHomeDir(); err == nil {
		out = append(out, filepath.Join(home, GlobalConfigFile))
	}
	return out
}

// applyFile reads DataJoint's JSON configuration.
func (c *Config) applyFile(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	// DataJoint writes flat dotted keys; accept a nested "database" object too.
	if db, ok := raw["database"].(map[string]any); ok {
		for k, v := range db {
			raw["database."+k] = v
		}
	}
	str := func(key string) (string, bool, error) {
		v, ok := raw[key]
		if !ok || v == nil {
			return "", false, nil
		}
		switch x := v.(type) {
		case string:
			return x, true, nil
		case json.Number:
			return x.String(), true, nil
		}
		return "", false, fmt.Errorf("%s: want a string, got %T", key, v)
	}
	if v, ok, err := str("database.host"); err != nil {
		return err
	} else if ok {
		c.Host = v
	}
	if v, ok, err := str("database.user"); err != nil {
		return err
	} else if ok {
		c.User = v
	}
	if v, ok, err := str("database.password"); err != nil {
		return err
	} else if ok {
		c.Password = v
	}
	if v, ok, err := str("database.port"); err != nil {
		return err
	} else if ok {
		p, err := strconv.Atoi(v)
		if err != nil || p <= 0 || p > 65535 {
			return fmt.Errorf("database.port: invalid port %q", v)
		}
		c.Port = p
	}
	if v, ok := raw["stores"]; ok && v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("stores: %w", err)
		}
		stores, err := external.ParseStores(b)
		if err != nil {
			return err
		}
		c.Stores = stores
	}
	if v, ok, err := str("cache"); err != nil {
		return err
	} else if ok {
		c.Cache = v
	}
	if err := c.applyFileReplicas(raw); err != nil {
		return err
	}
	if v, ok := raw["database.use_tls"]; ok {
		switch x := v.(type) {
		case nil:
			c.TLS = TLSPreferred
		case bool:
			if x {
				c.TLS = TLSRequired
			} else {
				c.TLS = TLSDisabled
			}
		case map[string]any:
			// pymysql ssl options: a dict means "use TLS"; certificates are
			// configured in Go through Config.TLSConfig.
			c.TLS = TLSRequired
		default:
			return fmt.Errorf("database.use_tls: want true, false, null or an object, got %v", v)
		}
	}
	return nil
}

// applyEnv reads DJ_HOST, DJ_USER, DJ_PASS, DJ_PORT, DJ_USE_TLS, and
// DJ_REPLICAS, DJ_REPLICA_MAX_LAG and DJ_READ_ONLY through
// lookup (os.LookupEnv in production). A DJ_PASS that is set but empty
// means "no password".
func (c *Config) applyEnv(lookup func(string) (string, bool)) error {
	if v, _ := lookup("DJ_HOST"); v != "" {
		c.Host = v
	}
	if v, _ := lookup("DJ_USER"); v != "" {
		c.User = v
	}
	if v, ok := lookup("DJ_PASS"); ok {
		c.Password = v
	}
	if v, _ := lookup("DJ_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p <= 0 || p > 65535 {
			return fmt.Errorf("%w: DJ_PORT: invalid port %q", ErrConfig, v)
		}
		c.Port = p
	}
	if err := c.applyEnvReplicas(lookup); err != nil {
		return err
	}
	if set, v, err := envBool(lookup, "DJ_USE_TLS"); err != nil {
		return err
	} else if set {
		c.TLS = TLSDisabled
		if v {
			c.TLS = TLSRequired
		}
	}
	return nil
}
