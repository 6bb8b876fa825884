//go:build tools

// Package tools pins the Vitess binaries CI builds (ci/vitess/build.sh):
// go.mod requires vitess.io/vitess at the pinned version and go.sum locks
// its dependencies. Nothing of ours is compiled here.
package tools

import (
	_ "vitess.io/vitess/go/cmd/mysqlctl"
	_ "vitess.io/vitess/go/cmd/vtcombo"
	_ "vitess.io/vitess/go/cmd/vtctldclient"
	_ "vitess.io/vitess/go/cmd/vtexplain"
	_ "vitess.io/vitess/go/cmd/vttestserver"
)
