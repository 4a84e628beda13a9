// A workflow task that fails again and again is retried as Temporal does:
// the first failure is written, the retries (transient tasks) are not, so
// the history stays short however long the worker keeps failing.
package sdktest

import (
	"context"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"
)

func AlwaysPanicsWorkflow(ctx workflow.Context) error {
	panic("this workflow task always fails")
}

func TestFailingWorkflowTaskRetriesLeaveOneFailure(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	startWorkflowWorker(t, c, queue, AlwaysPanicsWorkflow)
	id := uniqueID("always-panics")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: queue, WorkflowTaskTimeout: time.Second,
	}, AlwaysPanicsWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.TerminateWorkflow(ctx, id, "", "test done") }()
	// The SDK fails the first attempt and lets later ones time out (1 s).
	time.Sleep(4 * time.Second)
	desc, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	if attempt := desc.GetPendingWorkflowTask().GetAttempt(); attempt < 3 {
		t.Fatalf("pending workflow task attempt %d, want retries past 2", attempt)
	}
	n, counts := historyLength(t, c, id)
	if counts[enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED] != 1 || counts[enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT] != 0 {
		t.Fatalf("want one failure written and no timeouts, got %v", counts)
	}
	// Started, scheduled, started, failed.
	if n != 4 {
		t.Fatalf("history has %d events %v, want 4", n, counts)
	}
}
