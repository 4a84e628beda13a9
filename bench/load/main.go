// Load driver: runs the same workflow scenarios against Zaman and against a
// reference Temporal server, one server at a time on this machine, and
// writes a Markdown report with both servers' figures and their ratio.
//
//	go run . -zaman ../../build/bin/zaman -temporal ../../tests/cli/bin/temporal -out ../results/DATE.md
//	go run . -store postgres -pg-port 5432 -pg-pid PID -temporal-server ... -out ../results/DATE-postgres.md
//
// With -store sqlite (the default) every server is a dev server on a fresh
// on-disk SQLite file: `zaman server start-dev` and the reference, the
// pinned `temporal` CLI's dev server. With -store postgres both run on one
// PostgreSQL instance, each on fresh databases of its own with the same
// number of history shards: `zaman server start --config` (schema by `zaman
// db setup`) and the Temporal server itself (schema by its SQL tool).
//
// For each scenario the driver offers a fixed load (starts per second, open
// loop) and then saturates the server (a fixed number of clients, each
// starting the next workflow when its last one completes). Server CPU time
// and RSS come from /proc of the server process; on PostgreSQL also the CPU
// of the database's processes and the transactions and rows its
// pg_stat_database counts for the server's databases.
package main

import (
	"flag"
	"log"
	"os"
	"strconv"
	"time"
)

// envOr: the environment variable's value, or `fallback` when unset.
func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func main() {
	zamanBin := flag.String("zaman", "build/bin/zaman", "the zaman binary")
	temporalBin := flag.String("temporal", "tests/cli/bin/temporal", "the temporal CLI (reference dev server, -store sqlite)")
	out := flag.String("out", "", "the Markdown report to write")
	var load loadFlags
	flag.IntVar(&load.rate, "rate", 20, "fixed offered load: workflow starts per second")
	flag.IntVar(&load.clients, "clients", 32, "saturation: workflows kept in flight")
	flag.DurationVar(&load.duration, "duration", 8*time.Second, "length of each load phase")
	flag.IntVar(&load.parked, "parked", 2000, "workflows parked on timers")
	flag.IntVar(&load.signals, "signals", 2000, "signals in the storm")
	profile := flag.String("profile", "", "instead: profile Zaman under callgrind at saturation (one noop "+
		"activity per workflow) and write the top costs to this file")
	store := flag.String("store", "sqlite", "where the servers keep their data: sqlite | postgres")
	shards := flag.Int("shards", 4, "-store postgres: history shards of both servers")
	pgPort, _ := strconv.Atoi(envOr("ZAMAN_TEST_POSTGRES_PORT", "5432"))
	pg := &postgres{}
	flag.StringVar(&pg.host, "pg-host", envOr("ZAMAN_TEST_POSTGRES_HOST", "127.0.0.1"), "-store postgres: host")
	flag.IntVar(&pg.port, "pg-port", pgPort, "-store postgres: port")
	flag.StringVar(&pg.user, "pg-user", envOr("ZAMAN_TEST_POSTGRES_USER", "zaman"),
		"-store postgres: user (one who may create databases)")
	flag.StringVar(&pg.password, "pg-password", envOr("ZAMAN_TEST_POSTGRES_PASSWORD", "zaman"), "-store postgres: password")
	flag.IntVar(&pg.postmaster, "pg-pid", 0, "-store postgres: the postmaster's pid (first line of its "+
		"postmaster.pid), for the database CPU; it must run on this machine")
	var temporal temporalServer
	flag.StringVar(&temporal.binary, "temporal-server", "bench/temporal-server/bin/temporal-server",
		"-store postgres: the Temporal server (go.temporal.io/server/cmd/server)")
	flag.StringVar(&temporal.sqlTool, "temporal-sql-tool", "bench/temporal-server/bin/temporal-sql-tool",
		"-store postgres: its SQL schema tool (go.temporal.io/server/cmd/tools/sql)")
	flag.StringVar(&temporal.schemaDir, "temporal-schema", "",
		"-store postgres: the same release's schema/postgresql/v12 directory")
	metricsCostOut := flag.String("metrics-cost", "", "instead: CPU per 1,000 one-activity workflows without and with "+
		"metrics (a Markdown report to write)")
	rounds := flag.Int("rounds", 3, "-metrics-cost: rounds of each")
	flag.StringVar(&serverCPUs, "server-cpus", defaultServerCPUs(), "pin every server to these cores (taskset -c); "+
		"empty: not pinned")
	scaleOut := flag.String("scale-out", "", "instead: the scale scenario (parked workflows and a backlog across "+
		"a restart, SQLite), its Markdown report to write")
	var scale scaleSize
	flag.IntVar(&scale.parked, "scale-parked", 2000, "-scale-out: workflows parked on timers")
	flag.IntVar(&scale.backlog, "scale-backlog", 1000, "-scale-out: workflows waiting on a queue nobody polls")
	flag.Float64Var(&scale.dueFraction, "scale-due-fraction", 0.01, "-scale-out: the parked workflows due after the restart")
	flag.DurationVar(&scale.dueAfter, "scale-due-after", 45*time.Second, "-scale-out: their timers, from when they were set")
	flag.IntVar(&scale.starters, "scale-starters", 64, "-scale-out: concurrent starters")
	flag.BoolVar(&scale.sigterm, "scale-sigterm", true, "-scale-out: a SIGTERM restart before the kill -9 one")
	refParked := flag.Int("scale-reference-parked", -1, "-scale-out: the reference's parked workflows (-1: as Zaman's; "+
		"0: the reference is not run)")
	refBacklog := flag.Int("scale-reference-backlog", -1, "-scale-out: the reference's backlog (-1: as Zaman's)")
	zamanOnly := flag.Bool("zaman-only", false, "instead: measure Zaman alone and print its CPU per scenario")
	only := flag.String("scenario", "", "-zaman-only: only this scenario (its name as printed)")
	flag.Parse()
	log.SetFlags(log.Ltime)
	if *zamanOnly {
		quick(*zamanBin, load, *only)
		return
	}
	if *scaleOut != "" {
		runScale(*scaleOut, *zamanBin, *temporalBin, scale, *refParked, *refBacklog)
		return
	}
	if *metricsCostOut != "" {
		metricsCost(*zamanBin, *metricsCostOut, load, *rounds)
		return
	}
	if *profile != "" {
		profileZaman(*zamanBin, *profile, load.clients, load.duration)
		return
	}

	cmp := comparison{load: load}
	switch *store {
	case "sqlite":
		cmp.headline = "the reference Temporal dev server"
		cmp.setting = "Both servers on a fresh on-disk SQLite file"
		cmp.command = "`make bench` (`bench/run`)"
		cmp.z = measure("zaman", func(dir string) launch { return devLaunch("zaman", *zamanBin, dir) }, load)
		cmp.r = measure("reference", func(dir string) launch { return devLaunch("reference", *temporalBin, dir) }, load)
	case "postgres":
		if pg.postmaster == 0 || temporal.schemaDir == "" {
			log.Fatal("-store postgres needs -pg-pid and -temporal-schema")
		}
		version, err := pg.psql("postgres", "SHOW server_version")
		if err != nil {
			log.Fatal(err)
		}
		cmp.onPostgres = true
		cmp.headline = "the Temporal server on PostgreSQL"
		cmp.setting = "Both servers on one PostgreSQL " + version + " (each on fresh databases of its own, " +
			strconv.Itoa(*shards) + " history shards): Zaman by `zaman server start --config`, the reference is the\n" +
			"Temporal server itself (`go.temporal.io/server/cmd/server`, the release the pinned CLI embeds, schema by its\n" +
			"`temporal-sql-tool`, frontend, history, matching and worker in one process)"
		cmp.command = "`make bench STORE=postgres` (`bench/run-postgres`)"
		cmp.z = measure("zaman", func(dir string) launch { return zamanLaunch(pg, *zamanBin, dir, *shards) }, load)
		cmp.r = measure("reference", func(dir string) launch { return temporal.launch(pg, dir, *shards) }, load)
	default:
		log.Fatalf("-store: sqlite or postgres, not %q", *store)
	}
	report := cmp.markdown(*out)
	if *out == "" {
		os.Stdout.WriteString(report)
		return
	}
	if err := os.WriteFile(*out, []byte(report), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s", *out)
}
