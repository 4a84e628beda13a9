// Priority reaches the tasks: an activity or child that sets none runs with
// the workflow's, one that sets its own runs with that.
package sdktest

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func PriorityOfActivity(ctx context.Context) (int, error) {
	return activity.GetInfo(ctx).Priority.PriorityKey, nil
}

func PriorityOfChild(ctx workflow.Context) (int, error) {
	return workflow.GetInfo(ctx).Priority.PriorityKey, nil
}

// Returns the priority keys of: an activity with none, one with 5, a child with none.
func PriorityParentWorkflow(ctx workflow.Context) ([]int, error) {
	var keys []int
	for _, p := range []temporal.Priority{{}, {PriorityKey: 5}} {
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 10 * time.Second, Priority: p, DisableEagerExecution: true,
		})
		var key int
		if err := workflow.ExecuteActivity(actx, PriorityOfActivity).Get(ctx, &key); err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	var key int
	if err := workflow.ExecuteChildWorkflow(ctx, PriorityOfChild).Get(ctx, &key); err != nil {
		return nil, err
	}
	return append(keys, key), nil
}

func TestPriorityReachesActivitiesAndChildren(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(PriorityParentWorkflow)
	w.RegisterWorkflow(PriorityOfChild)
	w.RegisterActivity(PriorityOfActivity)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{
		TaskQueue: queue, Priority: temporal.Priority{PriorityKey: 2},
	}, PriorityParentWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	var keys []int
	if err := r.Get(waitCtx(t), &keys); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 || keys[0] != 2 || keys[1] != 5 || keys[2] != 2 {
		t.Fatalf("priority keys (inheriting activity, own activity, inheriting child) = %v, want [2 5 2]", keys)
	}
}
