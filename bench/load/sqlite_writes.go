package main

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// sqliteWrites reads Zaman's count of SQLite write transactions and rows
// written from its /metrics (persistence_sqlite_transactions,
// persistence_sqlite_rows_written); zeros when it cannot be read.
func (s *server) sqliteWrites() (transactions, rows int64) {
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", s.metricsPort))
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	scanner := bufio.NewScanner(resp.Body)
	scanner.Buffer(make([]byte, 0, 1<<16), 1<<20)
	for scanner.Scan() {
		line := scanner.Text()
		fields := strings.Fields(line)
		if len(fields) < 2 || strings.HasPrefix(line, "#") {
			continue
		}
		value, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			continue
		}
		switch {
		case strings.HasPrefix(line, "persistence_sqlite_transactions"):
			transactions += int64(value)
		case strings.HasPrefix(line, "persistence_sqlite_rows_written"):
			rows += int64(value)
		}
	}
	return transactions, rows
}
