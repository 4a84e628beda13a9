package main

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
)

// costRun is one server's figures in the metrics comparison.
type costRun struct {
	fixedPerThousand, saturatedPerThousand, throughput float64
	scrapes                                            int
}

// runWithMetrics starts a dev Zaman (with `--metrics-port` and a scraper
// reading /metrics every second when `metrics`), then puts the one-activity
// scenario on it at a fixed rate and at saturation.
func runWithMetrics(binary string, metrics bool, load loadFlags) costRun {
	dir, _ := os.MkdirTemp("", "zaman-bench-metrics")
	defer os.RemoveAll(dir)
	l := devLaunch("zaman", binary, dir)
	var run costRun
	stopScraping := make(chan struct{})
	scraped := make(chan int)
	if metrics {
		port := freePort()
		l.args = append(l.args, "--metrics-port", strconv.Itoa(port))
		go func() {
			n := 0
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-stopScraping:
					scraped <- n
					return
				case <-tick.C:
					if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port)); err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						n++
					}
				}
			}
		}()
	}
	srv := startServer("zaman", l, dir)
	defer srv.stop()
	c, err := client.Dial(client.Options{HostPort: srv.address, Logger: quiet{}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	w := worker.New(c, "bench", worker.Options{MaxConcurrentActivityExecutionSize: 200,
		MaxConcurrentWorkflowTaskExecutionSize: 200, MaxConcurrentWorkflowTaskPollers: 8,
		MaxConcurrentActivityTaskPollers: 8})
	w.RegisterWorkflow(NoActivityWorkflow)
	w.RegisterWorkflow(OneActivityWorkflow)
	w.RegisterActivity(Noop)
	if err := w.Start(); err != nil {
		log.Fatal(err)
	}
	defer w.Stop()
	warmUp(c, "zaman", "bench")
	s := scenarios[1] // one noop activity
	fixed := fixedLoad(c, srv, "bench", s, load.rate, load.duration)
	sat := saturate(c, srv, "bench", s, load.clients, load.duration)
	run.fixedPerThousand = fixed.perThousand(fixed.used.cpu)
	run.saturatedPerThousand = sat.perThousand(sat.used.cpu)
	run.throughput = sat.throughput()
	if metrics {
		close(stopScraping)
		run.scrapes = <-scraped
	}
	return run
}

func median(values []float64) float64 {
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	return sorted[len(sorted)/2]
}

// metricsCost: Zaman without and with metrics (endpoint on and scraped every
// second), `rounds` times each, alternating; writes the medians to `out`.
func metricsCost(binary, out string, load loadFlags, rounds int) {
	var off, on []costRun
	for i := 0; i < rounds; i++ {
		log.Printf("metrics cost, round %d/%d: without metrics", i+1, rounds)
		off = append(off, runWithMetrics(binary, false, load))
		log.Printf("metrics cost, round %d/%d: with metrics", i+1, rounds)
		on = append(on, runWithMetrics(binary, true, load))
	}
	pick := func(runs []costRun, f func(costRun) float64) float64 {
		var v []float64
		for _, r := range runs {
			v = append(v, f(r))
		}
		return median(v)
	}
	fixed := func(r costRun) float64 { return r.fixedPerThousand }
	saturated := func(r costRun) float64 { return r.saturatedPerThousand }
	throughput := func(r costRun) float64 { return r.throughput }
	change := func(f func(costRun) float64) string {
		a, b := pick(off, f), pick(on, f)
		return fmt.Sprintf("%+.1f%%", (b-a)/a*100)
	}

	var b strings.Builder
	fmt.Fprintf(&b, "# The cost of metrics — %s\n\n", time.Now().Format("2006-01-02"))
	fmt.Fprintf(&b, "%s\n`zaman server start-dev` on a fresh SQLite file, without\n", machineLine())
	fmt.Fprintf(&b, "`--metrics-port` (nothing is counted) and with it, its /metrics read every second (15 times as often\n")
	fmt.Fprintf(&b, "as Prometheus's default; the scrapes' CPU is in the server's). The load driver has one worker with\n")
	fmt.Fprintf(&b, "8 pollers a kind. Workflows with one noop activity: %d/s for %v, then %d\n",
		load.rate, load.duration, load.clients)
	fmt.Fprintf(&b, "kept in flight for %v. Medians of %d alternating rounds.\n\n", load.duration, rounds)
	fmt.Fprintf(&b, "Command: `make bench-metrics` (`cd bench/load && go run . -zaman ../../build/bin/zaman -metrics-cost FILE`)\n\n")
	fmt.Fprintf(&b, "| | without metrics | with metrics | change |\n| --- | ---: | ---: | ---: |\n")
	fmt.Fprintf(&b, "| server CPU s per 1,000 workflows at %d/s | %.2f | %.2f | %s |\n", load.rate,
		pick(off, fixed), pick(on, fixed), change(fixed))
	fmt.Fprintf(&b, "| server CPU s per 1,000 workflows at saturation | %.2f | %.2f | %s |\n",
		pick(off, saturated), pick(on, saturated), change(saturated))
	fmt.Fprintf(&b, "| workflows/s at saturation | %.0f | %.0f | %s |\n\n", pick(off, throughput), pick(on, throughput),
		change(throughput))
	fmt.Fprintf(&b, "Every round:\n\n| round | metrics | CPU s/1,000 at %d/s | CPU s/1,000 saturated | workflows/s | scrapes |\n",
		load.rate)
	fmt.Fprintf(&b, "| ---: | --- | ---: | ---: | ---: | ---: |\n")
	for i := range off {
		for _, r := range []struct {
			label string
			run   costRun
		}{{"off", off[i]}, {"on", on[i]}} {
			fmt.Fprintf(&b, "| %d | %s | %.2f | %.2f | %.0f | %d |\n", i+1, r.label, r.run.fixedPerThousand,
				r.run.saturatedPerThousand, r.run.throughput, r.run.scrapes)
		}
	}
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s", out)
}
