package dj

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"log/slog"
	"reflect"
)

// Offline returns a connection without a server. Schema and Declare on it
// build and bind table metadata without touching any database, so queries
// can be composed and their SQL inspected, and a pipeline's DDL printed
// (Table.Meta().CreateSQL()). Every statement sent through it fails with
// ErrConfig.
func Offline() *Conn {
	return &Conn{
		db:      sql.OpenDB(offlineConnector{}),
		cfg:     &Config{},
		stores:  &storeRegistry{},
		log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		tables:  map[reflect.Type]*Table{},
		offline: true,
	}
}

// Offline reports whether the connection has no server (see Offline).
func (c *Conn) Offline() bool { return c.offline }

type offlineConnector struct{}

var errOffline = fmt.Errorf("%w: offline connection: no database server", ErrConfig)

func (offlineConnector) Connect(context.Context) (driver.Conn, error) { return nil, errOffline }
func (offlineConnector) Driver() driver.Driver                        { return offlineDriver{} }

type offlineDriver struct{}

func (offlineDriver) Open(string) (driver.Conn, error) { return nil, errOffline }
