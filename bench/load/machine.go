package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// machineCores counts the machine's cores (/proc/cpuinfo), not the ones
// this process may run on: bench/run pins the driver to one of them.
func machineCores() int {
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	n := 0
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "processor") {
			n++
		}
	}
	return n
}

// defaultServerCPUs: the core every server is pinned to, when the machine
// has two or more (the driver takes core 0).
func defaultServerCPUs() string {
	if machineCores() >= 2 {
		return "1"
	}
	return ""
}

// machineLine: "Machine: host, cores, memory, kernel." and where the
// driver and the servers ran, for a report's header.
func machineLine() string {
	host, _ := os.Hostname()
	kernel, _ := exec.Command("uname", "-r").Output()
	mem := "?"
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		mem = strings.Fields(strings.Split(string(raw), "\n")[0])[1] + " kB"
	}
	line := fmt.Sprintf("Machine: %s, %d cores, %s memory, kernel %s.", host, machineCores(), mem,
		strings.TrimSpace(string(kernel)))
	driver := "the load driver (Go SDK) runs on the same machine"
	if affinity, err := exec.Command("taskset", "-cp", fmt.Sprint(os.Getpid())).Output(); err == nil {
		f := strings.Fields(string(affinity))
		driver = "the load driver (Go SDK) runs on core(s) " + f[len(f)-1]
	}
	if serverCPUs != "" {
		return line + " The server under test is pinned to core " + serverCPUs + " (`taskset -c`); " + driver + "."
	}
	return line + " The server and " + driver + " share the cores."
}
