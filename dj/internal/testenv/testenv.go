// Package testenv finds the MySQL/MariaDB and S3 (MinIO) servers that
// integration tests need, and gives each test a database of its own.
//
// Servers are found in this order:
//
//  1. the environment: DJ_HOST (host[:port]), DJ_USER, DJ_PASS for MySQL;
//     DJ_S3_ENDPOINT, DJ_S3_ACCESS_KEY, DJ_S3_SECRET_KEY, DJ_S3_BUCKET for S3.
//     Variables that are set but point at an unreachable server fail the test;
//  2. a Docker daemon, through dockertest (mysql:8.0, minio/minio);
//  3. otherwise the test fails with a message naming the variables and the
//     scripts in docker/ that start the servers. It skips instead only when
//     DJ_TEST_ALLOW_SKIP=1.
//
// Under go test -short no server is looked for: every test that needs one
// skips, so -short runs exactly the tests that need no server.
//
// Only test binaries import this package.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/ory/dockertest/v3"
	"github.com/ory/dockertest/v3/docker"
)

// MySQLServer describes a reachable MySQL or MariaDB server.
type MySQLServer struct {
	Host string // host:port
	User string
	Pass string
}

// Config returns a go-sql-driver configuration for the server with no
// default database, parseTime on and UTC.
func (m MySQLServer) Config() *mysql.Config {
	cfg := mysql.NewConfig()
	cfg.Net = "tcp"
	cfg.Addr = m.Host
	cfg.User = m.User
	cfg.Passwd = m.Pass
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.InterpolateParams = true
	cfg.MultiStatements = false
	return cfg
}

// S3Server describes a reachable S3-compatible endpoint and a bucket on it.
type S3Server struct {
	Endpoint  string // host:port, no scheme
	AccessKey string
	SecretKey string
	Bucket    string
}

var (
	poolOnce sync.Once
	pool     *dockertest.Pool
	poolErr  error

	dbOnce sync.Once
	db     MySQLServer
	dbSQL  *sql.DB
	dbErr  error

	s3Once sync.Once
	s3     S3Server
	s3Err  error
)

func dockerPool() (*dockertest.Pool, error) {
	poolOnce.Do(func() {
		pool, poolErr = dockertest.NewPool("")
		if poolErr == nil {
			poolErr = pool.Client.Ping()
		}
		if poolErr == nil {
			pool.MaxWait = 3 * time.Minute
		}
	})
	return pool, poolErr
}

func unavailable(tb testing.TB, what string, err error) {
	tb.Helper()
	msg := fmt.Sprintf("%s unavailable: %v\n"+
		"  Start the servers with docker/mariadb-up.sh and docker/minio-up.sh (they print the variables to export),\n"+
		"  run docker/test.sh, or run a Docker daemon for dockertest.", what, err)
	if os.Getenv("DJ_TEST_ALLOW_SKIP") == "1" {
		tb.Skip("DJ_TEST_ALLOW_SKIP=1: " + msg)
	}
	tb.Fatal(msg)
}

// MySQL returns a reachable server or ends the test (see the package doc).
func MySQL(tb testing.TB) MySQLServer {
	tb.Helper()
	if testing.Short() {
		tb.Skip("-short runs the tests that need no server")
	}
	dbOnce.Do(func() {
		if h := os.Getenv("DJ_HOST"); h != "" {
			if _, _, err := net.SplitHostPort(h); err != nil {
				h = net.JoinHostPort(h, "3306")
			}
			db = MySQLServer{Host: h, User: os.Getenv("DJ_USER"), Pass: os.Getenv("DJ_PASS")}
			if db.User == "" {
				db.User = "root"
			}
			dbSQL, dbErr = open(db, 10*time.Second)
			if dbErr != nil {
				dbErr = fmt.Errorf("DJ_HOST=%s is set but the server is not reachable as %s: %w", h, db.User, dbErr)
			}
			return
		}
		p, err := dockerPool()
		if err != nil {
			dbErr = fmt.Errorf("DJ_HOST is not set and no Docker daemon answers (%v)", err)
			return
		}
		r, err := p.RunWithOptions(&dockertest.RunOptions{
			Repository: "mysql", Tag: "8.0",
			Env: []string{"MYSQL_ROOT_PASSWORD=simple"},
		}, func(hc *docker.HostConfig) {
			hc.AutoRemove = true
			hc.RestartPolicy = docker.RestartPolicy{Name: "no"}
		})
		if err != nil {
			dbErr = err
			return
		}
		_ = r.Expire(1800)
		db = MySQLServer{Host: r.GetHostPort("3306/tcp"), User: "root", Pass: "simple"}
		dbErr = p.Retry(func() error {
			var e error
			dbSQL, e = open(db, 2*time.Second)
			return e
		})
	})
	if dbErr != nil {
		unavailable(tb, "MySQL (DJ_HOST, DJ_USER, DJ_PASS)", dbErr)
	}
	return db
}

func open(m MySQLServer, timeout time.Duration) (*sql.DB, error) {
	cfg := m.Config()
	cfg.Timeout = timeout
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	d := sql.OpenDB(c)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := d.PingContext(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// Database creates a fresh, empty database for the test and drops it when
// the test ends. The name starts with "djtest_" (or DJ_TEST_DB_PREFIX, for
// runs that share a server and keep to a prefix of their own), contains a
// sanitised form of the test name and a random suffix, and fits MySQL's
// 64-character limit.
func Database(tb testing.TB) string {
	tb.Helper()
	MySQL(tb)
	name := strings.Trim(unsafeChars.ReplaceAllString(strings.ToLower(tb.Name()), "_"), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	prefix := "djtest_"
	if p := unsafeChars.ReplaceAllString(strings.ToLower(os.Getenv("DJ_TEST_DB_PREFIX")), "_"); p != "" && len(p) <= 10 {
		prefix = p
	}
	name = prefix + name + "_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := dbSQL.ExecContext(ctx, "CREATE DATABASE `"+name+"`"); err != nil {
		tb.Fatalf("testenv: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if os.Getenv("DJ_TEST_KEEP") == "1" {
			tb.Logf("testenv: keeping database %s (DJ_TEST_KEEP=1)", name)
			return
		}
		if _, err := dbSQL.ExecContext(context.Background(), "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
			tb.Errorf("testenv: drop database %s: %v", name, err)
		}
	})
	return name
}

// DB returns a shared *sql.DB on the server (no default database), for
// tests that check results with hand-written SQL.
func DB(tb testing.TB) *sql.DB {
	tb.Helper()
	MySQL(tb)
	return dbSQL
}

// S3 returns a reachable S3 endpoint with an existing bucket, or ends the
// test (see the package doc).
func S3(tb testing.TB) S3Server {
	tb.Helper()
	if testing.Short() {
		tb.Skip("-short runs the tests that need no server")
	}
	s3Once.Do(func() {
		if ep := os.Getenv("DJ_S3_ENDPOINT"); ep != "" {
			s3 = S3Server{Endpoint: ep, AccessKey: os.Getenv("DJ_S3_ACCESS_KEY"),
				SecretKey: os.Getenv("DJ_S3_SECRET_KEY"), Bucket: os.Getenv("DJ_S3_BUCKET")}
			if s3.Bucket == "" {
				s3Err = errors.New("DJ_S3_ENDPOINT is set but DJ_S3_BUCKET is empty")
				return
			}
			s3Err = checkBucket(s3)
			if s3Err != nil {
				s3Err = fmt.Errorf("DJ_S3_ENDPOINT=%s is set but unusable: %w", ep, s3Err)
			}
			return
		}
		p, err := dockerPool()
		if err != nil {
			s3Err = fmt.Errorf("DJ_S3_ENDPOINT is not set and no Docker daemon answers (%v)", err)
			return
		}
		r, err := p.RunWithOptions(&dockertest.RunOptions{
			Repository: "minio/minio", Tag: "latest",
			Cmd: []string{"server", "/data"},
			Env: []string{"MINIO_ROOT_USER=datajoint", "MINIO_ROOT_PASSWORD=datajoint"},
		}, func(hc *docker.HostConfig) {
			hc.AutoRemove = true
			hc.RestartPolicy = docker.RestartPolicy{Name: "no"}
		})
		if err != nil {
			s3Err = err
			return
		}
		_ = r.Expire(1800)
		s3 = S3Server{Endpoint: r.GetHostPort("9000/tcp"), AccessKey: "datajoint", SecretKey: "datajoint", Bucket: "djtest"}
		s3Err = p.Retry(func() error { return live(s3.Endpoint) })
		if s3Err == nil {
			s3Err = makeBucket(s3)
		}
	})
	if s3Err != nil {
		unavailable(tb, "S3 (DJ_S3_ENDPOINT, DJ_S3_ACCESS_KEY, DJ_S3_SECRET_KEY, DJ_S3_BUCKET)", s3Err)
	}
	return s3
}

func live(endpoint string) error {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + endpoint + "/minio/health/live")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health check: HTTP %d", resp.StatusCode)
	}
	return nil
}

// makeBucket creates the bucket on a MinIO started by dockertest.
var makeBucket = createBucket

// SetBucketMaker replaces the function that creates the bucket on a MinIO
// started by dockertest (by default, a minio-go MakeBucket).
func SetBucketMaker(f func(S3Server) error) { makeBucket = f }

func s3Client(s S3Server) (*minio.Client, error) {
	return minio.New(s.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""),
		MaxRetries: 1,
	})
}

// checkBucket verifies the credentials and that the bucket exists.
func checkBucket(s S3Server) error {
	c, err := s3Client(s)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ok, err := c.BucketExists(ctx, s.Bucket)
	if err != nil {
		return fmt.Errorf("bucket %q as %q: %w", s.Bucket, s.AccessKey, err)
	}
	if !ok {
		return fmt.Errorf("bucket %q does not exist (docker/minio-up.sh creates it)", s.Bucket)
	}
	return nil
}

// createBucket makes the bucket unless it exists.
func createBucket(s S3Server) error {
	c, err := s3Client(s)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if ok, err := c.BucketExists(ctx, s.Bucket); err == nil && ok {
		return nil
	}
	if err := c.MakeBucket(ctx, s.Bucket, minio.MakeBucketOptions{}); err != nil {
		return fmt.Errorf("create bucket %q: %w", s.Bucket, err)
	}
	return nil
}

// RunExample runs an Example function that needs the servers, with its
// standard output captured, and fails the test unless it printed want
// (compared as go test compares an Example's // Output:, with surrounding
// space trimmed). Examples that need a server carry no // Output: comment,
// so that go test -short, which runs no server, does not run them; a test
// runs them through RunExample instead, after MySQL(tb) has made sure a
// server is there.
func RunExample(tb testing.TB, example func(), want string) {
	tb.Helper()
	MySQL(tb)
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	func() {
		defer func() { os.Stdout = stdout }()
		example()
	}()
	w.Close()
	got := <-done
	if strings.TrimSpace(got) != strings.TrimSpace(want) {
		tb.Errorf("example printed:\n%s\nwant:\n%s", got, want)
	}
}
