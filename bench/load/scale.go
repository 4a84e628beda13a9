package main

// The scale scenario (-scale-out): a server holding many workflows parked on
// timers and a backlog on a queue nobody polls, stopped (SIGTERM, then
// kill -9) and restarted on the same SQLite file. It reports what loading
// cost, how fast the server answers again, how late the timers that come due
// after the restart fire, and how fast a worker drains the backlog.

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// What the scale scenario offers one server.
type scaleSize struct {
	parked, backlog int
	dueFraction     float64       // of `parked`, due `dueAfter` after their timers are set
	dueAfter        time.Duration //
	starters        int           // concurrent StartWorkflowExecution callers
	sigterm         bool          // also a graceful restart before the kill -9
}

func (s scaleSize) due() int { return int(float64(s.parked) * s.dueFraction) }

const (
	parkedQueue  = "scale-parked"
	backlogQueue = "scale-backlog"
	freshQueue   = "scale-fresh"
)

// Counted by the driver's own workers as they first run each workflow (not
// on replays): how many parked workflows have set their timer, and how many
// drain workflows ran.
var scaleParkedSeen, scaleDrained atomic.Int64

// ScaleParked sleeps `d` on a durable timer.
func ScaleParked(ctx workflow.Context, d time.Duration) error {
	if !workflow.IsReplaying(ctx) {
		scaleParkedSeen.Add(1)
	}
	return workflow.Sleep(ctx, d)
}

// ScaleDrain completes in its first workflow task.
func ScaleDrain(ctx workflow.Context) error {
	if !workflow.IsReplaying(ctx) {
		scaleDrained.Add(1)
	}
	return nil
}

// What one server did in the scale scenario.
type scaleResult struct {
	size                     scaleSize
	parkedStart, dueStart    starts
	parkedSettled            time.Duration // from the first start until every timer was set
	backlogStart             starts
	loadedRSS, loadedHWM     int64 // kB, once everything was loaded
	diskFile, diskWAL        int64 // the SQLite file, and its -wal and -shm, once loaded
	finalFile, finalWAL      int64 // the same at the end
	restarts                 []restartFigures
	late                     []time.Duration // due timers: TimerFired - (TimerStarted + duration)
	unfired                  int             // due timers not fired by the deadline
	backlogDrain, freshDrain drain
	freshStart               starts
	finalHWM                 int64  // kB, peak since the last restart
	loadBefore, loadAfter    string // the machine's 1-minute load average (others share it)
}

// starts: how `n` concurrent StartWorkflowExecution calls went.
type starts struct {
	n, errors int
	seconds   float64
}

func (s starts) rate() float64 { return float64(s.n-s.errors) / max(s.seconds, 1e-9) }

type drain struct {
	n       int
	seconds float64
}

func (d drain) rate() float64 { return float64(d.n) / max(d.seconds, 1e-9) }

// startMany starts `n` workflows from `starters` goroutines; `opts` gives
// the i-th one's id, queue and arguments. A failed start is tried again
// (same id) a few times; one that already exists counts as started.
func startMany(c client.Client, n, starters int, opts func(i int) (client.StartWorkflowOptions, interface{}, []interface{})) starts {
	began := time.Now()
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < starters; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				o, wf, args := opts(i)
				var err error
				for attempt := 0; attempt < 5; attempt++ {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					_, err = c.ExecuteWorkflow(ctx, o, wf, args...)
					cancel()
					var exists *serviceerror.WorkflowExecutionAlreadyStarted
					if err == nil || errors.As(err, &exists) {
						err = nil
						break
					}
					time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
				}
				if err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return starts{n: n, errors: int(failed.Load()), seconds: time.Since(began).Seconds()}
}

// waitCount waits until `counter` reaches `want`, logging progress; false
// if it stalls (no progress for `stall`).
func waitCount(what string, counter *atomic.Int64, want int64, stall time.Duration) bool {
	last, lastChange := counter.Load(), time.Now()
	for tick := 0; counter.Load() < want; tick++ {
		time.Sleep(100 * time.Millisecond)
		if now := counter.Load(); now != last {
			last, lastChange = now, time.Now()
		}
		if time.Since(lastChange) > stall {
			log.Printf("%s: stalled at %d of %d", what, last, want)
			return false
		}
		if tick%100 == 99 {
			log.Printf("%s: %d of %d", what, last, want)
		}
	}
	return true
}

func scaleWorker(c client.Client, queue string, wf interface{}) worker.Worker {
	w := worker.New(c, queue, worker.Options{MaxConcurrentWorkflowTaskExecutionSize: 200,
		MaxConcurrentWorkflowTaskPollers: 8})
	w.RegisterWorkflow(wf)
	if err := w.Start(); err != nil {
		log.Fatal(err)
	}
	return w
}

// measureScale runs the scale scenario against one server on a fresh
// SQLite file (`start` makes its launch in a fresh directory).
func measureScale(name string, start func(dir string) launch, size scaleSize) scaleResult {
	dir, _ := os.MkdirTemp("", "zaman-scale-"+name)
	defer os.RemoveAll(dir)
	l := start(dir)
	srv := startServer(name, l, dir)
	defer func() { srv.stop() }()
	res := scaleResult{size: size, loadBefore: loadAverage()}
	c, err := client.Dial(client.Options{HostPort: srv.address, Logger: quiet{}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	scaleParkedSeen.Store(0)
	parkedWorker := scaleWorker(c, parkedQueue, ScaleParked)
	defer parkedWorker.Stop()

	// Far timers first (a day and up to a day more, spread by the second),
	// then the due slice, so that the restart comes right after the due
	// timers were set.
	far, due := size.parked-size.due(), size.due()
	log.Printf("%s: starting %d parked workflows (%d due after %v), %d starters", name, size.parked, due,
		size.dueAfter, size.starters)
	began := time.Now()
	res.parkedStart = startMany(c, far, size.starters, func(i int) (client.StartWorkflowOptions, interface{}, []interface{}) {
		d := 24*time.Hour + time.Duration(i%86400)*time.Second
		return client.StartWorkflowOptions{ID: fmt.Sprintf("far-%d", i), TaskQueue: parkedQueue}, ScaleParked,
			[]interface{}{d}
	})
	waitCount(name+": far timers set", &scaleParkedSeen, int64(far-res.parkedStart.errors), 2*time.Minute)
	res.dueStart = startMany(c, due, size.starters, func(i int) (client.StartWorkflowOptions, interface{}, []interface{}) {
		return client.StartWorkflowOptions{ID: fmt.Sprintf("due-%d", i), TaskQueue: parkedQueue}, ScaleParked,
			[]interface{}{size.dueAfter}
	})
	waitCount(name+": due timers set", &scaleParkedSeen, int64(size.parked-res.parkedStart.errors-res.dueStart.errors),
		2*time.Minute)
	res.parkedSettled = time.Since(began)
	dueSet := time.Now()

	log.Printf("%s: starting %d workflows on %s (nobody polls it)", name, size.backlog, backlogQueue)
	res.backlogStart = startMany(c, size.backlog, size.starters, func(i int) (client.StartWorkflowOptions, interface{}, []interface{}) {
		return client.StartWorkflowOptions{ID: fmt.Sprintf("backlog-%d", i), TaskQueue: backlogQueue}, ScaleDrain, nil
	})
	time.Sleep(2 * time.Second) // the last starts' tasks reach the queue
	res.loadedRSS, res.loadedHWM = srv.memoryKB("VmRSS"), srv.memoryKB("VmHWM")
	res.diskFile, res.diskWAL = sqliteBytes(l)

	kinds := []bool{false}
	if size.sigterm {
		kinds = []bool{true, false}
	}
	for _, graceful := range kinds {
		var r restartFigures
		srv, r = restart(srv, name, l, dir, graceful)
		res.restarts = append(res.restarts, r)
	}

	log.Printf("%s: waiting for the %d due timers (due %v after they were set)", name, due, size.dueAfter)
	time.Sleep(time.Until(dueSet.Add(size.dueAfter)))
	res.late, res.unfired = dueLateness(c, due, dueSet.Add(size.dueAfter+3*time.Minute))

	log.Printf("%s: draining the backlog of %d", name, size.backlog)
	scaleDrained.Store(0)
	drainBegan := time.Now()
	w := scaleWorker(c, backlogQueue, ScaleDrain)
	waitCount(name+": backlog drained", &scaleDrained, int64(size.backlog-res.backlogStart.errors), time.Minute)
	res.backlogDrain = drain{n: int(scaleDrained.Load()), seconds: time.Since(drainBegan).Seconds()}
	w.Stop()

	log.Printf("%s: the same worker on a fresh queue, %d workflows", name, size.backlog)
	scaleDrained.Store(0)
	w = scaleWorker(c, freshQueue, ScaleDrain)
	drainBegan = time.Now()
	res.freshStart = startMany(c, size.backlog, size.starters, func(i int) (client.StartWorkflowOptions, interface{}, []interface{}) {
		return client.StartWorkflowOptions{ID: fmt.Sprintf("fresh-%d", i), TaskQueue: freshQueue}, ScaleDrain, nil
	})
	waitCount(name+": fresh queue drained", &scaleDrained, int64(size.backlog-res.freshStart.errors), time.Minute)
	res.freshDrain = drain{n: int(scaleDrained.Load()), seconds: time.Since(drainBegan).Seconds()}
	w.Stop()
	res.finalHWM = srv.memoryKB("VmHWM")
	res.finalFile, res.finalWAL = sqliteBytes(l)
	res.loadAfter = loadAverage()
	return res
}

// sqliteBytes: the size of the server's SQLite file, and of its -wal and
// -shm together.
func sqliteBytes(l launch) (file, wal int64) {
	var db string
	for i, a := range l.args {
		if a == "--db-filename" && i+1 < len(l.args) {
			db = l.args[i+1]
		}
	}
	size := func(name string) int64 {
		if st, err := os.Stat(name); err == nil {
			return st.Size()
		}
		return 0
	}
	return size(db), size(db+"-wal") + size(db+"-shm")
}

// loadAverage: the first field of /proc/loadavg.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(raw))[0]
}
