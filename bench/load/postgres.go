package main

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A PostgreSQL instance the servers run on, each on fresh databases of its
// own, one server after the other.
type postgres struct {
	host, user, password string
	port                 int
	postmaster           int // pid, for the database CPU
}

// The databases one server writes, and the instance they are on.
type serverDB struct {
	pg    *postgres
	names []string
}

// statsFlushWait: PostgreSQL backends report their transaction and row
// counts to pg_stat_database at most once a second while busy and up to 10 s
// after going idle, and a phase's workflow-task timeout timers come due 10 s
// after their tasks; so a phase's costs are read this long after it ends.
const statsFlushWait = 11 * time.Second

// psql runs one statement on database `db` and returns its unaligned output.
func (pg *postgres) psql(db, statement string) (string, error) {
	cmd := exec.Command("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", pg.host,
		"-p", strconv.Itoa(pg.port), "-U", pg.user, "-d", db, "-c", statement)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+pg.password)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("psql %q: %v: %s", statement, err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// cpuSeconds is the user+system CPU time of the whole instance so far: the
// postmaster, its live children (backends, checkpointer, autovacuum, ...),
// and the children it has reaped (counted in its cutime and cstime).
func (pg *postgres) cpuSeconds() float64 {
	total := cpuTicks(procStat(pg.postmaster), 14, 15, 16, 17)
	entries, _ := os.ReadDir("/proc")
	parent := strconv.Itoa(pg.postmaster)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if stat := procStat(pid); len(stat) > 1 && stat[1] == parent {
			total += cpuTicks(stat, 14, 15)
		}
	}
	return total
}

// freshName is a database name not used before on this instance.
func freshName(prefix string) string {
	return fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano())
}

// stats are the database's committed transactions and rows inserted,
// updated and deleted so far, summed over the server's databases.
func (db *serverDB) stats() (xacts, rows int64) {
	out, err := db.pg.psql("postgres", fmt.Sprintf("SELECT coalesce(sum(xact_commit), 0) || ' ' || "+
		"coalesce(sum(tup_inserted + tup_updated + tup_deleted), 0) FROM pg_stat_database WHERE datname IN ('%s')",
		strings.Join(db.names, "', '")))
	if err != nil {
		log.Printf("database counters: %v", err)
		return 0, 0
	}
	fmt.Sscan(out, &xacts, &rows)
	return xacts, rows
}

// drop removes the server's databases (the server has stopped).
func (db *serverDB) drop() {
	for _, name := range db.names {
		if _, err := db.pg.psql("postgres", "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			log.Print(err)
		}
	}
}

func run(what string, binary string, args ...string) {
	if out, err := exec.Command(binary, args...).CombinedOutput(); err != nil {
		log.Fatalf("%s: %v: %s", what, err, out)
	}
}

// zamanLaunch: `zaman server start --config` on a fresh database, its schema
// made by `zaman db setup`.
func zamanLaunch(pg *postgres, binary, dir string, shards int) launch {
	db := &serverDB{pg: pg, names: []string{freshName("zaman_bench")}}
	port := freePort()
	config := filepath.Join(dir, "zaman.yaml")
	writeFile(config, fmt.Sprintf(`log: {level: warn}
frontend: {ip: 127.0.0.1, port: %d}
cluster: {num_shards: %d}
persistence:
  driver: postgres
  postgres: {host: %s, port: %d, user: %s, password: %s, database: %s}
namespaces: [{name: default, retention: 24h}]
`, port, shards, pg.host, pg.port, pg.user, pg.password, db.names[0]))
	run("zaman db setup", binary, "db", "setup", "--config", config)
	return launch{binary: binary, args: []string{"server", "start", "--config", config}, port: port, db: db}
}

// The Temporal server's own programs: the server and its SQL schema tool,
// with the schema directory of the same release (schema/postgresql/v12).
type temporalServer struct {
	binary, sqlTool, schemaDir string
}

// launch: the Temporal server (frontend, history, matching and worker in
// one process) on a fresh default-store database and a fresh visibility
// database, their schemas made by its SQL tool.
func (t temporalServer) launch(pg *postgres, dir string, shards int) launch {
	base := freshName("temporal_bench")
	db := &serverDB{pg: pg, names: []string{base, base + "_visibility"}}
	for i, schema := range []string{"temporal", "visibility"} {
		tool := []string{"--plugin", "postgres12", "--ep", pg.host, "--port", strconv.Itoa(pg.port),
			"--user", pg.user, "--password", pg.password, "--db", db.names[i]}
		run("temporal-sql-tool create-database", t.sqlTool, append(tool, "create-database")...)
		run("temporal-sql-tool setup-schema", t.sqlTool, append(tool, "setup-schema", "-v", "0.0")...)
		run("temporal-sql-tool update-schema", t.sqlTool,
			append(tool, "update-schema", "-d", filepath.Join(t.schemaDir, schema, "versioned"))...)
	}
	port := freePort()
	store := func(name string, conns int) string {
		return fmt.Sprintf(`      sql:
        pluginName: postgres12
        databaseName: %s
        connectAddr: "%s:%d"
        connectProtocol: tcp
        user: %s
        password: %s
        maxConns: %d
        maxIdleConns: %d
        maxConnLifetime: 1h
`, name, pg.host, pg.port, pg.user, pg.password, conns, conns)
	}
	service := func(name string, grpc int, extra string) string {
		return fmt.Sprintf("  %s:\n    rpc: {grpcPort: %d, membershipPort: %d, bindOnLocalHost: true%s}\n",
			name, grpc, freeLowPort(), extra)
	}
	config := "log: {stdout: true, level: error}\n" +
		"persistence:\n  defaultStore: default\n  visibilityStore: visibility\n" +
		fmt.Sprintf("  numHistoryShards: %d\n  datastores:\n    default:\n", shards) + store(db.names[0], 20) +
		"    visibility:\n" + store(db.names[1], 10) +
		"global:\n  membership: {maxJoinDuration: 30s, broadcastAddress: 127.0.0.1}\n" +
		fmt.Sprintf("  metrics:\n    prometheus: {framework: tally, timerType: histogram, listenAddress: \"127.0.0.1:%d\"}\n",
			freePort()) +
		"services:\n" + service("frontend", port, fmt.Sprintf(", httpPort: %d", freePort())) +
		service("history", freePort(), "") + service("matching", freePort(), "") + service("worker", freePort(), "") +
		"clusterMetadata:\n  enableGlobalNamespace: false\n  failoverVersionIncrement: 10\n" +
		"  masterClusterName: active\n  currentClusterName: active\n  clusterInformation:\n" +
		fmt.Sprintf("    active: {enabled: true, initialFailoverVersion: 1, rpcName: frontend, rpcAddress: \"127.0.0.1:%d\"}\n", port) +
		"dcRedirectionPolicy: {policy: noop}\n"
	writeFile(filepath.Join(dir, "config", "bench.yaml"), config)
	return launch{binary: t.binary, port: port, db: db, registerDefault: true,
		args: []string{"--root", dir, "--config", "config", "--env", "bench", "--allow-no-auth", "start"}}
}

func writeFile(path, text string) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		log.Fatal(err)
	}
}
