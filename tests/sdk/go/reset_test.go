// ResetWorkflowExecution from the Go SDK: the new run replays the old one's
// history up to the reset point, signals after it are reapplied, and the
// workflow goes on from there.
package sdktest

import (
	"fmt"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Greets, then waits for a "go" signal and returns both.
func ResettableWorkflow(ctx workflow.Context) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var greeting, word string
	if err := workflow.ExecuteActivity(ctx, Greet, "reset").Get(ctx, &greeting); err != nil {
		return "", err
	}
	workflow.GetSignalChannel(ctx, "go").Receive(ctx, &word)
	return greeting + " " + word, nil
}

func TestResetWorkflow(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(ResettableWorkflow)
	w.RegisterActivity(Greet)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	id := uniqueID("reset")
	r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id, TaskQueue: queue}, ResettableWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	// The signal comes after the activity, so that it follows the reset point.
	eventually(t, "the activity completes", func() error {
		for _, e := range historyOf(t, c, id, r.GetRunID()) {
			if e.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED {
				return nil
			}
		}
		return fmt.Errorf("not yet")
	})
	if err := c.SignalWorkflow(waitCtx(t), id, "", "go", "now"); err != nil {
		t.Fatal(err)
	}
	var result string
	if err := r.Get(waitCtx(t), &result); err != nil || result != "Hello, reset! now" {
		t.Fatalf("first run: %q, %v", result, err)
	}
	// Back to the end of the first workflow task: before the activity ran.
	var resetPoint int64
	for _, e := range historyOf(t, c, id, r.GetRunID()) {
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
			resetPoint = e.GetEventId()
			break
		}
	}
	reset, err := c.ResetWorkflowExecution(waitCtx(t), &workflowservice.ResetWorkflowExecutionRequest{
		Namespace:                 "default",
		WorkflowExecution:         &commonpb.WorkflowExecution{WorkflowId: id, RunId: r.GetRunID()},
		Reason:                    "try again",
		WorkflowTaskFinishEventId: resetPoint,
		RequestId:                 uniqueID("reset-request"),
	})
	if err != nil {
		t.Fatalf("reset: %v", err)
	}
	again := c.GetWorkflow(waitCtx(t), id, reset.GetRunId())
	if err := again.Get(waitCtx(t), &result); err != nil || result != "Hello, reset! now" {
		t.Fatalf("reset run: %q, %v", result, err)
	}
	events := historyOf(t, c, id, reset.GetRunId())
	failed := events[resetPoint-1].GetWorkflowTaskFailedEventAttributes()
	if failed.GetCause() != enumspb.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW || failed.GetBaseRunId() != r.GetRunID() ||
		failed.GetNewRunId() != reset.GetRunId() {
		t.Errorf("event %d of the new run = %v, want the reset's workflow task failure", resetPoint, events[resetPoint-1])
	}
	if a := events[resetPoint].GetWorkflowExecutionSignaledEventAttributes(); a.GetSignalName() != "go" {
		t.Errorf("the signal was not reapplied after the reset point: %v", events[resetPoint])
	}
	desc, err := c.DescribeWorkflowExecution(waitCtx(t), id, "")
	if err != nil || desc.GetWorkflowExecutionInfo().GetExecution().GetRunId() != reset.GetRunId() {
		t.Errorf("the reset run is not current: %v, %v", desc.GetWorkflowExecutionInfo().GetExecution(), err)
	}
}

// Updates the old run accepted after the reset point are reapplied to the
// new run, as signals are (unless the reset excludes them).
func TestResetReappliesUpdates(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	startTotalWorker(t, c, queue)
	id := uniqueID("reset-updates")
	r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id, TaskQueue: queue}, RunningTotalWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2} {
		h, err := c.UpdateWorkflow(waitCtx(t), client.UpdateWorkflowOptions{
			WorkflowID: id, RunID: r.GetRunID(), UpdateName: "add", Args: []interface{}{n},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Get(waitCtx(t), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.SignalWorkflow(waitCtx(t), id, "", "done", nil); err != nil {
		t.Fatal(err)
	}
	var total int
	if err := r.Get(waitCtx(t), &total); err != nil || total != 3 {
		t.Fatalf("first run: %d, %v", total, err)
	}
	reset, err := c.ResetWorkflowExecution(waitCtx(t), &workflowservice.ResetWorkflowExecutionRequest{
		Namespace:         "default",
		WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: r.GetRunID()},
		Reason:            "test",
		// The first task named by its WorkflowTaskStarted event (3), as
		// Temporal also accepts.
		WorkflowTaskFinishEventId: 3,
		RequestId:                 uniqueID("reset-request"),
		ResetReapplyExcludeTypes:  []enumspb.ResetReapplyExcludeType{enumspb.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The "done" signal was not reapplied: the new run waits for one.
	if err := c.SignalWorkflow(waitCtx(t), id, reset.GetRunId(), "done", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.GetWorkflow(waitCtx(t), id, reset.GetRunId()).Get(waitCtx(t), &total); err != nil || total != 3 {
		t.Fatalf("new run: total %d, %v; want the reapplied updates' 3", total, err)
	}
}
