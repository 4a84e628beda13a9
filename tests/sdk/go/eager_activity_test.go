// Eager activities: an activity the workflow worker asks to run itself
// (request_eager_execution, on by default in the Go SDK for activities on
// the workflow's own task queue) comes back in the reply to the workflow
// task's completion instead of going to whichever worker polls.
package sdktest

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func WhoRunsWorkflow(ctx workflow.Context) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var who string
	err := workflow.ExecuteActivity(ctx, "WhoRuns").Get(ctx, &who)
	return who, err
}

func TestEagerActivityRunsOnTheWorkflowsWorker(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	// Polls the queue for activities only; it must never get this one.
	other := worker.New(c, queue, worker.Options{})
	other.RegisterActivityWithOptions(func(context.Context) (string, error) { return "the other worker", nil },
		activity.RegisterOptions{Name: "WhoRuns"})
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Stop)
	mine := worker.New(c, queue, worker.Options{})
	mine.RegisterWorkflow(WhoRunsWorkflow)
	mine.RegisterActivityWithOptions(func(context.Context) (string, error) { return "the workflow's worker", nil },
		activity.RegisterOptions{Name: "WhoRuns"})
	if err := mine.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mine.Stop)

	for i := 0; i < 8; i++ {
		var who string
		if err := run(t, c, queue, WhoRunsWorkflow).Get(waitCtx(t), &who); err != nil {
			t.Fatal(err)
		}
		if who != "the workflow's worker" {
			t.Fatalf("run %d: the activity ran on %s, not eagerly on the workflow's worker", i, who)
		}
	}
}
