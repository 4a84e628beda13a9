// PauseActivity / UnpauseActivity: a paused activity hears of it on its next
// heartbeat, its failed attempt is not retried while paused, and unpausing
// runs the next attempt. ResetActivity: a running activity hears of it on
// its next heartbeat and starts over.
package sdktest

import (
	"context"
	"fmt"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The first attempt heartbeats until it is paused; later ones succeed.
func PausableActivity(ctx context.Context) (string, error) {
	if activity.GetInfo(ctx).Attempt > 1 {
		return fmt.Sprintf("done on attempt %d", activity.GetInfo(ctx).Attempt), nil
	}
	for {
		select {
		case <-time.After(200 * time.Millisecond):
			activity.RecordHeartbeat(ctx)
		case <-ctx.Done():
			return "", context.Cause(ctx)
		}
	}
}

// The first attempt heartbeats its progress until it is reset; the next
// reports the attempt and the progress it inherited.
func ResettableActivity(ctx context.Context) (string, error) {
	if activity.HasHeartbeatDetails(ctx) {
		var progress string
		_ = activity.GetHeartbeatDetails(ctx, &progress)
		return fmt.Sprintf("attempt %d after %s", activity.GetInfo(ctx).Attempt, progress), nil
	}
	for {
		select {
		case <-time.After(200 * time.Millisecond):
			activity.RecordHeartbeat(ctx, "halfway")
		case <-ctx.Done():
			return "", context.Cause(ctx)
		}
	}
}

// Runs the activity `name` as activity id `id`.
func ControlledActivityWorkflow(ctx workflow.Context, name, id string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		ActivityID: id, StartToCloseTimeout: 30 * time.Second, HeartbeatTimeout: 5 * time.Second,
	})
	var out string
	err := workflow.ExecuteActivity(ctx, name).Get(ctx, &out)
	return out, err
}

// Starts a worker for the activity-control workflows and one of them, and
// waits until its activity runs.
func runControlledActivity(t *testing.T, activityName, id string) (client.Client, client.WorkflowRun, *commonpb.WorkflowExecution) {
	t.Helper()
	c, queue := dial(t), "go-"+t.Name()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(ControlledActivityWorkflow)
	w.RegisterActivity(PausableActivity)
	w.RegisterActivity(ResettableActivity)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	r := run(t, c, queue, ControlledActivityWorkflow, activityName, id)
	eventually(t, "the activity runs", func() error {
		d, err := c.DescribeWorkflowExecution(waitCtx(t), r.GetID(), r.GetRunID())
		if err != nil || len(d.GetPendingActivities()) != 1 || d.GetPendingActivities()[0].GetLastStartedTime() == nil {
			return fmt.Errorf("not started yet (%v)", err)
		}
		return nil
	})
	return c, r, &commonpb.WorkflowExecution{WorkflowId: r.GetID(), RunId: r.GetRunID()}
}

func TestResetActivityStartsItOver(t *testing.T) {
	c, r, execution := runControlledActivity(t, "ResettableActivity", "resettable")
	time.Sleep(500 * time.Millisecond) // a heartbeat with its progress is recorded
	if _, err := c.WorkflowService().ResetActivity(waitCtx(t), &workflowservice.ResetActivityRequest{
		Namespace: "default", Execution: execution, Activity: &workflowservice.ResetActivityRequest_Id{Id: "resettable"},
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var out string
	if err := r.Get(ctx, &out); err != nil || out != "attempt 2 after halfway" {
		t.Fatalf("after reset: %q, %v", out, err)
	}
}

func TestPausedActivityWaitsForUnpause(t *testing.T) {
	c, r, execution := runControlledActivity(t, "PausableActivity", "pausable")
	ctx := waitCtx(t)
	if _, err := c.WorkflowService().PauseActivity(ctx, &workflowservice.PauseActivityRequest{
		Namespace: "default", Execution: execution, Activity: &workflowservice.PauseActivityRequest_Id{Id: "pausable"},
	}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the paused attempt fails and waits", func() error {
		d, err := c.DescribeWorkflowExecution(ctx, r.GetID(), r.GetRunID())
		if err != nil {
			return err
		}
		p := d.GetPendingActivities()
		if len(p) != 1 || !p[0].GetPaused() || p[0].GetLastFailure().GetMessage() != "activity paused" || p[0].GetAttempt() != 2 {
			return fmt.Errorf("pending activities %v", p)
		}
		return nil
	})
	time.Sleep(time.Second) // no retry runs meanwhile
	if d, _ := c.DescribeWorkflowExecution(ctx, r.GetID(), r.GetRunID()); d.GetPendingActivities()[0].GetLastStartedTime() != nil {
		t.Fatal("a paused activity was retried")
	}
	if _, err := c.WorkflowService().UnpauseActivity(ctx, &workflowservice.UnpauseActivityRequest{
		Namespace: "default", Execution: execution, Activity: &workflowservice.UnpauseActivityRequest_Id{Id: "pausable"},
	}); err != nil {
		t.Fatal(err)
	}
	var out string
	if err := r.Get(ctx, &out); err != nil || out != "done on attempt 2" {
		t.Fatalf("after unpause: %q, %v", out, err)
	}
}
