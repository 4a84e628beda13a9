//go:build dbfault

// The database server restarted under load (tests/run-sdk-test.sh runs this
// with -tags dbfault on PostgreSQL and MariaDB): zaman answers UNAVAILABLE
// while it is gone, reconnects by itself, and every workflow acknowledged
// finishes exactly once.
package sdktest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestDatabaseRestartUnderLoadLosesNothing(t *testing.T) {
	restart := os.Getenv("ZAMAN_DB_RESTART")
	if restart == "" {
		t.Fatal("ZAMAN_DB_RESTART must name the command that restarts the database (tests/run-sdk-test.sh sets it)")
	}
	port := freePort(t)
	z := startZaman(t, port, filepath.Join(t.TempDir(), "unused.db"))
	t.Cleanup(func() {
		_ = z.cmd.Process.Kill()
		_, _ = z.cmd.Process.Wait()
	})
	const queue = "db-restart-queue"
	c := crashWorker(t, port, queue)

	runThroughFault(t, c, queue, 40, func() {
		args := strings.Fields(restart)
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("restarting the database: %v\n%s", err, out)
		}
	})
	if err := z.cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("zaman did not live through the database restart: %v", err)
	}
}
