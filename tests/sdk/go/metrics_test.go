//go:build metrics

// Zaman's Prometheus metrics under a Go SDK worker's load. tests/metrics/run.sh
// starts zaman with --metrics-port and a throw-away Prometheus scraping it,
// and runs these with ZAMAN_METRICS_URL and ZAMAN_PROMETHEUS_URL set.
package sdktest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

var failedFirstTask sync.Map // workflow id -> true

// Fails its first workflow task (RespondWorkflowTaskFailed), then completes.
func FailsFirstTaskWorkflow(ctx workflow.Context) error {
	if _, failed := failedFirstTask.LoadOrStore(workflow.GetInfo(ctx).WorkflowExecution.ID, true); !failed {
		panic("the first workflow task fails")
	}
	return nil
}

func scrape(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(os.Getenv("ZAMAN_METRICS_URL"))
	if err != nil {
		t.Fatalf("scraping zaman: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scraping zaman: %s", resp.Status)
	}
	return string(body)
}

var labelPair = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)

// The sum of the samples of `name` that carry every label in `want`.
func sample(text, name string, want map[string]string) float64 {
	total := 0.0
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, name+"{") {
			continue
		}
		end := strings.LastIndex(line, "}")
		labels := map[string]string{}
		for _, m := range labelPair.FindAllStringSubmatch(line[len(name)+1:end], -1) {
			labels[m[1]] = m[2]
		}
		matches := true
		for k, v := range want {
			matches = matches && labels[k] == v
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(line[end+1:]), 64); err == nil && matches {
			total += v
		}
	}
	return total
}

func TestMetricsCountWhatAUserDoes(t *testing.T) {
	c := dial(t)
	queue := uniqueID("metrics-count")
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(GreetingWorkflow)
	w.RegisterActivity(Greet)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	starts := map[string]string{"operation": "StartWorkflowExecution", "namespace": "default", "service_name": "frontend"}
	completed := map[string]string{"operation": "CompletionStats", "namespace": "default"}
	before := scrape(t)
	run, err := c.ExecuteWorkflow(ctx(t), client.StartWorkflowOptions{ID: uniqueID("metrics"), TaskQueue: queue},
		GreetingWorkflow, "metrics")
	if err != nil {
		t.Fatal(err)
	}
	afterStart := scrape(t)
	if got, want := sample(afterStart, "service_requests", starts), sample(before, "service_requests", starts)+1; got != want {
		t.Errorf("service_requests{operation=StartWorkflowExecution} = %v after one start, want %v", got, want)
	}
	if err := run.Get(ctx(t), nil); err != nil {
		t.Fatal(err)
	}
	after := scrape(t)
	if got, want := sample(after, "workflow_success", completed), sample(before, "workflow_success", completed)+1; got != want {
		t.Errorf("workflow_success = %v after one completed workflow, want %v", got, want)
	}
	acts := map[string]string{"operation": "RespondActivityTaskCompleted", "service_name": "frontend"}
	if got, want := sample(after, "service_requests", acts), sample(before, "service_requests", acts)+1; got != want {
		t.Errorf("service_requests{operation=RespondActivityTaskCompleted} = %v after one activity, want %v", got, want)
	}
	if sample(after, "process_resident_memory_bytes", nil) == 0 && !strings.Contains(after, "process_resident_memory_bytes ") {
		t.Error("no process_resident_memory_bytes")
	}
}

// Work of every kind the dashboards show, in rounds a few scrapes apart (a
// rate needs a series to grow between two scrapes): activities (matched at
// once and from the backlog), timers, failures, timeouts, terminations,
// cancellations, continue-as-new, failed workflow tasks, expected errors.
func generateLoad(t *testing.T, c client.Client) {
	queue := uniqueID("metrics-load")
	w := worker.New(c, queue, worker.Options{DisableEagerActivities: true}) // activities through matching
	for _, wf := range []interface{}{GreetingWorkflow, TimerWorkflow, NonRetryableWorkflow, RunsTooLong,
		WaitForeverWorkflow, CountingWorkflow, FailsFirstTaskWorkflow} {
		w.RegisterWorkflow(wf)
	}
	w.RegisterActivity(Greet)
	w.RegisterActivity(AlwaysFails)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	for round := 0; round < 3; round++ {
		loadRound(t, c, queue)
		time.Sleep(2 * time.Second)
	}
}

func loadRound(t *testing.T, c client.Client, queue string) {
	start := func(queue string, opts client.StartWorkflowOptions, wf interface{}, args ...interface{}) client.WorkflowRun {
		opts.TaskQueue = queue
		if opts.ID == "" {
			opts.ID = uniqueID("load")
		}
		r, err := c.ExecuteWorkflow(ctx(t), opts, wf, args...)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// Waiting in a backlog until their worker starts, a scrape later.
	late := uniqueID("metrics-late")
	var runs []client.WorkflowRun
	for i := 0; i < 5; i++ {
		runs = append(runs, start(late, client.StartWorkflowOptions{}, GreetingWorkflow, fmt.Sprint("early ", i)))
	}
	for i := 0; i < 20; i++ {
		runs = append(runs, start(queue, client.StartWorkflowOptions{}, GreetingWorkflow, fmt.Sprint("load ", i)))
	}
	runs = append(runs,
		start(queue, client.StartWorkflowOptions{}, TimerWorkflow),
		start(queue, client.StartWorkflowOptions{}, CountingWorkflow, 0, 2),
		start(queue, client.StartWorkflowOptions{WorkflowTaskTimeout: time.Second}, FailsFirstTaskWorkflow))
	fails := start(queue, client.StartWorkflowOptions{}, NonRetryableWorkflow)
	timesOut := start(queue, client.StartWorkflowOptions{WorkflowRunTimeout: time.Second}, RunsTooLong)
	terminated := start(queue, client.StartWorkflowOptions{}, WaitForeverWorkflow)
	canceled := start(queue, client.StartWorkflowOptions{}, WaitForeverWorkflow)

	// Expected errors: a duplicate start, a run that does not exist.
	_, err := c.ExecuteWorkflow(ctx(t), client.StartWorkflowOptions{ID: terminated.GetID(), TaskQueue: queue,
		WorkflowExecutionErrorWhenAlreadyStarted: true}, WaitForeverWorkflow)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if !errors.As(err, &already) {
		t.Fatalf("duplicate start: %v", err)
	}
	if _, err := c.DescribeWorkflowExecution(ctx(t), uniqueID("never-started"), ""); err == nil {
		t.Fatal("describing a workflow that never ran succeeded")
	}
	time.Sleep(1500 * time.Millisecond) // the backlog is scraped; both waiting workflows have started
	lateWorker := worker.New(c, late, worker.Options{DisableEagerActivities: true})
	lateWorker.RegisterWorkflow(GreetingWorkflow)
	lateWorker.RegisterActivity(Greet)
	if err := lateWorker.Start(); err != nil {
		t.Fatal(err)
	}
	defer lateWorker.Stop()
	if err := c.TerminateWorkflow(ctx(t), terminated.GetID(), "", "metrics test"); err != nil {
		t.Fatal(err)
	}
	if err := c.CancelWorkflow(ctx(t), canceled.GetID(), ""); err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if err := r.Get(waitCtx(t), nil); err != nil {
			t.Fatalf("%s: %v", r.GetID(), err)
		}
	}
	for _, r := range []client.WorkflowRun{fails, timesOut, terminated, canceled} {
		if err := r.Get(waitCtx(t), nil); err == nil {
			t.Fatalf("%s ended without an error", r.GetID())
		}
	}
	if _, err := c.ListWorkflow(ctx(t), &workflowservice.ListWorkflowExecutionsRequest{Namespace: "default"}); err != nil {
		t.Fatal(err)
	}
}

type promResult struct {
	Status string `json:"status"`
	Error  string `json:"error"`
	Data   struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

// Whether the query returns at least one value that is a number (not NaN).
func queryHasData(query string) (bool, error) {
	resp, err := http.Get(os.Getenv("ZAMAN_PROMETHEUS_URL") + "/api/v1/query?query=" + url.QueryEscape(query))
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	var r promResult
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return false, err
	}
	if r.Status != "success" {
		return false, fmt.Errorf("prometheus: %s", r.Error)
	}
	var values [][2]interface{}
	switch r.Data.ResultType {
	case "vector":
		var samples []struct {
			Value [2]interface{} `json:"value"`
		}
		if err := json.Unmarshal(r.Data.Result, &samples); err != nil {
			return false, err
		}
		for _, s := range samples {
			values = append(values, s.Value)
		}
	case "scalar":
		var v [2]interface{}
		if err := json.Unmarshal(r.Data.Result, &v); err != nil {
			return false, err
		}
		values = append(values, v)
	default:
		return false, fmt.Errorf("result type %s", r.Data.ResultType)
	}
	for _, v := range values {
		s, _ := v[1].(string)
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) {
			return true, nil
		}
	}
	return false, nil
}

// Every query of deploy/grafana/dashboards/*.json, its panel's title first.
func dashboardQueries(t *testing.T) map[string]string {
	files, _ := filepath.Glob("../../../deploy/grafana/dashboards/*.json")
	if len(files) == 0 {
		t.Fatal("no dashboards found")
	}
	queries := map[string]string{}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Panels []struct {
				Title   string `json:"title"`
				Targets []struct {
					Expr string `json:"expr"`
				} `json:"targets"`
			} `json:"panels"`
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, p := range d.Panels {
			for i, target := range p.Targets {
				expr := strings.ReplaceAll(target.Expr, "$__rate_interval", "1m")
				queries[fmt.Sprintf("%s: %s #%d", filepath.Base(file), p.Title, i+1)] = expr
			}
		}
	}
	return queries
}

var alertExpr = regexp.MustCompile(`^\s*expr:\s*(.+?)\s*(==|!=|>=|<=|>|<)\s*[0-9.]+\s*$`)

// The query of every rule of deploy/prometheus/alerts.yml, without its threshold.
func alertQueries(t *testing.T) map[string]string {
	raw, err := os.ReadFile("../../../deploy/prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	queries := map[string]string{}
	alert := ""
	for _, line := range strings.Split(string(raw), "\n") {
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "- alert:"); ok {
			alert = strings.TrimSpace(name)
		} else if strings.Contains(line, "expr:") {
			m := alertExpr.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("alert %s: expr is not `<query> <comparison> <threshold>` on one line: %s", alert, line)
			}
			queries["alert "+alert] = m[1]
		}
	}
	if len(queries) == 0 {
		t.Fatal("no alert rules found")
	}
	return queries
}

// The panels of Temporal's server-general dashboard (temporalio/dashboards)
// that apply to a server on its own; left out are those on Go's runtime, on
// Temporal Cloud's billing (actions), and on calls between a cluster's
// processes (client_*), and workflow-task timeouts, which this load has none of.
var temporalServerGeneral = map[string]string{
	"Service Availability":      `100 - (sum(rate(service_errors[2m]) OR on() vector(0)) / sum(rate(service_requests[2m])) * 100)`,
	"Persistence Availability":  `100 - (sum (rate(persistence_errors[2m]) OR on() vector(0)) /sum (rate(persistence_requests[2m])) * 100)`,
	"External Events":           `sum by (operation) (rate(service_requests{operation=~"StartWorkflowExecution|SignalWorkflowExecution|SignalWithStartWorkflowExecution"}[2m]))`,
	"Workflow Tasks #1":         `sum(rate(service_requests{ operation="AddWorkflowTask"}[2m]))`,
	"Workflow Tasks #2":         `sum(rate(service_requests{ operation="RecordWorkflowTaskStarted"}[2m]))`,
	"Workflow Tasks #3":         `sum(rate(service_requests{ operation="RespondWorkflowTaskCompleted"}[2m]))`,
	"Workflow Tasks #4":         `sum(rate(service_requests{ operation="RespondWorkflowTaskFailed"}[2m]))`,
	"Activities #1":             `sum(rate(service_requests{operation="AddActivityTask"}[2m]))`,
	"Activities #2":             `sum(rate(service_requests{operation="RecordActivityTaskStarted"}[2m]))`,
	"Activities #3":             `sum(rate(service_requests{operation=~"RespondActivityTaskCompleted|RespondActivityTaskFailed|RespondActivityTaskCanceled"}[2m]))`,
	"Shard Rebalancing #1":      `sum(rate(membership_changed_count[2m]))`,
	"Shard Rebalancing #2":      `sum(rate(sharditem_created_count[2m]))`,
	"Shard Rebalancing #3":      `sum(rate(sharditem_removed_count[2m]))`,
	"Shard Rebalancing #4":      `sum(rate(shard_closed_count[2m]))`,
	"Shard Distribution":        `numshards_gauge`,
	"Restarts":                  `sum by (temporal_service_type) (restarts)`,
	"Completion Overview #1":    `sum(rate(workflow_success{ operation="CompletionStats"}[5m]))`,
	"Completion Overview #2":    `sum(rate(workflow_failed{ operation="CompletionStats"}[5m]))`,
	"Completion Overview #3":    `sum(rate(workflow_timeout{ operation="CompletionStats"}[5m]))`,
	"Completion Overview #4":    `sum(rate(workflow_terminate{ operation="CompletionStats"}[5m]))`,
	"Completion Overview #5":    `sum(rate(workflow_cancel{ operation="CompletionStats"}[5m]))`,
	"Success By Namespace":      `sum by (temporal_namespace) (rate(workflow_success{ operation="CompletionStats"}[5m]))`,
	"Failed By Namespace":       `sum by (temporal_namespace) (rate(workflow_failed{ operation="CompletionStats"}[5m]))`,
	"Timedout By Namespace":     `sum by (temporal_namespace) (rate(workflow_timeout{ operation="CompletionStats"}[5m]))`,
	"Terminate By Namespace":    `sum by (temporal_namespace) (rate(workflow_terminate{ operation="CompletionStats"}[5m]))`,
	"Cancelled By Namespace":    `sum by (temporal_namespace) (rate(workflow_cancel{ operation="CompletionStats"}[5m]))`,
	"Requests Vs Errors #1":     `sum (rate(service_requests[5m]))`,
	"Requests Vs Errors #2":     `sum (rate(service_errors[5m]))`,
	"Requests Per Operation":    `sum by (operation) (rate(service_requests[5m]))`,
	"Errors Break Down #1":      `sum(rate(service_errors_entity_not_found[5m]) OR on() vector(0))`,
	"Errors Break Down #2":      `sum(rate(service_errors_execution_already_started[5m]) OR on() vector(0))`,
	"Errors Break Down #3":      `sum by (__name__) (rate({__name__=~"service_errors_.*"}[5m]))`,
	"Errors By Operation":       `sum by (operation) (rate(service_errors[5m]))`,
	"Service Latency":           `histogram_quantile(0.95, sum(rate(service_latency_bucket[5m])) by (operation, le))`,
	"Persistence Requests #1":   `sum (rate(persistence_requests[5m]) OR on() vector(0))`,
	"Persistence Requests #2":   `sum (rate(persistence_errors[5m]) OR on() vector(0))`,
	"Persistence Per Operation": `sum by (operation) (rate(persistence_requests[5m]))`,
	"Persistence Errors By Op":  `sum by (operation) (rate(persistence_errors[5m]))`,
	"Persistence Latency":       `histogram_quantile(0.95, sum(rate(persistence_latency_bucket[1m])) by (operation, le))`,
}

func TestMetricsEveryShippedQueryHasData(t *testing.T) {
	generateLoad(t, dial(t))
	queries := map[string]string{}
	for name, q := range dashboardQueries(t) {
		queries[name] = q
	}
	for name, q := range alertQueries(t) {
		queries[name] = q
	}
	for name, q := range temporalServerGeneral {
		queries["Temporal server-general: "+name] = q
	}
	// Prometheus scrapes every second; give it a few scrapes of what the
	// load just did before asking.
	deadline := time.Now().Add(30 * time.Second)
	time.Sleep(3 * time.Second)
	for name, q := range queries {
		for {
			ok, err := queryHasData(q)
			if err != nil {
				t.Errorf("%s: %v\n  %s", name, err, q)
				break
			}
			if ok {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("%s: no data\n  %s", name, q)
				break
			}
			time.Sleep(time.Second)
		}
	}
	t.Logf("%d queries checked", len(queries))
}
