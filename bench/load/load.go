package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
)

// What a phase cost: the server's CPU and, on PostgreSQL, the database's
// CPU (all its processes), committed transactions and rows written.
type counters struct {
	cpu, dbCPU  float64
	xacts, rows int64
}

func (s *server) sample() counters {
	c := counters{cpu: s.cpuSeconds()}
	if s.db != nil {
		c.dbCPU = s.db.pg.cpuSeconds()
		c.xacts, c.rows = s.db.stats()
	} else if s.metricsPort != 0 {
		c.xacts, c.rows = s.sqliteWrites()
	}
	return c
}

// since returns what was used after c0. On PostgreSQL the costs run on for
// statsFlushWait after the call: the backends report their counts late, and
// work a phase leaves behind (the timers of completed activities and
// workflow tasks coming due) belongs to it; the server's idle rate times
// that wait is taken off.
func (s *server) since(c0 counters) counters {
	if s.db == nil {
		c := s.sample()
		return counters{cpu: c.cpu - c0.cpu, xacts: c.xacts - c0.xacts, rows: c.rows - c0.rows}
	}
	time.Sleep(statsFlushWait)
	wait := statsFlushWait.Seconds()
	xacts, rows := s.db.stats()
	return counters{
		cpu:   max(0, s.cpuSeconds()-c0.cpu-s.idle.cpu*wait),
		dbCPU: max(0, s.db.pg.cpuSeconds()-c0.dbCPU-s.idle.dbCPU*wait),
		xacts: max(0, xacts-c0.xacts-int64(s.idle.xacts*wait)),
		rows:  max(0, rows-c0.rows-int64(s.idle.rows*wait)),
	}
}

// Costs a second of a server with nothing to do.
type rates struct{ cpu, dbCPU, xacts, rows float64 }

// measureIdle sets the server's idle rates, measured over `d` with no load.
func (s *server) measureIdle(d time.Duration) {
	s.idle = rates{}
	c0 := s.sample()
	time.Sleep(d)
	used := s.since(c0)
	window := (d + statsFlushWait).Seconds()
	s.idle = rates{cpu: used.cpu / window, dbCPU: used.dbCPU / window,
		xacts: float64(used.xacts) / window, rows: float64(used.rows) / window}
}

type figures struct {
	completed int // workflows (signals in the storm)
	seconds   float64
	used      counters
	latencies []time.Duration
	errors    int64
}

func (f figures) throughput() float64 { return float64(f.completed) / f.seconds }

// perThousand: CPU seconds per 1,000 completed.
func (f figures) perThousand(seconds float64) float64 {
	if f.completed == 0 {
		return 0
	}
	return seconds * 1000 / float64(f.completed)
}

// perOne: database transactions or rows per completed.
func (f figures) perOne(n int64) float64 {
	if f.completed == 0 {
		return 0
	}
	return float64(n) / float64(f.completed)
}

func (f figures) percentile(p float64) time.Duration {
	if len(f.latencies) == 0 {
		return 0
	}
	sorted := append([]time.Duration(nil), f.latencies...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	return sorted[int(p*float64(len(sorted)-1))]
}

// runOne starts a workflow and waits for its result.
func runOne(ctx context.Context, c client.Client, queue string, s scenario) (time.Duration, error) {
	began := time.Now()
	r, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: queue}, s.workflow, s.args...)
	if err != nil {
		return 0, err
	}
	if err := r.Get(ctx, nil); err != nil {
		return 0, err
	}
	return time.Since(began), nil
}

// phase collects one load phase's completions, failures and costs.
type phase struct {
	srv     *server
	used0   counters
	began   time.Time
	mu      sync.Mutex
	f       figures
	failed  atomic.Int64
	pending sync.WaitGroup
}

func startPhase(srv *server) *phase {
	return &phase{srv: srv, used0: srv.sample(), began: time.Now()}
}

// runOne starts one workflow of the scenario and records how it went.
func (p *phase) runOne(c client.Client, queue string, s scenario) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	lat, err := runOne(ctx, c, queue, s)
	if err != nil {
		p.failed.Add(1)
		return
	}
	p.mu.Lock()
	p.f.latencies = append(p.f.latencies, lat)
	p.mu.Unlock()
}

func (p *phase) finish() figures {
	p.pending.Wait()
	p.f.seconds = time.Since(p.began).Seconds()
	p.f.used = p.srv.since(p.used0)
	p.f.completed = len(p.f.latencies)
	p.f.errors = p.failed.Load()
	return p.f
}

// fixedLoad starts `rate` workflows a second for `d`, then waits for them.
func fixedLoad(c client.Client, srv *server, queue string, s scenario, rate int, d time.Duration) figures {
	p := startPhase(srv)
	ticker := time.NewTicker(time.Second / time.Duration(rate))
	for time.Since(p.began) < d {
		<-ticker.C
		p.pending.Add(1)
		go func() {
			defer p.pending.Done()
			p.runOne(c, queue, s)
		}()
	}
	ticker.Stop()
	return p.finish()
}

// saturate keeps `clients` workflows in flight for `d`.
func saturate(c client.Client, srv *server, queue string, s scenario, clients int, d time.Duration) figures {
	p := startPhase(srv)
	for i := 0; i < clients; i++ {
		p.pending.Add(1)
		go func() {
			defer p.pending.Done()
			for time.Since(p.began) < d {
				p.runOne(c, queue, s)
			}
		}()
	}
	return p.finish()
}

// signalStorm sends `n` signals into one workflow from `clients` senders.
func signalStorm(c client.Client, srv *server, queue string, n, clients int) figures {
	id := fmt.Sprintf("storm-%d", time.Now().UnixNano())
	r, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: id, TaskQueue: queue},
		SignalSinkWorkflow, n)
	if err != nil {
		log.Fatalf("storm start: %v", err)
	}
	var failed atomic.Int64
	used0, began := srv.sample(), time.Now()
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := i; j < n; j += clients {
				if err := c.SignalWorkflow(context.Background(), id, "", "tick", nil); err != nil {
					failed.Add(1)
				}
			}
		}(i)
	}
	wg.Wait()
	_ = r.Get(context.Background(), nil)
	f := figures{seconds: time.Since(began).Seconds(), completed: n - int(failed.Load()), errors: failed.Load(),
		latencies: []time.Duration{time.Since(began)}}
	f.used = srv.since(used0)
	return f
}

// parked starts `n` workflows that sleep for an hour and reports the RSS
// they add once all are parked.
func parked(c client.Client, srv *server, queue string, n int) (figures, int64) {
	before := srv.memoryKB("VmRSS")
	used0, began := srv.sample(), time.Now()
	var wg sync.WaitGroup
	var failed atomic.Int64
	sem := make(chan struct{}, 32)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{TaskQueue: queue},
				ParkedWorkflow); err != nil {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	time.Sleep(3 * time.Second) // their first workflow tasks run, timers are set
	f := figures{completed: n - int(failed.Load()), seconds: time.Since(began).Seconds(), errors: failed.Load()}
	added := srv.memoryKB("VmRSS") - before
	f.used = srv.since(used0)
	return f, added
}

// idleWindow: how long a server on PostgreSQL is watched with no load.
const idleWindow = 20 * time.Second

type result struct {
	startup          time.Duration
	idleRSS, peakRSS int64
	idle             rates // on PostgreSQL
	fixed, saturated map[string]figures
	storm            figures
	parkedF          figures
	parkedRSS        int64
}

// loadFlags: the offered load, the same for every server.
type loadFlags struct {
	rate, clients   int
	duration        time.Duration
	parked, signals int
}

// measure starts a server (`start` prepares it in a fresh directory), runs
// every scenario against it with one worker, and stops it.
func measure(name string, start func(dir string) launch, load loadFlags) result {
	dir, _ := os.MkdirTemp("", "zaman-bench-"+name)
	defer os.RemoveAll(dir)
	l := start(dir)
	if l.db != nil {
		defer l.db.drop()
	}
	srv := startServer(name, l, dir)
	defer srv.stop()
	time.Sleep(2 * time.Second)
	res := result{startup: srv.startup, idleRSS: srv.memoryKB("VmRSS"), fixed: map[string]figures{},
		saturated: map[string]figures{}}
	c, err := client.Dial(client.Options{HostPort: srv.address, Logger: quiet{}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	queue := "bench"
	w := worker.New(c, queue, worker.Options{MaxConcurrentActivityExecutionSize: 200,
		MaxConcurrentWorkflowTaskExecutionSize: 200, MaxConcurrentWorkflowTaskPollers: 8,
		MaxConcurrentActivityTaskPollers: 8})
	for _, wf := range []interface{}{NoActivityWorkflow, OneActivityWorkflow, TenActivitiesWorkflow, TimerWorkflow,
		SignalSinkWorkflow, ParkedWorkflow} {
		w.RegisterWorkflow(wf)
	}
	w.RegisterActivity(Noop)
	if err := w.Start(); err != nil {
		log.Fatal(err)
	}
	defer w.Stop()
	warmUp(c, name, queue)
	if srv.db != nil {
		log.Printf("%s: idle for %v", name, idleWindow)
		srv.measureIdle(idleWindow)
		res.idle = srv.idle
	}
	for _, s := range scenarios {
		log.Printf("%s: %s, %d/s for %v", name, s.name, load.rate, load.duration)
		res.fixed[s.name] = fixedLoad(c, srv, queue, s, load.rate, load.duration)
		log.Printf("%s: %s, %d clients for %v", name, s.name, load.clients, load.duration)
		res.saturated[s.name] = saturate(c, srv, queue, s, load.clients, load.duration)
	}
	log.Printf("%s: signal storm, %d signals", name, load.signals)
	res.storm = signalStorm(c, srv, queue, load.signals, load.clients)
	log.Printf("%s: %d parked workflows", name, load.parked)
	res.parkedF, res.parkedRSS = parked(c, srv, queue, load.parked)
	res.peakRSS = srv.memoryKB("VmHWM")
	return res
}

// warmUp runs workflows until one completes: a namespace registered a
// moment ago may not yet be known to every part of the server.
func warmUp(c client.Client, name, queue string) {
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := runOne(ctx, c, queue, scenarios[0])
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log.Fatalf("%s: no workflow completed: %v", name, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
