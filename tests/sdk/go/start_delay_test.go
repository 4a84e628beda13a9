// A workflow started with a start delay: an update or a SignalWithStart
// does not wait the delay out, a plain signal does.
package sdktest

import (
	"context"
	"errors"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

func delayedStart(t *testing.T, c client.Client, queue, id string) client.WorkflowRun {
	t.Helper()
	r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{
		ID: id, TaskQueue: queue, StartDelay: time.Hour,
	}, RunningTotalWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Starts a RunningTotalWorkflow with an hour's start delay and sends it
// the update "add" `n` while it waits.
func updateDuringStartDelay(t *testing.T, n int) (client.Client, string, client.WorkflowRun, client.WorkflowUpdateHandle) {
	t.Helper()
	c, queue := dial(t), "go-"+t.Name()
	startTotalWorker(t, c, queue)
	id := uniqueID("delayed-update")
	r := delayedStart(t, c, queue, id)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	handle, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: id, RunID: r.GetRunID(), UpdateName: "add", Args: []interface{}{n},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		t.Fatalf("update during the start delay: %v", err)
	}
	return c, id, r, handle
}

func TestUpdateDuringStartDelayRunsTheWorkflowNow(t *testing.T) {
	c, id, r, handle := updateDuringStartDelay(t, 5)
	ctx := waitCtx(t)
	var total int
	if err := handle.Get(ctx, &total); err != nil || total != 5 {
		t.Fatalf("update result %d, %v", total, err)
	}
	// The workflow runs now: a plain signal reaches it too.
	if err := c.SignalWorkflow(ctx, id, "", "done", nil); err != nil {
		t.Fatal(err)
	}
	if err := r.Get(ctx, &total); err != nil || total != 5 {
		t.Fatalf("workflow result %d, %v", total, err)
	}
}

// A task that only rejected an update leaves no trace, as in Temporal: the
// run still waits out its delay (a plain signal does not wake it), and the
// next update runs it.
func TestRejectedUpdateDuringStartDelayLeavesNoTrace(t *testing.T) {
	c, id, r, handle := updateDuringStartDelay(t, -1)
	ctx := waitCtx(t)
	if err := handle.Get(ctx, nil); err == nil {
		t.Fatal("a negative amount must be rejected")
	}
	if n, counts := historyLength(t, c, id); n != 1 {
		t.Fatalf("history after the rejection: %d events %v, want the started event alone", n, counts)
	}
	accepted, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: id, RunID: r.GetRunID(), UpdateName: "add", Args: []interface{}{3},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		t.Fatal(err)
	}
	var total int
	if err := accepted.Get(ctx, &total); err != nil || total != 3 {
		t.Fatalf("second update: %d, %v", total, err)
	}
	if err := c.SignalWorkflow(ctx, id, "", "done", nil); err != nil {
		t.Fatal(err)
	}
	if err := r.Get(ctx, &total); err != nil || total != 3 {
		t.Fatalf("workflow result %d, %v", total, err)
	}
}

func TestSignalDuringStartDelayWaits(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	startTotalWorker(t, c, queue)
	id := uniqueID("delayed-signal")
	delayedStart(t, c, queue, id)
	if err := c.SignalWorkflow(waitCtx(t), id, "", "done", nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	_, counts := historyLength(t, c, id)
	if counts[enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED] != 0 {
		t.Fatalf("a plain signal must not end the start delay: %v", counts)
	}
	_ = c.TerminateWorkflow(waitCtx(t), id, "", "test done")
}

func TestSignalWithStartDuringStartDelayRunsTheWorkflowNow(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	startTotalWorker(t, c, queue)
	id := uniqueID("delayed-signal-with-start")
	delayedStart(t, c, queue, id)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	r, err := c.SignalWithStartWorkflow(ctx, id, "done", nil, client.StartWorkflowOptions{
		TaskQueue: queue, StartDelay: time.Hour,
	}, RunningTotalWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Get(ctx, nil); err != nil {
		t.Fatalf("workflow did not run after SignalWithStart: %v", err)
	}
}

func TestSignalWithStartConflictPolicies(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	startTotalWorker(t, c, queue)
	id := uniqueID("signal-with-start-conflict")
	ctx := waitCtx(t)
	opts := client.StartWorkflowOptions{TaskQueue: queue}
	first, err := c.SignalWithStartWorkflow(ctx, id, "nothing", nil, opts, RunningTotalWorkflow)
	if err != nil {
		t.Fatal(err)
	}

	opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL
	_, err = c.SignalWithStartWorkflow(ctx, id, "nothing", nil, opts, RunningTotalWorkflow)
	var invalid *serviceerror.InvalidArgument
	if !errors.As(err, &invalid) {
		t.Fatalf("conflict policy FAIL: got %v, want InvalidArgument", err)
	}

	opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING
	second, err := c.SignalWithStartWorkflow(ctx, id, "nothing", nil, opts, RunningTotalWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	if second.GetRunID() == first.GetRunID() {
		t.Fatal("TERMINATE_EXISTING must start a new run")
	}
	desc, err := c.DescribeWorkflowExecution(ctx, id, first.GetRunID())
	if err != nil {
		t.Fatal(err)
	}
	if s := desc.GetWorkflowExecutionInfo().GetStatus(); s != enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
		t.Fatalf("first run is %v, want terminated", s)
	}
	_ = c.TerminateWorkflow(ctx, id, "", "test done")
}
