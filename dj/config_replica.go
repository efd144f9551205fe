package dj

import (
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// applyFileReplicas reads database.replicas, database.replica_max_lag and
// database.read_only from the configuration file's keys.
func (c *Config) applyFileReplicas(raw map[string]any) error {
	if v, ok := raw["database.replicas"]; ok && v != nil {
		switch x := v.(type) {
		case string:
			c.Replicas = splitReplicas(x)
		case []any:
			c.Replicas = nil
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return fmt.Errorf("database.replicas: want strings \"host:port\", got %T", e)
				}
				c.Replicas = append(c.Replicas, splitReplicas(s)...)
			}
		default:
			return fmt.Errorf("database.replicas: want a list of \"host:port\" or a comma-separated string, got %T", v)
		}
		if err := checkReplicas(c.Replicas); err != nil {
			return fmt.Errorf("database.replicas: %w", err)
		}
	}
	if v, ok := raw["database.replica_max_lag"]; ok && v != nil {
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("database.replica_max_lag: want a number of seconds, got %T", v)
		}
		f, err := n.Float64()
		if err != nil {
			return fmt.Errorf("database.replica_max_lag: %w", err)
		}
		c.ReplicaMaxLag = time.Duration(f * float64(time.Second))
	}
	if v, ok := raw["database.read_only"]; ok && v != nil {
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("database.read_only: want true or false, got %v", v)
		}
		c.ReadOnly = b
	}
	return nil
}

// applyEnvReplicas reads DJ_REPLICAS, DJ_REPLICA_MAX_LAG and DJ_READ_ONLY.
func (c *Config) applyEnvReplicas(lookup func(string) (string, bool)) error {
	if v, ok := lookup("DJ_REPLICAS"); ok {
		c.Replicas = splitReplicas(v)
		if err := checkReplicas(c.Replicas); err != nil {
			return fmt.Errorf("%w: DJ_REPLICAS: %w", ErrConfig, err)
		}
	}
	if v, _ := lookup("DJ_REPLICA_MAX_LAG"); v != "" {
		d, err := parseLag(v)
		if err != nil {
			return fmt.Errorf("%w: DJ_REPLICA_MAX_LAG: %w", ErrConfig, err)
		}
		c.ReplicaMaxLag = d
	}
	if set, v, err := envBool(lookup, "DJ_READ_ONLY"); err != nil {
		return err
	} else if set {
		c.ReadOnly = v
	}
	return nil
}

// envBool reads a true/false environment variable (also 1/0, yes/no);
// set is false when it is unset or empty.
func envBool(lookup func(string) (string, bool), name string) (set, v bool, err error) {
	s, _ := lookup(name)
	switch strings.ToLower(s) {
	case "":
		return false, false, nil
	case "true", "1", "yes":
		return true, true, nil
	case "false", "0", "no":
		return true, false, nil
	}
	return false, false, fmt.Errorf("%w: %s: want true or false, got %q", ErrConfig, name, s)
}

// splitReplicas splits a comma-separated list of replicas, dropping
// blanks.
func splitReplicas(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// checkReplicas refuses entries that are not host or host:port.
func checkReplicas(list []string) error {
	for _, r := range list {
		host := r
		if h, p, err := net.SplitHostPort(r); err == nil {
			n, perr := strconv.Atoi(p)
			if perr != nil || n <= 0 || n > 65535 {
				return fmt.Errorf("replica %q: invalid port %q", r, p)
			}
			host = h
		}
		if host == "" || strings.ContainsAny(host, " /@") {
			return fmt.Errorf("replica %q: want host or host:port", r)
		}
	}
	return nil
}

// parseLag reads a duration ("5s", "1m") or a number of seconds.
func parseLag(v string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("want a duration such as 5s or a number of seconds, got %q", v)
	}
	return d, nil
}

// replicaAddr is the host:port of replica entry r: its own port, else
// the configuration's Port, else 3306.
func (c Config) replicaAddr(r string) string {
	return Config{Host: r, Port: c.Port}.Addr()
}

// maxLag is the effective lag bound; negative means none.
func (c Config) maxLag() time.Duration {
	if c.ReplicaMaxLag == 0 {
		return DefaultReplicaMaxLag
	}
	return c.ReplicaMaxLag
}

// checkInterval is the effective replica check interval.
func (c Config) checkInterval() time.Duration {
	if c.ReplicaCheckInterval <= 0 {
		return DefaultReplicaCheckInterval
	}
	return c.ReplicaCheckInterval
}
