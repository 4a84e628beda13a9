//go:build tools

// Package tools pins the official `temporal` CLI. The same binary is the
// reference Temporal dev server used by the differential tests.
package tools

import _ "github.com/temporalio/cli/cmd/temporal"
