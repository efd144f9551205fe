package dj_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/datajoint-go/datajoint/dj"
)

// A transaction that moves weight between two mice runs again when InnoDB
// picks it as the victim of a deadlock. Its function starts from the same
// state each time: it reads what it needs inside the transaction and keeps
// nothing between runs.
func ExampleRetryConflicts() {
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: "localhost"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	err = c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		from, err := dj.FetchOne[Mouse](ctx, tx, dj.From[Mouse](tx).Restrict(dj.Match(dj.Key{"mouse_id": 1})))
		if err != nil {
			return err
		}
		to, err := dj.FetchOne[Mouse](ctx, tx, dj.From[Mouse](tx).Restrict(dj.Match(dj.Key{"mouse_id": 2})))
		if err != nil {
			return err
		}
		from.Weight, to.Weight = from.Weight-1, to.Weight+1
		if err := dj.Update1(ctx, tx, from); err != nil {
			return err
		}
		return dj.Update1(ctx, tx, to)
	}, dj.RetryConflicts(5))
	if errors.Is(err, dj.ErrConflict) {
		fmt.Println("still conflicting after 5 runs:", err)
	}
}

// Configurations, connections and schemas print without their secrets,
// whatever the verb.
func ExampleConfig_Format() {
	cfg := dj.Config{Host: "db.example.org", User: "alice", Password: "s3cret"}
	fmt.Printf("%v\n%+v\n%#v\n", cfg, cfg, cfg)
	// Output:
	// alice:****@db.example.org:3306
	// {Host:db.example.org Port:0 User:alice Password:**** TLS: TLSConfig:nil Dial:nil MaxOpenConns:0 Logger:nil Stores:[] StoreTransfers:0 Cache: MaxBlobSize:0 Replicas:[] ReplicaUser: ReplicaPassword: ReplicaMaxLag:0s ReplicaCheckInterval:0s ReadOnly:false}
	// dj.Config{Host:"db.example.org", Port:0, User:"alice", Password:"****", TLS:"", TLSConfig:nil, Dial:nil, MaxOpenConns:0, Logger:nil, Stores:[], StoreTransfers:0, Cache:"", MaxBlobSize:0, Replicas:[], ReplicaUser:"", ReplicaPassword:"", ReplicaMaxLag:0, ReplicaCheckInterval:0, ReadOnly:false}
}
