// Workflow Update from the Go SDK: accepted updates return their result
// and leave accepted/completed events; rejected ones leave no trace.
package sdktest

import (
	"errors"
	"fmt"
	commandpb "go.temporal.io/api/command/v1"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Keeps a running total that updates add to; a negative amount is
// rejected by the validator. Ends on the "done" signal.
func RunningTotalWorkflow(ctx workflow.Context) (int, error) {
	total := 0
	err := workflow.SetUpdateHandlerWithOptions(ctx, "add", func(ctx workflow.Context, n int) (int, error) {
		total += n
		return total, nil
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, n int) error {
		if n < 0 {
			return fmt.Errorf("cannot add %d", n)
		}
		return nil
	}})
	if err != nil {
		return 0, err
	}
	workflow.GetSignalChannel(ctx, "done").Receive(ctx, nil)
	return total, nil
}

func historyLength(t *testing.T, c client.Client, id string) (int, map[enumspb.EventType]int) {
	t.Helper()
	counts := map[enumspb.EventType]int{}
	events := historyOf(t, c, id, "")
	for _, e := range events {
		counts[e.GetEventType()]++
	}
	return len(events), counts
}

func startTotalWorker(t *testing.T, c client.Client, queue string) {
	t.Helper()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(RunningTotalWorkflow)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
}

func TestWorkflowUpdate(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	startTotalWorker(t, c, queue)
	id := uniqueID("counter")
	r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id, TaskQueue: queue}, RunningTotalWorkflow)
	if err != nil {
		t.Fatal(err)
	}

	add := func(updateID string, n int) (int, error) {
		handle, err := c.UpdateWorkflow(waitCtx(t), client.UpdateWorkflowOptions{
			WorkflowID: id, UpdateID: updateID, UpdateName: "add", Args: []interface{}{n},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			return 0, err
		}
		var total int
		err = handle.Get(waitCtx(t), &total)
		return total, err
	}
	if total, err := add("first", 5); err != nil || total != 5 {
		t.Fatalf("add 5: %d, %v", total, err)
	}
	if total, err := add("second", 7); err != nil || total != 12 {
		t.Fatalf("add 7: %d, %v", total, err)
	}
	// The same update id again is the same update: its result, not a third add.
	if total, err := add("second", 7); err != nil || total != 12 {
		t.Fatalf("add 7 again: %d, %v", total, err)
	}

	before, _ := historyLength(t, c, id)
	if _, err := add("negative", -1); err == nil {
		t.Fatalf("a negative add was accepted")
	}
	after, counts := historyLength(t, c, id)
	if after != before {
		t.Errorf("the rejected update left %d events in history", after-before)
	}
	if counts[enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED] != 2 ||
		counts[enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED] != 2 {
		t.Errorf("history holds %d accepted and %d completed updates, want 2 and 2",
			counts[enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED],
			counts[enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED])
	}

	// An update after the rejection still works: the worker's cache was reset.
	if total, err := add("third", 30); err != nil || total != 42 {
		t.Fatalf("add 30: %d, %v", total, err)
	}
	if err := c.SignalWorkflow(waitCtx(t), id, "", "done", nil); err != nil {
		t.Fatal(err)
	}
	var total int
	if err := r.Get(waitCtx(t), &total); err != nil || total != 42 {
		t.Fatalf("workflow result %d, %v", total, err)
	}

	// The workflow is closed: a new update finds nothing to run on.
	_, err = add("late", 1)
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		t.Errorf("update of a closed workflow: %v, want NotFound", err)
	}
	_, err = c.UpdateWorkflow(waitCtx(t), client.UpdateWorkflowOptions{
		WorkflowID: uniqueID("nobody"), UpdateName: "add", Args: []interface{}{1},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if !errors.As(err, &notFound) {
		t.Errorf("update of a missing workflow: %v, want NotFound", err)
	}
}

func TestUpdateWithStartAndPolledOutcome(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	startTotalWorker(t, c, queue)
	id := uniqueID("with-start")
	withStart := func(n int) (int, error) {
		op := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
			ID: id, TaskQueue: queue, WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		}, RunningTotalWorkflow)
		handle, err := c.UpdateWithStartWorkflow(waitCtx(t), client.UpdateWithStartWorkflowOptions{
			StartWorkflowOperation: op,
			UpdateOptions: client.UpdateWorkflowOptions{UpdateName: "add", Args: []interface{}{n},
				WaitForStage: client.WorkflowUpdateStageCompleted},
		})
		if err != nil {
			return 0, err
		}
		var total int
		err = handle.Get(waitCtx(t), &total)
		return total, err
	}
	// The first call starts the workflow, the second finds it running.
	if total, err := withStart(3); err != nil || total != 3 {
		t.Fatalf("update-with-start: %d, %v", total, err)
	}
	if total, err := withStart(4); err != nil || total != 7 {
		t.Fatalf("update-with-start on the running workflow: %d, %v", total, err)
	}
	// Accepted first, its outcome fetched with PollWorkflowExecutionUpdate.
	handle, err := c.UpdateWorkflow(waitCtx(t), client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: "add", Args: []interface{}{10}, WaitForStage: client.WorkflowUpdateStageAccepted,
	})
	if err != nil {
		t.Fatalf("update to accepted: %v", err)
	}
	var total int
	if err := handle.Get(waitCtx(t), &total); err != nil || total != 17 {
		t.Fatalf("polled outcome: %d, %v", total, err)
	}
	_ = c.SignalWorkflow(waitCtx(t), id, "", "done", nil)
}

// An update the worker leaves unanswered while it closes the workflow fails
// with the workflow (as Temporal answers it), never as a success or a
// rejection by the workflow.
func TestUpdateUnansweredByClosingTaskFails(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	raw := newRawWorker(t, c, queue)
	id := raw.start(uniqueID("closing-with-update"))
	raw.complete(raw.poll(), nil)

	result := make(chan error, 1)
	go func() {
		_, err := c.UpdateWorkflow(waitCtx(t), client.UpdateWorkflowOptions{
			WorkflowID: id, UpdateName: "ignored", WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		result <- err
	}()
	task := raw.poll()
	if len(task.GetMessages()) == 0 {
		t.Fatal("the update did not reach the worker")
	}
	raw.complete(task, []*commandpb.Command{{
		CommandType: enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_CompleteWorkflowExecutionCommandAttributes{
			CompleteWorkflowExecutionCommandAttributes: &commandpb.CompleteWorkflowExecutionCommandAttributes{},
		},
	}})
	if err := <-result; err == nil {
		t.Fatal("the update of a workflow that closed without answering it must fail")
	}
}
