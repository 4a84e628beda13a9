// Go SDK workers running real workflows against zaman: activities, retries,
// timers, signals, terminate, describe, duplicate starts.
package sdktest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
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

func Greet(ctx context.Context, name string) (string, error) {
	return "Hello, " + name + "!", nil
}

func GreetingWorkflow(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var greeting string
	err := workflow.ExecuteActivity(ctx, Greet, name).Get(ctx, &greeting)
	return greeting, err
}

var flakyCalls atomic.Int32

// Fails twice, then succeeds: the server retries it.
func Flaky(ctx context.Context) (int32, error) {
	n := flakyCalls.Add(1)
	if activity.GetInfo(ctx).Attempt < 3 {
		return 0, fmt.Errorf("attempt %d fails", activity.GetInfo(ctx).Attempt)
	}
	return n, nil
}

func RetryWorkflow(ctx workflow.Context) (int32, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, BackoffCoefficient: 1},
	})
	var attempts int32
	err := workflow.ExecuteActivity(ctx, Flaky).Get(ctx, &attempts)
	return attempts, err
}

func AlwaysFails(ctx context.Context) error {
	return temporal.NewApplicationError("no luck", "Doomed")
}

func NonRetryableWorkflow(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{NonRetryableErrorTypes: []string{"Doomed"}},
	})
	return workflow.ExecuteActivity(ctx, AlwaysFails).Get(ctx, nil)
}

func TimerWorkflow(ctx workflow.Context) (time.Duration, error) {
	start := workflow.Now(ctx)
	if err := workflow.Sleep(ctx, time.Second); err != nil {
		return 0, err
	}
	return workflow.Now(ctx).Sub(start), nil
}

func SignalWorkflow(ctx workflow.Context) ([]string, error) {
	var got []string
	ch := workflow.GetSignalChannel(ctx, "add")
	for len(got) < 3 {
		var v string
		ch.Receive(ctx, &v)
		got = append(got, v)
	}
	return got, nil
}

func BlockedWorkflow(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return false })
}

func SlowActivity(ctx context.Context) error {
	time.Sleep(3 * time.Second)
	return nil
}

func StartToCloseWorkflow(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	return workflow.ExecuteActivity(ctx, SlowActivity).Get(ctx, nil)
}

// A client of the namespace "default" at `address`, closed when the test ends.
func dialAt(t *testing.T, address string) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: address, Namespace: "default"})
	if err != nil {
		t.Fatalf("dial %s: %v", address, err)
	}
	t.Cleanup(c.Close)
	return c
}

func startWorker(t *testing.T, c client.Client, queue string) {
	t.Helper()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(GreetingWorkflow)
	w.RegisterWorkflow(RetryWorkflow)
	w.RegisterWorkflow(NonRetryableWorkflow)
	w.RegisterWorkflow(TimerWorkflow)
	w.RegisterWorkflow(SignalWorkflow)
	w.RegisterWorkflow(BlockedWorkflow)
	w.RegisterWorkflow(StartToCloseWorkflow)
	w.RegisterWorkflow(CancelBeforeStartWorkflow)
	w.RegisterActivity(Greet)
	w.RegisterActivity(Flaky)
	w.RegisterActivity(AlwaysFails)
	w.RegisterActivity(SlowActivity)
	if err := w.Start(); err != nil {
		t.Fatalf("worker start: %v", err)
	}
	t.Cleanup(w.Stop)
}

func run(t *testing.T, c client.Client, queue string, wf interface{}, args ...interface{}) client.WorkflowRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: queue}, wf, args...)
	if err != nil {
		t.Fatalf("ExecuteWorkflow: %v", err)
	}
	return r
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestActivityRoundTrip(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startWorker(t, c, queue)
	var greeting string
	if err := run(t, c, queue, GreetingWorkflow, "Zaman").Get(waitCtx(t), &greeting); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if greeting != "Hello, Zaman!" {
		t.Errorf("result = %q", greeting)
	}
}

func TestActivityRetriesUntilSuccess(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startWorker(t, c, queue)
	r := run(t, c, queue, RetryWorkflow)
	var calls int32
	if err := r.Get(waitCtx(t), &calls); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if calls < 3 {
		t.Errorf("activity ran %d times, want at least 3", calls)
	}
	// Intermediate attempts leave no events: one started event, attempt 3.
	iter := c.GetWorkflowHistory(waitCtx(t), r.GetID(), r.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	started := 0
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := e.GetActivityTaskStartedEventAttributes(); a != nil {
			started++
			if a.GetAttempt() != 3 {
				t.Errorf("ActivityTaskStarted attempt = %d, want 3", a.GetAttempt())
			}
			if a.GetLastFailure().GetMessage() == "" {
				t.Errorf("ActivityTaskStarted has no last_failure")
			}
		}
	}
	if started != 1 {
		t.Errorf("%d ActivityTaskStarted events, want 1", started)
	}
}

func TestNonRetryableErrorFailsWorkflow(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startWorker(t, c, queue)
	err := run(t, c, queue, NonRetryableWorkflow).Get(waitCtx(t), nil)
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != "Doomed" {
		t.Fatalf("workflow error = %v, want ApplicationError Doomed", err)
	}
}

func TestStartToCloseTimeout(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startWorker(t, c, queue)
	err := run(t, c, queue, StartToCloseWorkflow).Get(waitCtx(t), nil)
	var timeoutErr *temporal.TimeoutError
	if !errors.As(err, &timeoutErr) {
		t.Fatalf("workflow error = %v, want a TimeoutError", err)
	}
	if timeoutErr.TimeoutType() != enumspb.TIMEOUT_TYPE_START_TO_CLOSE {
		t.Errorf("timeout type = %v", timeoutErr.TimeoutType())
	}
}

func TestDurableTimer(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startWorker(t, c, queue)
	var slept time.Duration
	if err := run(t, c, queue, TimerWorkflow).Get(waitCtx(t), &slept); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if slept < time.Second {
		t.Errorf("workflow time moved %v across a 1s timer", slept)
	}
}

func TestSignals(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startWorker(t, c, queue)
	r := run(t, c, queue, SignalWorkflow)
	for _, v := range []string{"a", "b", "c"} {
		if err := c.SignalWorkflow(waitCtx(t), r.GetID(), "", "add", v); err != nil {
			t.Fatalf("signal %s: %v", v, err)
		}
	}
	var got []string
	if err := r.Get(waitCtx(t), &got); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if fmt.Sprint(got) != "[a b c]" {
		t.Errorf("signals seen = %v", got)
	}
}

func TestSignalWithStart(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startWorker(t, c, queue)
	id := "sws-" + time.Now().Format("150405.000000")
	r, err := c.SignalWithStartWorkflow(waitCtx(t), id, "add", "x",
		client.StartWorkflowOptions{TaskQueue: queue}, SignalWorkflow)
	if err != nil {
		t.Fatalf("SignalWithStart: %v", err)
	}
	for _, v := range []string{"y", "z"} {
		if _, err := c.SignalWithStartWorkflow(waitCtx(t), id, "add", v,
			client.StartWorkflowOptions{TaskQueue: queue}, SignalWorkflow); err != nil {
			t.Fatalf("SignalWithStart (running): %v", err)
		}
	}
	var got []string
	if err := r.Get(waitCtx(t), &got); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if fmt.Sprint(got) != "[x y z]" {
		t.Errorf("signals seen = %v", got)
	}
}

func TestTerminateAndDescribe(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startWorker(t, c, queue)
	r := run(t, c, queue, BlockedWorkflow)
	desc, err := c.DescribeWorkflowExecution(waitCtx(t), r.GetID(), "")
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	if desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("status = %v, want running", desc.GetWorkflowExecutionInfo().GetStatus())
	}
	if err := c.TerminateWorkflow(waitCtx(t), r.GetID(), "", "test is done"); err != nil {
		t.Fatalf("terminate: %v", err)
	}
	err = r.Get(waitCtx(t), nil)
	var terminated *temporal.TerminatedError
	if !errors.As(err, &terminated) {
		t.Fatalf("result after terminate = %v, want TerminatedError", err)
	}
	desc, err = c.DescribeWorkflowExecution(waitCtx(t), r.GetID(), r.GetRunID())
	if err != nil {
		t.Fatal(err)
	}
	if desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
		t.Errorf("status = %v, want terminated", desc.GetWorkflowExecutionInfo().GetStatus())
	}
	var notFound *serviceerror.NotFound
	if err := c.TerminateWorkflow(waitCtx(t), r.GetID(), "", "again"); !errors.As(err, &notFound) {
		t.Errorf("terminating a closed workflow = %v, want NotFound", err)
	}
}

func TestDuplicateStart(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	id := "dup-" + time.Now().Format("150405.000000")
	opts := client.StartWorkflowOptions{ID: id, TaskQueue: queue, WorkflowExecutionErrorWhenAlreadyStarted: true}
	first, err := c.ExecuteWorkflow(waitCtx(t), opts, BlockedWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ExecuteWorkflow(waitCtx(t), opts, BlockedWorkflow)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if !errors.As(err, &started) {
		t.Fatalf("second start = %v, want WorkflowExecutionAlreadyStarted", err)
	}
	if started.RunId != first.GetRunID() {
		t.Errorf("AlreadyStarted run id = %q, want %q", started.RunId, first.GetRunID())
	}
	// Go's default: the existing run is returned.
	opts.WorkflowExecutionErrorWhenAlreadyStarted = false
	again, err := c.ExecuteWorkflow(waitCtx(t), opts, BlockedWorkflow)
	if err != nil || again.GetRunID() != first.GetRunID() {
		t.Errorf("start with default options = %v, %v; want the running run", again, err)
	}
	_ = c.TerminateWorkflow(waitCtx(t), id, "", "cleanup")
}

func TestUnknownWorkflowIsNotFound(t *testing.T) {
	c := dial(t)
	_, err := c.DescribeWorkflowExecution(waitCtx(t), "no-such-workflow", "")
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		t.Fatalf("describe unknown = %v (%T), want NotFound", err, err)
	}
	err = c.SignalWorkflow(waitCtx(t), "no-such-workflow", "", "x", nil)
	if !errors.As(err, &notFound) {
		t.Fatalf("signal unknown = %v (%T), want NotFound", err, err)
	}
}

// Schedules an activity and cancels it in the same workflow task, then runs
// another: the SDK names the first by the event id it is about to get.
func CancelBeforeStartWorkflow(ctx workflow.Context) (string, error) {
	canceled, cancel := workflow.WithCancel(ctx)
	canceled = workflow.WithActivityOptions(canceled, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	first := workflow.ExecuteActivity(canceled, Greet, "never")
	cancel()
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var greeting string
	if err := workflow.ExecuteActivity(ctx, Greet, "Ada").Get(ctx, &greeting); err != nil {
		return "", err
	}
	var canceledErr *temporal.CanceledError
	if err := first.Get(ctx, nil); !errors.As(err, &canceledErr) {
		return "", fmt.Errorf("first activity: %v, want canceled", err)
	}
	return greeting, nil
}

func TestActivityCanceledInTheTaskThatSchedulesIt(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	startWorker(t, c, queue)
	var greeting string
	if err := run(t, c, queue, CancelBeforeStartWorkflow).Get(waitCtx(t), &greeting); err != nil {
		t.Fatal(err)
	}
	if greeting != "Hello, Ada!" {
		t.Fatalf("got %q", greeting)
	}
}
