// PauseActivity / UnpauseActivity: a paused activity hears of it on its next
// heartbeat, its failed attempt is not retried while paused, and unpausing
// runs the next attempt.
package sdktest

import (
	"context"
	"fmt"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
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

func PausableWorkflow(ctx workflow.Context) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		ActivityID: "pausable", StartToCloseTimeout: 30 * time.Second, HeartbeatTimeout: 5 * time.Second,
	})
	var out string
	err := workflow.ExecuteActivity(ctx, PausableActivity).Get(ctx, &out)
	return out, err
}

func TestPausedActivityWaitsForUnpause(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(PausableWorkflow)
	w.RegisterActivity(PausableActivity)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	r := run(t, c, queue, PausableWorkflow)
	execution := &commonpb.WorkflowExecution{WorkflowId: r.GetID(), RunId: r.GetRunID()}
	ctx := waitCtx(t)
	eventually(t, "the activity runs", func() error {
		d, err := c.DescribeWorkflowExecution(ctx, r.GetID(), r.GetRunID())
		if err != nil || len(d.GetPendingActivities()) != 1 || d.GetPendingActivities()[0].GetLastStartedTime() == nil {
			return fmt.Errorf("not started yet (%v)", err)
		}
		return nil
	})
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

