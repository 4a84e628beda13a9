// Local activities longer than the workflow task timeout: the SDK keeps the
// task alive by completing it with force_create_new_workflow_task and
// return_new_workflow_task, and the server must hand the next task back in
// its reply.
package sdktest

import (
	"context"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func SlowLocalActivity(ctx context.Context, d time.Duration) (string, error) {
	time.Sleep(d)
	return "slept", nil
}

func LongLocalActivityWorkflow(ctx workflow.Context, d time.Duration) (string, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: time.Minute})
	var out string
	err := workflow.ExecuteLocalActivity(ctx, SlowLocalActivity, d).Get(ctx, &out)
	return out, err
}

func TestLocalActivityLongerThanWorkflowTaskTimeout(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(LongLocalActivityWorkflow)
	w.RegisterActivity(SlowLocalActivity)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	id := uniqueID("long-local-activity")
	start, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The SDK heartbeats the task at 80% of its 2 s timeout; the activity
	// takes three of them.
	r, err := c.ExecuteWorkflow(start, client.StartWorkflowOptions{
		ID: id, TaskQueue: queue, WorkflowTaskTimeout: 2 * time.Second,
	}, LongLocalActivityWorkflow, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	done, cancelWait := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelWait()
	var out string
	if err := r.Get(done, &out); err != nil {
		t.Fatalf("workflow did not complete: %v", err)
	}
	if out != "slept" {
		t.Fatalf("result %q", out)
	}
	_, counts := historyLength(t, c, id)
	if counts[enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT] != 0 || counts[enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED] != 0 {
		t.Fatalf("workflow task timed out or failed while the local activity ran: %v", counts)
	}
	// The first task, at least one heartbeat, and the one that completes.
	if counts[enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED] < 3 {
		t.Fatalf("expected heartbeat workflow tasks, got %v", counts)
	}
	if counts[enumspb.EVENT_TYPE_MARKER_RECORDED] != 1 {
		t.Fatalf("expected one local activity marker, got %v", counts)
	}
}
