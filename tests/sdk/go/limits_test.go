// Limits and validation the SDKs and tools rely on, answered as Temporal
// answers them.
package sdktest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"
)

func TestRunIdThatIsNotAUuid(t *testing.T) {
	c := dial(t)
	_, err := c.DescribeWorkflowExecution(waitCtx(t), "any-workflow", "not-a-uuid")
	wantCode(t, "describe", err, codes.InvalidArgument)
	if err == nil || !strings.Contains(err.Error(), "Invalid RunId.") {
		t.Fatalf("got %v, want Temporal's \"Invalid RunId.\"", err)
	}
	err = c.SignalWorkflow(waitCtx(t), "any-workflow", "not-a-uuid", "s", nil)
	wantCode(t, "signal", err, codes.InvalidArgument)
}

// A worker for the workflow functions `workflows` alone.
func startWorkflowWorker(t *testing.T, c client.Client, queue string, workflows ...interface{}) {
	t.Helper()
	w := worker.New(c, queue, worker.Options{})
	for _, wf := range workflows {
		w.RegisterWorkflow(wf)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
}

// Returns a result over the 4 MiB request limit.
func HugeResultWorkflow(ctx workflow.Context) (string, error) {
	return strings.Repeat("x", 5*1024*1024), nil
}

func TestRequestOverFourMiBFailsTheTaskAsTooLarge(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	startWorkflowWorker(t, c, queue, HugeResultWorkflow)
	id := uniqueID("huge-result")
	if _, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id, TaskQueue: queue},
		HugeResultWorkflow); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.TerminateWorkflow(waitCtx(t), id, "", "test done") }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, e := range historyOf(t, c, id, "") {
			if e.GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED {
				continue
			}
			if cause := e.GetWorkflowTaskFailedEventAttributes().GetCause(); cause !=
				enumspb.WORKFLOW_TASK_FAILED_CAUSE_GRPC_MESSAGE_TOO_LARGE {
				t.Fatalf("task failed with %v, want GRPC_MESSAGE_TOO_LARGE", cause)
			}
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("the workflow task was never failed as too large")
}

// A timer of zero seconds is accepted and fires at once. (The Go SDK never
// sends one, other SDKs do, so the worker here speaks the API itself.)
func TestZeroDurationTimerFires(t *testing.T) {
	c := dial(t)
	raw := newRawWorker(t, c, "go-"+t.Name())
	raw.start(uniqueID("zero-timer"))
	raw.complete(raw.poll(), []*commandpb.Command{{
		CommandType: enumspb.COMMAND_TYPE_START_TIMER,
		Attributes: &commandpb.Command_StartTimerCommandAttributes{StartTimerCommandAttributes: &commandpb.StartTimerCommandAttributes{
			TimerId: "now", StartToFireTimeout: durationpb.New(0),
		}},
	}})
	task := raw.poll()
	fired := false
	for _, e := range task.GetHistory().GetEvents() {
		fired = fired || e.GetEventType() == enumspb.EVENT_TYPE_TIMER_FIRED
	}
	if !fired {
		t.Fatalf("the next task does not carry TimerFired: %v", task.GetHistory().GetEvents())
	}
}

func TestDescribeShowsMetadataAndRoot(t *testing.T) {
	c := dial(t)
	ctx := waitCtx(t)
	id := uniqueID("described")
	r, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: "go-" + t.Name(), StaticSummary: "my summary", StaticDetails: "my details",
	}, "NobodyRunsThis")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.TerminateWorkflow(ctx, id, "", "test done") }()
	desc, err := c.DescribeWorkflow(ctx, id, r.GetRunID())
	if err != nil {
		t.Fatal(err)
	}
	summary, err := desc.GetStaticSummary()
	if err != nil || summary != "my summary" {
		t.Errorf("summary %q, %v", summary, err)
	}
	details, err := desc.GetStaticDetails()
	if err != nil || details != "my details" {
		t.Errorf("details %q, %v", details, err)
	}
	raw, err := c.DescribeWorkflowExecution(ctx, id, r.GetRunID())
	if err != nil {
		t.Fatal(err)
	}
	root := raw.GetWorkflowExecutionInfo().GetRootExecution()
	if root.GetWorkflowId() != id || root.GetRunId() != r.GetRunID() {
		t.Errorf("root execution %v, want the workflow itself", root)
	}
	events := historyOf(t, c, id, r.GetRunID())
	if events[0].GetUserMetadata().GetSummary() == nil {
		t.Errorf("started event lacks the user metadata")
	}
	if events[0].GetWorkflowExecutionStartedEventAttributes().GetFirstWorkflowTaskBackoff() == nil {
		t.Errorf("started event lacks first_workflow_task_backoff (zero)")
	}
}

func ScheduleToCloseOnlyWorkflow(ctx workflow.Context, queue string) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue: queue, ScheduleToCloseTimeout: 2 * time.Second,
	})
	return workflow.ExecuteActivity(ctx, "NobodyRunsThis").Get(ctx, nil)
}

func TestActivityThatNeverStartsTimesOutScheduleToStart(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	startWorkflowWorker(t, c, queue, ScheduleToCloseOnlyWorkflow)
	r := run(t, c, queue, ScheduleToCloseOnlyWorkflow, queue+"-no-workers")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := r.Get(ctx, nil)
	var timeout *temporal.TimeoutError
	if !errors.As(err, &timeout) {
		t.Fatalf("got %v, want an activity timeout", err)
	}
	if timeout.TimeoutType() != enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START {
		t.Fatalf("timeout type %v, want SCHEDULE_TO_START", timeout.TimeoutType())
	}
}

// Writes `markers` events in one task, then reports what the next task
// says about continuing as new.
func LongHistoryWorkflow(ctx workflow.Context, markers int) (bool, error) {
	before := workflow.GetInfo(ctx).GetContinueAsNewSuggested()
	for i := 0; i < markers; i++ {
		_ = workflow.SideEffect(ctx, func(workflow.Context) interface{} { return i })
	}
	if err := workflow.Sleep(ctx, time.Millisecond); err != nil {
		return false, err
	}
	return !before && workflow.GetInfo(ctx).GetContinueAsNewSuggested(), nil
}

func TestContinueAsNewSuggestedPastHistoryLength(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	startWorkflowWorker(t, c, queue, LongHistoryWorkflow)
	var suggested bool
	if err := run(t, c, queue, LongHistoryWorkflow, 4100).Get(waitCtx(t), &suggested); err != nil {
		t.Fatal(err)
	}
	if !suggested {
		t.Fatal("past 4096 events the workflow must be told to continue as new")
	}
}
