package main

import (
	"fmt"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/external"
)

// openConfigStore opens the object store name of the configuration file
// at path ("" for DataJoint's usual files): where dj export --store
// publishes releases and dj releases and dj import --store find them. It
// reads the stores only: no database host or password is needed, and
// none is asked for.
func openConfigStore(path, name string) (external.Store, error) {
	cfg, err := dj.LoadConfig(path)
	if err != nil {
		return nil, err
	}
	sc, ok := cfg.Stores[name]
	if !ok {
		return nil, fmt.Errorf("no store %q in the configuration (\"stores\" of dj_local_conf.json or --config)", name)
	}
	if sc.Name == "" {
		sc.Name = name
	}
	return external.Open(sc)
}
