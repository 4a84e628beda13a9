//go:build scale

// Scale across a restart (tests/scale/run.sh, its own CTest entry): zaman on
// SQLite holding 20,000 workflows parked on timers that come due shortly
// after a kill -9 and restart, and 20,000 whose first workflow task waits on
// a queue nobody polls. After the restart every timer must fire once and
// every backlogged workflow must run when a worker comes. It prints how long
// the restarted server took to answer and its RSS (a bound of 200 MB fails
// the test; the time never does).
package sdktest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const (
	scaleParked  = 20000
	scaleBacklog = 20000
	// The parked timers come due this long after the restart is expected
	// (see scaleDueAt).
	scaleDueAfterRestart = 45 * time.Second
	scaleRSSBoundKB      = 200 * 1024
	// Waits give up when nothing moved for this long.
	scaleStall = time.Minute
)

// Parked workflows that have set their timer (counted on first run only).
var scaleTimersSet atomic.Int64

// scaleDueAt (Unix nanoseconds) is when the parked timers set now should
// come due: the test keeps it at scaleDueAfterRestart past the moment it
// expects the last timer to be set (and so the restart), from the rate the
// timers are set at, so that on a slow machine too they cross the restart.
var scaleDueAt atomic.Int64

// scaleLatestDue: the latest scaleDueAt ever set.
var scaleLatestDue atomic.Int64

func setDueAt(at time.Time) {
	scaleDueAt.Store(at.UnixNano())
	for latest := scaleLatestDue.Load(); at.UnixNano() > latest; latest = scaleLatestDue.Load() {
		if scaleLatestDue.CompareAndSwap(latest, at.UnixNano()) {
			break
		}
	}
}

// ScaleParkedWorkflow sleeps until scaleDueAt as it was when the workflow
// first ran; a SideEffect keeps that duration in the history for replays.
func ScaleParkedWorkflow(ctx workflow.Context) error {
	var d time.Duration
	if err := workflow.SideEffect(ctx, func(workflow.Context) interface{} {
		return max(time.Until(time.Unix(0, scaleDueAt.Load())), time.Second)
	}).Get(&d); err != nil {
		return err
	}
	if !workflow.IsReplaying(ctx) {
		scaleTimersSet.Add(1)
	}
	return workflow.Sleep(ctx, d)
}

func ScaleBacklogWorkflow(ctx workflow.Context) error { return nil }

func TestScaleParkedAndBacklogSurviveKillNine(t *testing.T) {
	port := freePort(t)
	db := filepath.Join(t.TempDir(), "scale.db")
	z := startZaman(t, port, db)
	t.Cleanup(func() {
		_ = z.cmd.Process.Kill()
		_, _ = z.cmd.Process.Wait()
	})
	address := fmt.Sprintf("127.0.0.1:%d", port)
	// Warnings only: 40,000 workflows would log a line each at the SDK's
	// default level.
	quiet := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr,
		&slog.HandlerOptions{Level: slog.LevelWarn})))
	c, err := client.Dial(client.Options{HostPort: address, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	parkedWorker := worker.New(c, "scale-parked", worker.Options{MaxConcurrentWorkflowTaskExecutionSize: 200,
		MaxConcurrentWorkflowTaskPollers: 8})
	parkedWorker.RegisterWorkflow(ScaleParkedWorkflow)
	if err := parkedWorker.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(parkedWorker.Stop) // it polls on through the restart

	// The backlog first (no worker runs these), then the parked workflows,
	// so that the restart follows the last timer set as closely as it can.
	backlogBegan := time.Now()
	startAll(t, c, scaleBacklog, func(i int) (client.StartWorkflowOptions, interface{}, []interface{}) {
		return client.StartWorkflowOptions{ID: fmt.Sprintf("backlog-%d", i), TaskQueue: "scale-backlog"},
			ScaleBacklogWorkflow, nil
	})
	t.Logf("%d backlogged workflows started in %v", scaleBacklog, time.Since(backlogBegan).Round(time.Millisecond))
	began := time.Now()
	var startsDone atomic.Bool
	stopEstimating := keepDueAtAhead(began, &startsDone)
	startAll(t, c, scaleParked, func(i int) (client.StartWorkflowOptions, interface{}, []interface{}) {
		return client.StartWorkflowOptions{ID: fmt.Sprintf("parked-%d", i), TaskQueue: "scale-parked"},
			ScaleParkedWorkflow, nil
	})
	startsDone.Store(true)
	t.Logf("%d parked workflows started in %v", scaleParked, time.Since(began).Round(time.Millisecond))
	for last, lastChange := int64(-1), time.Now(); scaleTimersSet.Load() < scaleParked; time.Sleep(100 * time.Millisecond) {
		if now := scaleTimersSet.Load(); now != last {
			last, lastChange = now, time.Now()
		}
		if time.Since(lastChange) > scaleStall {
			t.Fatalf("only %d of %d parked workflows set their timer, none more in %v", last, scaleParked, scaleStall)
		}
	}
	stopEstimating()
	time.Sleep(time.Second) // the last workflow tasks' completions reach the server
	t.Logf("all timers set %v after the first start", time.Since(began).Round(time.Millisecond))

	if err := z.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = z.cmd.Process.Wait()
	restarted := time.Now()
	z = startZaman(t, port, db)
	probe, err := client.Dial(client.Options{HostPort: address, Logger: quiet})
	for err != nil && time.Since(restarted) < time.Minute {
		time.Sleep(5 * time.Millisecond)
		probe, err = client.Dial(client.Options{HostPort: address, Logger: quiet})
	}
	if err != nil {
		t.Fatalf("the restarted zaman did not answer: %v", err)
	}
	probe.Close() // Dial returns once GetSystemInfo has been answered
	t.Logf("restarted: first answered call %v after exec, RSS %d kB", time.Since(restarted).Round(time.Millisecond),
		rssKB(t, z.cmd.Process.Pid, "VmRSS"))
	time.Sleep(10 * time.Second)
	rss := rssKB(t, z.cmd.Process.Pid, "VmRSS")
	t.Logf("10 s after the restart: RSS %d kB", rss)
	if rss > scaleRSSBoundKB {
		t.Errorf("RSS %d kB 10 s after the restart, over the bound of %d kB", rss, scaleRSSBoundKB)
	}

	backlogWorker := worker.New(c, "scale-backlog", worker.Options{MaxConcurrentWorkflowTaskExecutionSize: 200,
		MaxConcurrentWorkflowTaskPollers: 8})
	backlogWorker.RegisterWorkflow(ScaleBacklogWorkflow)
	if err := backlogWorker.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(backlogWorker.Stop)
	waitAllCompleted(t, c, map[string]int64{"ScaleParkedWorkflow": scaleParked, "ScaleBacklogWorkflow": scaleBacklog},
		time.Unix(0, scaleLatestDue.Load()))
	t.Logf("peak RSS since the restart: %d kB", rssKB(t, z.cmd.Process.Pid, "VmHWM"))
	checkParkedSample(t, c, restarted)
}

// keepDueAtAhead sets scaleDueAt from the rate the timers are set at once
// every start is in (`startsDone`; while the starts run the rate is lower),
// until the returned function is called.
func keepDueAtAhead(began time.Time, startsDone *atomic.Bool) func() {
	// Until then, assume 300 timers set a second.
	setDueAt(began.Add(scaleParked*time.Second/300 + scaleDueAfterRestart))
	stop := make(chan struct{})
	go func() {
		// The best rate over 5 s seen so far: a timer due a little before
		// the restart is better than one due minutes after it.
		type sample struct {
			at  time.Time
			set int64
		}
		var window []sample
		best := 0.0
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			if !startsDone.Load() {
				continue
			}
			now := sample{time.Now(), scaleTimersSet.Load()}
			window = append(window, now)
			for len(window) > 1 && now.at.Sub(window[0].at) > 5*time.Second {
				best = max(best, float64(now.set-window[0].set)/now.at.Sub(window[0].at).Seconds())
				window = window[1:]
			}
			if best > 0 {
				last := now.at.Add(time.Duration(float64(scaleParked-now.set) / best * float64(time.Second)))
				setDueAt(last.Add(scaleDueAfterRestart))
			}
		}
	}()
	return func() { close(stop) }
}

// startAll starts n workflows from 64 goroutines; every start must be
// acknowledged.
func startAll(t *testing.T, c client.Client, n int, opts func(i int) (client.StartWorkflowOptions, interface{}, []interface{})) {
	t.Helper()
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				o, wf, args := opts(i)
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				if _, err := c.ExecuteWorkflow(ctx, o, wf, args...); err != nil && failed.Add(1) <= 3 {
					t.Errorf("start %s: %v", o.ID, err)
				}
				cancel()
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d of %d starts failed", failed.Load(), n)
	}
}

// waitAllCompleted waits until visibility counts `want[type]` completed
// workflows of each type, and then none not completed. It gives up once no
// more complete for scaleStall after the last timer was due (about) (a machine
// shared with builds may be slow; a lost workflow stops the count for good).
func waitAllCompleted(t *testing.T, c client.Client, want map[string]int64, lastDue time.Time) {
	t.Helper()
	count := func(query string) int64 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: query})
		if err != nil {
			t.Logf("count %q: %v", query, err)
			return -1
		}
		return r.GetCount()
	}
	lastTotal, lastChange, lastLog := int64(-1), time.Now(), time.Now()
	for ; ; time.Sleep(2 * time.Second) {
		var status []string
		done, total := true, int64(0)
		for wfType, n := range want {
			completed := count(fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Completed'", wfType))
			status = append(status, fmt.Sprintf("%s %d of %d completed", wfType, completed, n))
			done = done && completed == n
			total += completed
		}
		sort.Strings(status)
		if done {
			t.Logf("%s", strings.Join(status, ", "))
			break
		}
		if total != lastTotal {
			lastTotal, lastChange = total, time.Now()
		}
		if time.Now().After(lastDue) && time.Since(lastChange) > scaleStall && time.Since(lastDue) > scaleStall {
			t.Fatalf("not all completed, none more in %v: %s", scaleStall, strings.Join(status, ", "))
		}
		if time.Since(lastLog) > 15*time.Second {
			t.Logf("%s", strings.Join(status, ", "))
			lastLog = time.Now()
		}
	}
	for wfType := range want {
		if n := count(fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus != 'Completed'", wfType)); n != 0 {
			t.Errorf("%d %s workflows not completed", n, wfType)
		}
	}
}

// checkParkedSample reads every 100th parked workflow's history: one timer
// started and fired, not before it was due, and the workflow completed. It
// reports how many of the sample's timers were due only after the restart
// (all should be) and how late they fired.
func checkParkedSample(t *testing.T, c client.Client, restarted time.Time) {
	t.Helper()
	var late []time.Duration
	afterRestart := 0
	for i := 0; i < scaleParked; i += 100 {
		id := "parked-" + strconv.Itoa(i)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		iter := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		counts := map[enumspb.EventType]int{}
		var dueAt, firedAt time.Time
		for iter.HasNext() {
			e, err := iter.Next()
			if err != nil {
				t.Fatalf("%s history: %v", id, err)
			}
			counts[e.GetEventType()]++
			switch e.GetEventType() {
			case enumspb.EVENT_TYPE_TIMER_STARTED:
				dueAt = e.GetEventTime().AsTime().Add(e.GetTimerStartedEventAttributes().GetStartToFireTimeout().AsDuration())
			case enumspb.EVENT_TYPE_TIMER_FIRED:
				firedAt = e.GetEventTime().AsTime()
			}
		}
		cancel()
		for _, once := range []enumspb.EventType{enumspb.EVENT_TYPE_TIMER_STARTED, enumspb.EVENT_TYPE_TIMER_FIRED,
			enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED} {
			if counts[once] != 1 {
				t.Errorf("%s: %d %v events, want exactly 1", id, counts[once], once)
			}
		}
		if firedAt.Before(dueAt.Add(-time.Second)) {
			t.Errorf("%s: its timer fired %v before it was due", id, dueAt.Sub(firedAt))
		}
		if dueAt.After(restarted) {
			afterRestart++
		}
		late = append(late, firedAt.Sub(dueAt))
	}
	sort.Slice(late, func(i, j int) bool { return late[i] < late[j] })
	t.Logf("of %d sampled parked workflows, %d were due after the restart; they fired late by p50 %v, max %v",
		len(late), afterRestart, late[len(late)/2].Round(time.Millisecond), late[len(late)-1].Round(time.Millisecond))
}

// rssKB reads a field (VmRSS, VmHWM) of /proc/<pid>/status.
func rssKB(t *testing.T, pid int, field string) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, field+":") {
			v, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return v
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
