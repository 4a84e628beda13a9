// kill -9 under load: every workflow acknowledged before the crash finishes
// exactly once after a restart on the same store (the SQLite file, or the
// PostgreSQL / MariaDB database that ZAMAN_STORE_CONFIG names).
package sdktest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func Echo(ctx context.Context, s string) (string, error) { return s, nil }

// Sleeps on a durable timer, then runs one activity.
func CrashWorkflow(ctx workflow.Context, n int) (string, error) {
	if err := workflow.Sleep(ctx, 2*time.Second); err != nil {
		return "", err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 2 * time.Second})
	var out string
	err := workflow.ExecuteActivity(ctx, Echo, fmt.Sprintf("done-%d", n)).Get(ctx, &out)
	return out, err
}

type zamanProcess struct {
	cmd  *exec.Cmd
	port int
	db   string
}

func startZaman(t *testing.T, port int, db string) *zamanProcess {
	t.Helper()
	bin := os.Getenv("ZAMAN_BINARY")
	if bin == "" {
		t.Fatal("ZAMAN_BINARY must name the zaman binary (tests/run-sdk-test.sh sets it)")
	}
	cmd := exec.Command(bin, "server", "start-dev", "--port", fmt.Sprint(port), "--db-filename", db,
		"--log-level", "warn")
	if storeConfig := os.Getenv("ZAMAN_STORE_CONFIG"); storeConfig != "" {
		// The persistence section of a server config (tests/run-sdk-test.sh
		// writes it for a database server), with this test's port.
		persistence, err := os.ReadFile(storeConfig)
		if err != nil {
			t.Fatal(err)
		}
		// A database of this test's own (named after `db`), so that it never
		// shares shards with the suite's server.
		suffix := strings.NewReplacer(".", "_", "-", "_").Replace(filepath.Base(db))
		persistence = regexp.MustCompile(`(?m)^(\s*database:\s*)(\S+)\s*$`).ReplaceAll(persistence, []byte("${1}${2}_"+suffix))
		config := filepath.Join(filepath.Dir(db), fmt.Sprintf("zaman-%d.yaml", port))
		text := fmt.Sprintf("frontend:\n  port: %d\nlog:\n  level: warn\n%s", port, persistence)
		if err := os.WriteFile(config, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(bin, "db", "setup", "--config", config).CombinedOutput(); err != nil {
			t.Fatalf("zaman db setup: %v\n%s", err, out)
		}
		cmd = exec.Command(bin, "server", "start", "--config", config)
	}
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return &zamanProcess{cmd, port, db}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("zaman did not start listening")
	return nil
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestKillNineUnderLoadLosesNothing(t *testing.T) {
	port := freePort(t)
	db := filepath.Join(t.TempDir(), "crash.db")
	z := startZaman(t, port, db)
	t.Cleanup(func() { // after the worker's and client's cleanups (they run last-registered first)
		if z.cmd.Process != nil {
			_ = z.cmd.Process.Kill()
			_, _ = z.cmd.Process.Wait()
		}
	})

	const queue = "crash-queue"
	c := crashWorker(t, port, queue)

	runThroughFault(t, c, queue, 40, func() {
		if err := z.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_, _ = z.cmd.Process.Wait()
		time.Sleep(300 * time.Millisecond)
		z = startZaman(t, port, db)
	})
}

// A client of the zaman on `port`, and a worker of CrashWorkflow on `queue`;
// both closed when the test ends.
func crashWorker(t *testing.T, port int, queue string) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", port)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(CrashWorkflow)
	w.RegisterActivity(Echo)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return c
}

// Starts CrashWorkflow `total` times, one every 50 ms, while `fault` strikes
// a second in; a start that failed is retried with the same workflow id until
// it is acknowledged. Then every acknowledged workflow must finish exactly
// once with its own result.
func runThroughFault(t *testing.T, c client.Client, queue string, total int, fault func()) {
	t.Helper()
	var mu sync.Mutex
	acknowledged := map[int]string{}
	var wg sync.WaitGroup
	for i := 0; i < total; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 50 * time.Millisecond)
			for attempt := 0; attempt < 200; attempt++ {
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
					ID: fmt.Sprintf("crash-%d", i), TaskQueue: queue, WorkflowTaskTimeout: 2 * time.Second,
				}, CrashWorkflow, i)
				cancel()
				if err == nil {
					mu.Lock()
					acknowledged[i] = run.GetRunID()
					mu.Unlock()
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}(i)
	}

	time.Sleep(1 * time.Second)
	fault()

	wg.Wait()
	if len(acknowledged) != total {
		t.Fatalf("only %d of %d starts were ever acknowledged", len(acknowledged), total)
	}
	for i := 0; i < total; i++ {
		id := fmt.Sprintf("crash-%d", i)
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		var out string
		err := c.GetWorkflow(ctx, id, acknowledged[i]).Get(ctx, &out)
		cancel()
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		if out != fmt.Sprintf("done-%d", i) {
			t.Errorf("%s returned %q", id, out)
		}
		checkHistory(t, c, id, acknowledged[i])
	}
}

// Event ids contiguous from 1, and each step of the workflow recorded once.
func checkHistory(t *testing.T, c client.Client, id, runID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	iter := c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	counts := map[enumspb.EventType]int{}
	var next int64 = 1
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Errorf("%s history: %v", id, err)
			return
		}
		if e.GetEventId() != next {
			t.Errorf("%s: event id %d where %d was due", id, e.GetEventId(), next)
		}
		next = e.GetEventId() + 1
		counts[e.GetEventType()]++
	}
	for _, once := range []enumspb.EventType{
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_TIMER_STARTED,
		enumspb.EVENT_TYPE_TIMER_FIRED, enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
	} {
		if counts[once] != 1 {
			t.Errorf("%s: %d %v events, want exactly 1", id, counts[once], once)
		}
	}
}
