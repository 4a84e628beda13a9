package main

import (
	"fmt"
	"os"
)

// quick measures Zaman alone (no reference) and prints its server CPU per
// 1,000 workflows in every scenario: the loop for working on CPU, where the
// reference's figures from the last full `make bench` stand in for its own.
func quick(zamanBin string, load loadFlags, only string) {
	if only != "" {
		var kept []scenario
		for _, s := range scenarios {
			if s.name == only {
				kept = append(kept, s)
			}
		}
		scenarios = kept
	}
	res := measure("zaman", func(dir string) launch { return devLaunch("zaman", zamanBin, dir) }, load)
	fmt.Fprintf(os.Stdout, "idle RSS %.1f MB, peak RSS %.1f MB\n", float64(res.idleRSS)/1024, float64(res.peakRSS)/1024)
	fmt.Fprintf(os.Stdout, "%-28s %12s %14s %12s %14s %10s %10s\n", "scenario", "fixed wf/s", "fixed CPU s/1k", "sat. wf/s",
		"sat. CPU s/1k", "tx each", "rows each")
	for _, s := range scenarios {
		f, t := res.fixed[s.name], res.saturated[s.name]
		if f.completed == 0 && t.completed == 0 {
			continue
		}
		fmt.Fprintf(os.Stdout, "%-28s %12.1f %14.2f %12.1f %14.2f %10.1f %10.1f\n", s.name, f.throughput(),
			f.perThousand(f.used.cpu), t.throughput(), t.perThousand(t.used.cpu), f.perOne(f.used.xacts), f.perOne(f.used.rows))
	}
	fmt.Fprintf(os.Stdout, "%-28s %12.1f %14.2f (signals)\n", "signal storm", res.storm.throughput(),
		res.storm.perThousand(res.storm.used.cpu))
}
