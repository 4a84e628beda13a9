// Markers as the Go SDK writes them: local activities, side effects,
// mutable side effects and versions. The history the server keeps must
// replay in the SDK's replayer without a nondeterminism error.
package sdktest

import (
	"context"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func Shout(ctx context.Context, s string) (string, error) { return strings.ToUpper(s), nil }

func MarkersWorkflow(ctx workflow.Context, word string) (string, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{ScheduleToCloseTimeout: 10 * time.Second})
	var loud string
	if err := workflow.ExecuteLocalActivity(ctx, Shout, word).Get(ctx, &loud); err != nil {
		return "", err
	}
	var stamp int64
	if err := workflow.SideEffect(ctx, func(workflow.Context) interface{} { return int64(42) }).Get(&stamp); err != nil {
		return "", err
	}
	var mode string
	if err := workflow.MutableSideEffect(ctx, "mode", func(workflow.Context) interface{} { return "fast" },
		func(a, b interface{}) bool { return a == b }).Get(&mode); err != nil {
		return "", err
	}
	if v := workflow.GetVersion(ctx, "new-greeting", workflow.DefaultVersion, 1); v == 1 {
		loud += "!"
	}
	// A timer makes the workflow take a second workflow task, so the
	// markers are replayed by the SDK once more before it completes.
	if err := workflow.Sleep(ctx, 10*time.Millisecond); err != nil {
		return "", err
	}
	return loud + " " + mode, nil
}

func TestMarkersRecordAndReplay(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(MarkersWorkflow)
	w.RegisterActivity(Shout)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{TaskQueue: queue}, MarkersWorkflow, "hello")
	if err != nil {
		t.Fatal(err)
	}
	var result string
	if err := r.Get(waitCtx(t), &result); err != nil || result != "HELLO! fast" {
		t.Fatalf("result %q, %v", result, err)
	}
	events := historyOf(t, c, r.GetID(), r.GetRunID())
	markers := map[string]int{}
	for _, e := range events {
		if a := e.GetMarkerRecordedEventAttributes(); a != nil {
			markers[a.GetMarkerName()]++
			if a.GetWorkflowTaskCompletedEventId() == 0 || len(a.GetDetails()) == 0 {
				t.Errorf("marker %s lacks its details or task id: %v", a.GetMarkerName(), a)
			}
		}
	}
	for _, name := range []string{"LocalActivity", "SideEffect", "MutableSideEffect", "Version"} {
		if markers[name] != 1 {
			t.Errorf("%d %s markers, want 1 (all: %v)", markers[name], name, markers)
		}
	}
	if events[len(events)-1].GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED {
		t.Errorf("history ends with %v", events[len(events)-1].GetEventType())
	}
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflow(MarkersWorkflow)
	if err := replayer.ReplayWorkflowHistory(nil, &historypb.History{Events: events}); err != nil {
		t.Errorf("the history does not replay: %v", err)
	}
}
