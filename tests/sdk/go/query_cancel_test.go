// Queries (on running and closed workflows), cancellation of workflows and
// activities, heartbeats and their timeout.
package sdktest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Counts signals; answers "count" queries; finishes on "stop".
func CounterWorkflow(ctx workflow.Context) (int, error) {
	count := 0
	if err := workflow.SetQueryHandler(ctx, "count", func() (int, error) { return count, nil }); err != nil {
		return 0, err
	}
	if err := workflow.SetQueryHandler(ctx, "fail", func() (int, error) { return 0, errors.New("handler refuses") }); err != nil {
		return 0, err
	}
	inc := workflow.GetSignalChannel(ctx, "inc")
	stop := workflow.GetSignalChannel(ctx, "stop")
	for done := false; !done; {
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(inc, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil); count++ })
		sel.AddReceive(stop, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil); done = true })
		sel.Select(ctx)
	}
	return count, nil
}

// Heartbeats until cancelled.
func Heartbeater(ctx context.Context) error {
	for {
		activity.RecordHeartbeat(ctx, "beat")
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Runs Heartbeater, cancels it after a signal, reports what happened.
func CancelActivityWorkflow(ctx workflow.Context) (string, error) {
	actCtx, cancel := workflow.WithCancel(ctx)
	actCtx = workflow.WithActivityOptions(actCtx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		HeartbeatTimeout:    5 * time.Second,
		WaitForCancellation: true,
	})
	f := workflow.ExecuteActivity(actCtx, Heartbeater)
	workflow.GetSignalChannel(ctx, "cancel").Receive(ctx, nil)
	cancel()
	err := f.Get(ctx, nil)
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) {
		return "activity canceled", nil
	}
	return "", err
}

// Stops heartbeating: the server times it out.
func SilentActivity(ctx context.Context) error {
	activity.RecordHeartbeat(ctx, "only once")
	time.Sleep(4 * time.Second)
	return nil
}

func HeartbeatTimeoutWorkflow(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		HeartbeatTimeout:    time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	return workflow.ExecuteActivity(ctx, SilentActivity).Get(ctx, nil)
}

// Waits to be cancelled, then cleans up with an activity.
func CancellableWorkflow(ctx workflow.Context) (string, error) {
	err := workflow.Sleep(ctx, time.Hour)
	if !temporal.IsCanceledError(err) {
		return "", err
	}
	return "", err
}

func startQueryWorker(t *testing.T, c client.Client, queue string) {
	t.Helper()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(CounterWorkflow)
	w.RegisterWorkflow(CancelActivityWorkflow)
	w.RegisterWorkflow(HeartbeatTimeoutWorkflow)
	w.RegisterWorkflow(CancellableWorkflow)
	w.RegisterActivity(Heartbeater)
	w.RegisterActivity(SilentActivity)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
}

func queryCount(t *testing.T, c client.Client, id, runID string) int {
	t.Helper()
	v, err := c.QueryWorkflow(waitCtx(t), id, runID, "count")
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	var n int
	if err := v.Get(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestQueries(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startQueryWorker(t, c, queue)
	r := run(t, c, queue, CounterWorkflow)
	for i := 0; i < 2; i++ {
		if err := c.SignalWorkflow(waitCtx(t), r.GetID(), "", "inc", nil); err != nil {
			t.Fatal(err)
		}
	}
	// Signals are processed asynchronously: poll until the count shows them.
	deadline := time.Now().Add(20 * time.Second)
	for queryCount(t, c, r.GetID(), "") != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("count never reached 2")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A failing handler is a QueryFailed error.
	_, err := c.QueryWorkflow(waitCtx(t), r.GetID(), "", "fail")
	var failed *serviceerror.QueryFailed
	if !errors.As(err, &failed) || !strings.Contains(err.Error(), "handler refuses") {
		t.Errorf("failing query = %v (%T), want QueryFailed", err, err)
	}
	// Queries still work once the workflow has closed.
	if err := c.SignalWorkflow(waitCtx(t), r.GetID(), "", "stop", nil); err != nil {
		t.Fatal(err)
	}
	if err := r.Get(waitCtx(t), nil); err != nil {
		t.Fatal(err)
	}
	if n := queryCount(t, c, r.GetID(), r.GetRunID()); n != 2 {
		t.Errorf("query on closed workflow = %d, want 2", n)
	}
	// ...unless the caller asks for open workflows only.
	resp, err := c.QueryWorkflowWithOptions(waitCtx(t), &client.QueryWorkflowWithOptionsRequest{
		WorkflowID: r.GetID(), QueryType: "count", QueryRejectCondition: enumspb.QUERY_REJECT_CONDITION_NOT_OPEN,
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.QueryRejected == nil || resp.QueryRejected.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("NOT_OPEN query on a closed workflow was not rejected: %+v", resp)
	}
}

func TestActivityCancellationThroughHeartbeat(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startQueryWorker(t, c, queue)
	r := run(t, c, queue, CancelActivityWorkflow)
	time.Sleep(500 * time.Millisecond) // let the activity start heartbeating
	if err := c.SignalWorkflow(waitCtx(t), r.GetID(), "", "cancel", nil); err != nil {
		t.Fatal(err)
	}
	var out string
	if err := r.Get(waitCtx(t), &out); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if out != "activity canceled" {
		t.Errorf("result = %q", out)
	}
}

func TestHeartbeatTimeout(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startQueryWorker(t, c, queue)
	err := run(t, c, queue, HeartbeatTimeoutWorkflow).Get(waitCtx(t), nil)
	var timeoutErr *temporal.TimeoutError
	if !errors.As(err, &timeoutErr) || timeoutErr.TimeoutType() != enumspb.TIMEOUT_TYPE_HEARTBEAT {
		t.Fatalf("workflow error = %v, want a heartbeat TimeoutError", err)
	}
	var details string
	if err := timeoutErr.LastHeartbeatDetails(&details); err != nil || details != "only once" {
		t.Errorf("last heartbeat details = %q, %v", details, err)
	}
}

func TestCancelWorkflow(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startQueryWorker(t, c, queue)
	r := run(t, c, queue, CancellableWorkflow)
	time.Sleep(300 * time.Millisecond)
	if err := c.CancelWorkflow(waitCtx(t), r.GetID(), ""); err != nil {
		t.Fatal(err)
	}
	err := r.Get(waitCtx(t), nil)
	if !temporal.IsCanceledError(err) {
		t.Fatalf("result = %v, want canceled", err)
	}
	desc, err := c.DescribeWorkflowExecution(waitCtx(t), r.GetID(), r.GetRunID())
	if err != nil {
		t.Fatal(err)
	}
	if desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED {
		t.Errorf("status = %v", desc.GetWorkflowExecutionInfo().GetStatus())
	}
	// Cancelling a closed workflow is a successful no-op.
	if err := c.CancelWorkflow(waitCtx(t), r.GetID(), ""); err != nil {
		t.Errorf("second cancel: %v", err)
	}
}
