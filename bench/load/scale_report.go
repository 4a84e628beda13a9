package main

import (
	"fmt"
	"log"
	"os"
	"strings"
	"time"
)

type namedScale struct {
	name string
	res  scaleResult
}

func mb(kb int64) string { return fmt.Sprintf("%.1f MB", float64(kb)/1024) }

func ms(d time.Duration) string { return d.Round(time.Millisecond).String() }

// scaleMarkdown: the scale scenario's report, one column set per server.
func scaleMarkdown(runs []namedScale, command string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Scale: parked workflows and a backlog across a restart — %s\n\n", time.Now().Format("2006-01-02"))
	fmt.Fprintf(&b, "%s Each server on a fresh on-disk SQLite file, one after the other.\n\n", machineLine())
	fmt.Fprintf(&b, "Command: `%s`.\n\n", command)
	b.WriteString("Each server first holds `parked` workflows asleep on a timer (all but the due slice for 1–2 days), then\n" +
		"the due slice (its timers due the given time after they were set), then `backlog` workflows whose first\n" +
		"workflow task waits on a queue nobody polls. It is then stopped with SIGTERM and restarted, and killed with\n" +
		"-9 and restarted, on the same file and port; the driver's worker of the parked workflows keeps polling\n" +
		"through both. Disk: the SQLite file and its -wal and -shm, divided by all the workflows (at the end\nalso the fresh queue's).\n\n")

	b.WriteString("## Loading\n\n| | " + joinNames(runs) + " |\n|" + strings.Repeat(" --- |", len(runs)+1) + "\n")
	row := func(what string, cell func(r scaleResult) string) {
		fmt.Fprintf(&b, "| %s |", what)
		for _, run := range runs {
			fmt.Fprintf(&b, " %s |", cell(run.res))
		}
		b.WriteString("\n")
	}
	row("parked workflows (due slice, due after)", func(r scaleResult) string {
		return fmt.Sprintf("%d (%d, %v)", r.size.parked, r.size.due(), r.size.dueAfter)
	})
	row("backlogged workflows", func(r scaleResult) string { return fmt.Sprint(r.size.backlog) })
	row("machine load average (1 min), start / end", func(r scaleResult) string {
		return r.loadBefore + " / " + r.loadAfter
	})
	row("concurrent starters", func(r scaleResult) string { return fmt.Sprint(r.size.starters) })
	row("parked: starts/s (errors)", func(r scaleResult) string {
		return fmt.Sprintf("%.0f (%d)", r.parkedStart.rate(), r.parkedStart.errors+r.dueStart.errors)
	})
	row("parked: until every timer was set", func(r scaleResult) string {
		return fmt.Sprintf("%v (%.0f/s)", r.parkedSettled.Round(100*time.Millisecond),
			float64(r.size.parked)/r.parkedSettled.Seconds())
	})
	row("backlog: starts/s (errors)", func(r scaleResult) string {
		return fmt.Sprintf("%.0f (%d)", r.backlogStart.rate(), r.backlogStart.errors)
	})
	row("RSS once loaded / peak", func(r scaleResult) string { return mb(r.loadedRSS) + " / " + mb(r.loadedHWM) })
	workflows := func(r scaleResult) float64 { return float64(max(r.size.parked+r.size.backlog, 1)) }
	row("disk: file + WAL (bytes per workflow)", func(r scaleResult) string {
		return fmt.Sprintf("%.1f + %.1f MB (%.0f B)", float64(r.diskFile)/(1<<20), float64(r.diskWAL)/(1<<20),
			float64(r.diskFile+r.diskWAL)/workflows(r))
	})
	row("disk at the end: file + WAL (bytes per workflow)", func(r scaleResult) string {
		return fmt.Sprintf("%.1f + %.1f MB (%.0f B)", float64(r.finalFile)/(1<<20), float64(r.finalWAL)/(1<<20),
			float64(r.finalFile+r.finalWAL)/(workflows(r)+float64(r.size.backlog)))
	})
	b.WriteString("\n## Restart\n\nTimes from `exec`: to the first answered `GetSystemInfo`, and to the first answered\n" +
		"`DescribeWorkflowExecution` of a parked workflow (its history shard serving). RSS at the first answer and\n" +
		"10 s later.\n\n| | " + joinNames(runs) + " |\n|" + strings.Repeat(" --- |", len(runs)+1) + "\n")
	for i, kind := range []string{"SIGTERM", "kill -9"} {
		idx := i
		if !runs[0].res.size.sigterm {
			if i == 0 {
				continue
			}
			idx = 0
		}
		if kind == "SIGTERM" {
			row("SIGTERM: until exited", func(r scaleResult) string { return ms(r.restarts[idx].stopped) })
		}
		row(kind+": first answer / parked workflow answers", func(r scaleResult) string {
			return ms(r.restarts[idx].systemInfo) + " / " + ms(r.restarts[idx].describe)
		})
		row(kind+": RSS at first answer / 10 s later", func(r scaleResult) string {
			return mb(r.restarts[idx].rssAtAnswer) + " / " + mb(r.restarts[idx].rss10s)
		})
	}

	b.WriteString("\n## Due timers after the restart\n\nTimerFired's time against TimerStarted's time plus the timer's " +
		"duration, from\nthe histories.\n\n| | " + joinNames(runs) + " |\n|" + strings.Repeat(" --- |", len(runs)+1) + "\n")
	row("fired (not fired 3 min after due)", func(r scaleResult) string {
		return fmt.Sprintf("%d of %d (%d)", len(r.late), r.size.due(), r.unfired)
	})
	row("late p50 / p99 / max", func(r scaleResult) string {
		f := figures{latencies: r.late}
		return ms(f.percentile(0.5)) + " / " + ms(f.percentile(0.99)) + " / " + ms(f.percentile(1))
	})

	b.WriteString("\n## Backlog drain\n\nThe backlog: one worker (8 workflow-task pollers, 200 tasks at a time) started on the\n" +
		"queue after the restarts, until every workflow had run. Fresh queue: the same worker polling first, the same\n" +
		"number of workflows started then by the same starters (so bounded by the start rate too).\n\n" +
		"| | " + joinNames(runs) + " |\n|" + strings.Repeat(" --- |", len(runs)+1) + "\n")
	row("backlog drained: tasks/s (time)", func(r scaleResult) string {
		return fmt.Sprintf("%.0f (%v)", r.backlogDrain.rate(), time.Duration(r.backlogDrain.seconds*float64(time.Second)).Round(100*time.Millisecond))
	})
	row("fresh queue: tasks/s (start errors)", func(r scaleResult) string {
		return fmt.Sprintf("%.0f (%d)", r.freshDrain.rate(), r.freshStart.errors)
	})
	row("backlog / fresh", func(r scaleResult) string { return ratio(r.backlogDrain.rate(), r.freshDrain.rate()) })
	row("peak RSS since the last restart", func(r scaleResult) string { return mb(r.finalHWM) })
	return b.String()
}

func joinNames(runs []namedScale) string {
	names := make([]string, len(runs))
	for i, r := range runs {
		names[i] = r.name
	}
	return strings.Join(names, " | ")
}

// runScale measures Zaman and then (unless refParked is 0) the reference
// in the scale scenario and writes the report to `out`.
func runScale(out, zamanBin, temporalBin string, size scaleSize, refParked, refBacklog int) {
	command := fmt.Sprintf("bench/load -scale-out FILE -scale-parked %d -scale-backlog %d -scale-due-fraction %g "+
		"-scale-due-after %v -scale-starters %d -scale-reference-parked %d -scale-reference-backlog %d",
		size.parked, size.backlog, size.dueFraction, size.dueAfter, size.starters, refParked, refBacklog)
	runs := []namedScale{{"zaman", measureScale("zaman", func(dir string) launch {
		return devLaunch("zaman", zamanBin, dir)
	}, size)}}
	if refParked != 0 {
		ref := size
		if refParked > 0 {
			ref.parked = refParked
		}
		if refBacklog >= 0 {
			ref.backlog = refBacklog
		}
		runs = append(runs, namedScale{"reference", measureScale("reference", func(dir string) launch {
			return devLaunch("reference", temporalBin, dir)
		}, ref)})
	}
	if err := os.WriteFile(out, []byte(scaleMarkdown(runs, command)), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s", out)
}
