// Chains of runs under one workflow id: continue-as-new, the workflow
// retry policy, and cron schedules.
package sdktest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Counts up to `limit`, one run per step.
func CountingWorkflow(ctx workflow.Context, n, limit int) (int, error) {
	if n < limit {
		return 0, workflow.NewContinueAsNewError(ctx, CountingWorkflow, n+1, limit)
	}
	return n, nil
}

// Fails until its third attempt.
func UntilThirdAttemptWorkflow(ctx workflow.Context) (int32, error) {
	attempt := workflow.GetInfo(ctx).Attempt
	if attempt < 3 {
		return 0, fmt.Errorf("attempt %d is not enough", attempt)
	}
	return attempt, nil
}

func AlwaysFailingWorkflow(ctx workflow.Context) error {
	return errors.New("never works")
}

// Each cron run returns one more than the run before it.
func CronTickWorkflow(ctx workflow.Context) (int, error) {
	previous := 0
	if workflow.HasLastCompletionResult(ctx) {
		if err := workflow.GetLastCompletionResult(ctx, &previous); err != nil {
			return 0, err
		}
	}
	return previous + 1, nil
}

func startChainWorker(t *testing.T, c client.Client, queue string) {
	t.Helper()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(CountingWorkflow)
	w.RegisterWorkflow(UntilThirdAttemptWorkflow)
	w.RegisterWorkflow(AlwaysFailingWorkflow)
	w.RegisterWorkflow(CronTickWorkflow)
	if err := w.Start(); err != nil {
		t.Fatalf("worker start: %v", err)
	}
	t.Cleanup(w.Stop)
}

// closeEventOf waits for the run to close and returns its close event.
func closeEventOf(t *testing.T, c client.Client, workflowID, runID string) *historypb.HistoryEvent {
	t.Helper()
	iter := c.GetWorkflowHistory(waitCtx(t), workflowID, runID, true, enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatalf("close event of %s/%s: %v", workflowID, runID, err)
		}
		return e
	}
	t.Fatalf("%s/%s has no close event", workflowID, runID)
	return nil
}

func TestContinueAsNewChainsRuns(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startChainWorker(t, c, queue)
	id := fmt.Sprintf("counting-%d", time.Now().UnixNano())
	r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id, TaskQueue: queue}, CountingWorkflow, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	firstRunID := r.GetRunID() // Get moves the handle along the chain
	var n int
	if err := r.Get(waitCtx(t), &n); err != nil { // the client follows the chain
		t.Fatalf("workflow: %v", err)
	}
	if n != 3 {
		t.Errorf("result = %d, want 3", n)
	}

	first := historyOf(t, c, id, firstRunID)
	last := first[len(first)-1]
	can := last.GetWorkflowExecutionContinuedAsNewEventAttributes()
	if can == nil {
		t.Fatalf("first run ends with %v, want WorkflowExecutionContinuedAsNew", last.GetEventType())
	}
	if can.GetNewExecutionRunId() == "" || can.GetWorkflowType().GetName() != "CountingWorkflow" ||
		can.GetTaskQueue().GetName() != queue || can.GetInput() == nil {
		t.Errorf("continued-as-new event = %v", can)
	}
	second := historyOf(t, c, id, can.GetNewExecutionRunId())
	started := second[0].GetWorkflowExecutionStartedEventAttributes()
	if started.GetContinuedExecutionRunId() != firstRunID || started.GetFirstExecutionRunId() != firstRunID ||
		started.GetInitiator() != enumspb.CONTINUE_AS_NEW_INITIATOR_WORKFLOW || started.GetAttempt() != 1 {
		t.Errorf("second run's started event = %v", started)
	}

	desc, err := c.DescribeWorkflowExecution(waitCtx(t), id, "")
	if err != nil {
		t.Fatal(err)
	}
	info := desc.GetWorkflowExecutionInfo()
	if info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED || info.GetExecution().GetRunId() == firstRunID ||
		info.GetFirstRunId() != firstRunID {
		t.Errorf("current run = %v", info)
	}
	old, err := c.DescribeWorkflowExecution(waitCtx(t), id, firstRunID)
	if err != nil {
		t.Fatal(err)
	}
	if s := old.GetWorkflowExecutionInfo().GetStatus(); s != enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW {
		t.Errorf("first run status = %v, want ContinuedAsNew", s)
	}
}

func TestWorkflowRetryPolicyRetriesTheRun(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startChainWorker(t, c, queue)
	policy := &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 1, MaximumAttempts: 5}
	r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{TaskQueue: queue, RetryPolicy: policy},
		UntilThirdAttemptWorkflow)
	var firstRunID string
	if err != nil {
		t.Fatal(err)
	}
	firstRunID = r.GetRunID()
	var attempt int32
	if err := r.Get(waitCtx(t), &attempt); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if attempt != 3 {
		t.Errorf("succeeded on attempt %d, want 3", attempt)
	}
	failed := closeEventOf(t, c, r.GetID(), firstRunID).GetWorkflowExecutionFailedEventAttributes()
	if failed.GetRetryState() != enumspb.RETRY_STATE_IN_PROGRESS || failed.GetNewExecutionRunId() == "" {
		t.Fatalf("first attempt's failed event = %v", failed)
	}
	retry := historyOf(t, c, r.GetID(), failed.GetNewExecutionRunId())[0].GetWorkflowExecutionStartedEventAttributes()
	if retry.GetAttempt() != 2 || retry.GetInitiator() != enumspb.CONTINUE_AS_NEW_INITIATOR_RETRY ||
		retry.GetContinuedFailure().GetMessage() != "attempt 1 is not enough" ||
		retry.GetFirstWorkflowTaskBackoff().AsDuration() < time.Second {
		t.Errorf("second attempt's started event = %v", retry)
	}

	// Out of attempts: the last run's failure reaches the client.
	policy = &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 2}
	r, err = c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{TaskQueue: queue, RetryPolicy: policy},
		AlwaysFailingWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	err = r.Get(waitCtx(t), nil)
	var failure *temporal.WorkflowExecutionError
	if !errors.As(err, &failure) {
		t.Fatalf("err = %v, want a workflow execution error", err)
	}
	desc, err := c.DescribeWorkflowExecution(waitCtx(t), r.GetID(), "")
	if err != nil {
		t.Fatal(err)
	}
	closing := closeEventOf(t, c, r.GetID(), desc.GetWorkflowExecutionInfo().GetExecution().GetRunId())
	if s := closing.GetWorkflowExecutionFailedEventAttributes().GetRetryState(); s != enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED {
		t.Errorf("last attempt's retry state = %v, want MaximumAttemptsReached", s)
	}
}

func TestCronScheduleRunsRepeatedly(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startChainWorker(t, c, queue)
	id := fmt.Sprintf("cron-%d", time.Now().UnixNano())
	r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id, TaskQueue: queue, CronSchedule: "@every 2s"},
		CronTickWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.TerminateWorkflow(waitCtx(t), id, "", "test over") }()

	runID := r.GetRunID()
	for want := 1; want <= 3; want++ {
		events := historyOf(t, c, id, runID)
		started := events[0].GetWorkflowExecutionStartedEventAttributes()
		if started.GetInitiator() != enumspb.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE ||
			started.GetFirstWorkflowTaskBackoff().AsDuration() <= 0 || started.GetCronSchedule() != "@every 2s" {
			t.Errorf("run %d started event = %v", want, started)
		}
		if want > 1 && started.GetLastCompletionResult() == nil {
			t.Errorf("run %d has no last completion result", want)
		}
		completed := closeEventOf(t, c, id, runID).GetWorkflowExecutionCompletedEventAttributes()
		if completed == nil {
			t.Fatalf("run %d did not complete", want)
		}
		var got int
		if err := converter.GetDefaultDataConverter().FromPayloads(completed.GetResult(), &got); err != nil || got != want {
			t.Errorf("run %d result = %d (%v), want %d", want, got, err, want)
		}
		if completed.GetNewExecutionRunId() == "" {
			t.Fatalf("run %d names no next run", want)
		}
		runID = completed.GetNewExecutionRunId()
	}
}

func TestInvalidCronScheduleIsRefused(t *testing.T) {
	c := dial(t)
	_, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{TaskQueue: "nowhere", CronSchedule: "61 * * * *"},
		CronTickWorkflow)
	var invalid *serviceerror.InvalidArgument
	if !errors.As(err, &invalid) {
		t.Fatalf("err = %v, want InvalidArgument", err)
	}
}
