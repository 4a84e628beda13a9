package main

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
)

// profileZaman runs Zaman under callgrind while `clients` workflows with one
// activity each are kept in flight, then writes callgrind_annotate's top
// functions (by instructions, inclusive and self) into `out`.
func profileZaman(binary, out string, clients int, d time.Duration) {
	dir, _ := os.MkdirTemp("", "zaman-profile")
	defer os.RemoveAll(dir)
	data := filepath.Join(dir, "callgrind.out")
	wrapper = []string{"valgrind", "--tool=callgrind", "--callgrind-out-file=" + data}
	srv := startServer("zaman", devLaunch("zaman", binary, dir), dir)
	c, err := client.Dial(client.Options{HostPort: srv.address, Logger: quiet{}})
	if err != nil {
		log.Fatal(err)
	}
	w := worker.New(c, "bench", worker.Options{MaxConcurrentWorkflowTaskPollers: 8, MaxConcurrentActivityTaskPollers: 8})
	w.RegisterWorkflow(OneActivityWorkflow)
	w.RegisterActivity(Noop)
	if err := w.Start(); err != nil {
		log.Fatal(err)
	}
	log.Printf("profiling: %d clients for %v", clients, d)
	f := saturate(c, srv, "bench", scenarios[1], clients, d)
	w.Stop()
	c.Close()
	srv.stop()
	var b strings.Builder
	fmt.Fprintf(&b, "# Zaman under callgrind at saturation — %s\n\n", time.Now().Format("2006-01-02"))
	fmt.Fprintf(&b, "Command: `bench/run -profile %s -clients %d -duration %v`: Zaman runs under `valgrind\n",
		filepath.Base(out), clients, d)
	fmt.Fprintf(&b, "--tool=callgrind` while %d workflows with one no-op activity each are kept in flight; %d completed\n",
		clients, f.completed)
	fmt.Fprintf(&b, "(callgrind slows the server some 50×). Costs are instructions executed.\n\n")
	for _, mode := range []struct{ title, flag string }{{"Inclusive (a function and what it calls)", "--inclusive=yes"},
		{"Self", "--inclusive=no"}} {
		annotated, err := exec.Command("callgrind_annotate", mode.flag, "--threshold=100", data).Output()
		if err != nil {
			log.Fatalf("callgrind_annotate: %v", err)
		}
		fmt.Fprintf(&b, "## %s, top 25\n\n```\n", mode.title)
		lines := strings.Split(string(annotated), "\n")
		shown := 0
		inTable := false
		for _, line := range lines {
			if strings.Contains(line, "file:function") {
				inTable = true
				continue
			}
			if !inTable || strings.TrimSpace(line) == "" || strings.HasPrefix(line, "-") {
				continue
			}
			if len(line) > 160 {
				line = line[:160] + "…"
			}
			fmt.Fprintln(&b, line)
			if shown++; shown == 25 {
				break
			}
		}
		fmt.Fprintf(&b, "```\n\n")
	}
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s", out)
}
