package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/types/known/durationpb"
)

// A server under test: its process, its frontend and, on PostgreSQL, the
// databases it writes.
type server struct {
	name    string
	cmd     *exec.Cmd
	address string
	startup time.Duration
	db      *serverDB // nil on SQLite
	// Zaman on SQLite: its /metrics port, for the store's transactions and
	// rows written (0: not read).
	metricsPort int
	idle        rates         // on PostgreSQL, measured before the load
	exited      chan struct{} // closed when the process has exited
	log         string
}

// How to start a server: the program, its arguments, its frontend port.
type launch struct {
	binary string
	args   []string
	port   int
	db     *serverDB
	// metricsPort: where Zaman on SQLite serves /metrics (0: nowhere).
	metricsPort int
	// registerDefault: the server does not make the `default` namespace by
	// itself (the Temporal server; its dev server and Zaman do).
	registerDefault bool
}

// freeLowPort is a free port below 32768: the Temporal server keeps its
// membership ports in a smallint column.
func freeLowPort() int {
	for {
		port := 10000 + rand.IntN(22000)
		if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			l.Close()
			return port
		}
	}
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// devLaunch: a dev server (`zaman server start-dev` or the reference
// `temporal server start-dev`) on a fresh SQLite file in dir.
func devLaunch(name, binary, dir string) launch {
	port := freePort()
	var args []string
	metricsPort := 0
	if name == "zaman" {
		metricsPort = freePort()
		args = []string{"server", "start-dev", "--port", strconv.Itoa(port), "--db-filename", filepath.Join(dir, "zaman.db"),
			"--log-level", "warn", "--metrics-port", strconv.Itoa(metricsPort)}
	} else {
		args = []string{"server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", strconv.Itoa(port),
			"--http-port", strconv.Itoa(freePort()), "--metrics-port", strconv.Itoa(freePort()),
			"--ui-port", strconv.Itoa(freePort()), "--db-filename", filepath.Join(dir, "reference.db"), "--log-level", "error"}
	}
	return launch{binary: binary, args: args, port: port, metricsPort: metricsPort}
}

// wrapper, when set, runs the server under another program (a profiler).
var wrapper []string

// serverCPUs, when set, pins every server to these cores (`taskset -c`), so
// that the driver (pinned elsewhere by bench/run) does not run on them.
var serverCPUs string

// spawn starts the server's process (its log appended to <dir>/<name>.log)
// and returns at once; `began` is when it was started.
func spawn(name string, l launch, dir string) (s *server, began time.Time) {
	binary, args := l.binary, l.args
	if len(wrapper) > 0 {
		args = append(append(append([]string{}, wrapper[1:]...), binary), args...)
		binary = wrapper[0]
	}
	if serverCPUs != "" {
		args = append([]string{"-c", serverCPUs, binary}, args...)
		binary = "taskset"
	}
	cmd := exec.Command(binary, args...)
	logFile, _ := os.OpenFile(filepath.Join(dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	began = time.Now()
	if err := cmd.Start(); err != nil {
		log.Fatalf("start %s: %v", name, err)
	}
	s = &server{name: name, cmd: cmd, address: fmt.Sprintf("127.0.0.1:%d", l.port), db: l.db,
		metricsPort: l.metricsPort, exited: make(chan struct{}), log: logFile.Name()}
	go func() { _ = cmd.Wait(); logFile.Close(); close(s.exited) }()
	return s, began
}

func startServer(name string, l launch, dir string) *server {
	s, began := spawn(name, l, dir)
	for {
		if conn, err := net.DialTimeout("tcp", s.address, 50*time.Millisecond); err == nil {
			conn.Close()
			break
		}
		if time.Since(began) > 60*time.Second {
			s.fail("did not accept connections")
		}
		s.failIfExited()
		time.Sleep(time.Millisecond)
	}
	s.startup = time.Since(began)
	s.waitForDefaultNamespace(l.registerDefault)
	return s
}

func (s *server) fail(what string) {
	tail, _ := exec.Command("tail", "-c", "2000", s.log).Output()
	log.Fatalf("%s %s; the end of its log (%s):\n%s", s.name, what, s.log, tail)
}

func (s *server) failIfExited() {
	select {
	case <-s.exited:
		s.fail("exited")
	default:
	}
}

// waitForDefaultNamespace returns once the `default` namespace answers,
// registering it first when asked to.
func (s *server) waitForDefaultNamespace(register bool) {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		c, err := client.Dial(client.Options{HostPort: s.address, Logger: quiet{}})
		if err == nil {
			ctx := context.Background()
			if register {
				_, err = c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
					Namespace: "default", WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)})
				var exists *serviceerror.NamespaceAlreadyExists
				if err == nil || errors.As(err, &exists) {
					register = false
				}
			}
			if !register {
				_, err = c.WorkflowService().DescribeNamespace(ctx,
					&workflowservice.DescribeNamespaceRequest{Namespace: "default"})
			}
			c.Close()
			if err == nil && !register {
				return
			}
		}
		s.failIfExited()
		time.Sleep(100 * time.Millisecond)
	}
	s.fail("did not answer for the default namespace")
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(120 * time.Second): // a profiler writes its data at exit
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// procStat returns the fields of /proc/<pid>/stat after the command name
// (field 3, the state, is [0]).
func procStat(pid int) []string {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	return strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
}

// cpuTicks sums the given fields of /proc/<pid>/stat (utime is 14, stime 15,
// cutime 16, cstime 17) as seconds.
func cpuTicks(stat []string, fields ...int) float64 {
	total := 0.0
	for _, f := range fields {
		if f-3 < len(stat) {
			v, _ := strconv.ParseFloat(stat[f-3], 64)
			total += v
		}
	}
	return total / 100 // clock ticks (USER_HZ = 100)
}

// cpuSeconds is the server's user+system CPU time so far.
func (s *server) cpuSeconds() float64 { return cpuTicks(procStat(s.cmd.Process.Pid), 14, 15) }

// memoryKB reads VmRSS or VmHWM (peak) from /proc.
func (s *server) memoryKB(field string) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, field+":") {
			v, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return v
		}
	}
	return 0
}

type quiet struct{}

func (quiet) Debug(string, ...interface{}) {}
func (quiet) Info(string, ...interface{})  {}
func (quiet) Warn(string, ...interface{})  {}
func (quiet) Error(string, ...interface{}) {}

var _ sdklog.Logger = quiet{}
