//go:build cluster

// A cluster of separate processes (tests/cluster/run.sh starts it: 2
// frontends, 3 history hosts, 2 matching hosts, 1 worker-role host on one
// database). An SDK worker polls through the first frontend while a client
// starts, signals, queries and updates workflows through the second. Under
// that load hosts are killed with -9, a history host joins, and every host
// is restarted one after another: every workflow must complete exactly once,
// with the result it should have.
package sdktest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func ClusterEcho(ctx context.Context, s string) (string, error) { return s, nil }

func ClusterChild(ctx workflow.Context, n int) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var out string
	if err := workflow.ExecuteActivity(ctx, ClusterEcho, fmt.Sprint(n)).Get(ctx, &out); err != nil {
		return 0, err
	}
	return n * 2, nil
}

// A timer, an activity, a child, then a signal; it answers the query
// "state" and the update "bump" all along. Returns a digest of it all.
func ClusterWorkflow(ctx workflow.Context, n int) (string, error) {
	state := "started"
	bumps := 0
	if err := workflow.SetQueryHandler(ctx, "state", func() (string, error) { return state, nil }); err != nil {
		return "", err
	}
	if err := workflow.SetUpdateHandler(ctx, "bump", func(ctx workflow.Context, by int) (int, error) {
		bumps += by
		return bumps, nil
	}); err != nil {
		return "", err
	}
	if err := workflow.Sleep(ctx, 3*time.Second); err != nil {
		return "", err
	}
	state = "slept"
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var echoed string
	if err := workflow.ExecuteActivity(actx, ClusterEcho, fmt.Sprintf("a%d", n)).Get(ctx, &echoed); err != nil {
		return "", err
	}
	state = "echoed"
	var doubled int
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: fmt.Sprintf("%s-child",
		workflow.GetInfo(ctx).WorkflowExecution.ID)})
	if err := workflow.ExecuteChildWorkflow(cctx, ClusterChild, n).Get(ctx, &doubled); err != nil {
		return "", err
	}
	state = "waiting"
	var word string
	workflow.GetSignalChannel(ctx, "go").Receive(ctx, &word)
	return fmt.Sprintf("%s/%d/%s", echoed, doubled, word), nil
}

func clusterCtl(t *testing.T, action, host string) {
	t.Helper()
	ctl := strings.Fields(os.Getenv("ZAMAN_CLUSTER_CTL"))
	out, err := exec.Command(ctl[0], append(ctl[1:], action, host)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", action, host, err, out)
	}
	t.Logf("%s %s", action, host)
}

// Retries a call that may meet a host going away (the SDK retries
// retryable errors itself; this covers a call's own deadline running out).
func untilDone(t *testing.T, what string, f func(ctx context.Context) error) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := f(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		t.Logf("%s: %v (again)", what, err)
		time.Sleep(time.Second)
	}
}

func TestClusterSurvivesHostFailures(t *testing.T) {
	addresses := strings.Split(os.Getenv("ZAMAN_CLUSTER_FRONTENDS"), ",")
	if len(addresses) != 2 {
		t.Fatal("ZAMAN_CLUSTER_FRONTENDS must name two frontends (tests/cluster/run.sh sets it)")
	}
	workerClient := dialAt(t, addresses[0])
	starter := dialAt(t, addresses[1])
	queue := fmt.Sprintf("cluster-%d", time.Now().UnixNano())
	w := worker.New(workerClient, queue, worker.Options{})
	w.RegisterWorkflow(ClusterWorkflow)
	w.RegisterWorkflow(ClusterChild)
	w.RegisterActivity(ClusterEcho)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	waves := 3
	if os.Getenv("ZAMAN_CLUSTER_MODE") == "soak" {
		waves = 12
	}
	const perWave = 10
	var mu sync.Mutex
	runs := map[string]int{} // workflow id -> n
	start := func(wave int) {
		for i := 0; i < perWave; i++ {
			n := wave*perWave + i
			id := fmt.Sprintf("%s-wf-%d", queue, n)
			untilDone(t, "start "+id, func(ctx context.Context) error {
				_, err := starter.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
					WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, ClusterWorkflow, n)
				return err
			})
			mu.Lock()
			runs[id] = n
			mu.Unlock()
		}
	}
	// Signals, updates and queries for every workflow started so far,
	// through the second frontend.
	poke := func() {
		mu.Lock()
		ids := make([]string, 0, len(runs))
		for id := range runs {
			ids = append(ids, id)
		}
		mu.Unlock()
		for _, id := range ids {
			untilDone(t, "update "+id, func(ctx context.Context) error {
				h, err := starter.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: "bump",
					Args: []interface{}{1}, WaitForStage: client.WorkflowUpdateStageCompleted})
				if err != nil {
					return err
				}
				var bumps int
				return h.Get(ctx, &bumps)
			})
			untilDone(t, "query "+id, func(ctx context.Context) error {
				v, err := starter.QueryWorkflow(ctx, id, "", "state")
				if err != nil {
					return err
				}
				var state string
				return v.Get(&state)
			})
		}
	}

	// Wave 0, then a history host dies while its workflows sleep on timers.
	start(0)
	time.Sleep(time.Second)
	clusterCtl(t, "kill", "history-1")
	start(1)
	poke()
	// A matching host dies with polls parked on it and tasks in its queues.
	clusterCtl(t, "kill", "matching-1")
	start(2)
	// A fourth history host joins: shards move to it under load.
	clusterCtl(t, "start", "history-4")
	clusterCtl(t, "start", "history-1")
	clusterCtl(t, "start", "matching-1")
	poke()
	// Every host restarted, one after another, gracefully.
	hosts := []string{"history-1", "history-2", "history-3", "history-4", "matching-1", "matching-2", "worker-1",
		"frontend-2"}
	for wave := 3; wave < waves; wave++ {
		start(wave)
		clusterCtl(t, "restart", hosts[wave%len(hosts)])
	}
	for _, host := range hosts {
		clusterCtl(t, "restart", host)
		time.Sleep(2 * time.Second)
	}

	// Let every workflow finish: the signal it waits for.
	for id := range runs {
		id := id
		untilDone(t, "signal "+id, func(ctx context.Context) error {
			return starter.SignalWorkflow(ctx, id, "", "go", "now")
		})
	}
	for id, n := range runs {
		want := fmt.Sprintf("a%d/%d/now", n, n*2)
		var got string
		untilDone(t, "result of "+id, func(ctx context.Context) error {
			return starter.GetWorkflow(ctx, id, "").Get(ctx, &got)
		})
		if got != want {
			t.Errorf("%s returned %q, want %q", id, got, want)
		}
		assertOneRun(t, starter, id)
	}
}

// Exactly one run of the workflow id, closed as completed, with one
// completion event in its history.
func assertOneRun(t *testing.T, c client.Client, id string) {
	t.Helper()
	var listed *workflowservice.ListWorkflowExecutionsResponse
	untilDone(t, "list "+id, func(ctx context.Context) error {
		var err error
		listed, err = c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("WorkflowId = '%s'", id)})
		if err == nil && (len(listed.Executions) != 1 ||
			listed.Executions[0].Status != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
			err = errors.New("visibility has not caught up")
		}
		return err
	})
	completions := 0
	untilDone(t, "history of "+id, func(ctx context.Context) error {
		completions = 0
		iter := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for iter.HasNext() {
			event, err := iter.Next()
			if err != nil {
				return err
			}
			if event.EventType == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED {
				completions++
			}
		}
		return nil
	})
	if completions != 1 {
		t.Errorf("%s: %d completion events", id, completions)
	}
}
