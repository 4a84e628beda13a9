// A query that arrives while a workflow task is running waits for it and
// answers with the state after it (Temporal's consistent query).
package sdktest

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func SlowLocalStep(ctx context.Context) error {
	time.Sleep(2 * time.Second)
	return nil
}

func ConsistentStateWorkflow(ctx workflow.Context) (string, error) {
	state := "before the signal"
	if err := workflow.SetQueryHandler(ctx, "state", func() (string, error) { return state, nil }); err != nil {
		return "", err
	}
	workflow.GetSignalChannel(ctx, "go").Receive(ctx, nil)
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
	_ = workflow.ExecuteLocalActivity(lctx, SlowLocalStep).Get(lctx, nil)
	state = "after the signal's task"
	workflow.GetSignalChannel(ctx, "done").Receive(ctx, nil)
	return state, nil
}

func TestQueryDuringWorkflowTaskSeesItsResult(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(ConsistentStateWorkflow)
	w.RegisterActivity(SlowLocalStep)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	id := uniqueID("consistent-query")
	r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{
		ID: id, TaskQueue: queue, WorkflowTaskTimeout: 5 * time.Second,
	}, ConsistentStateWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.TerminateWorkflow(waitCtx(t), id, "", "test done") }()
	time.Sleep(500 * time.Millisecond) // the first task is done
	if err := c.SignalWorkflow(waitCtx(t), id, r.GetRunID(), "go", nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the signal's task runs its local activity
	v, err := c.QueryWorkflow(waitCtx(t), id, r.GetRunID(), "state")
	if err != nil {
		t.Fatal(err)
	}
	var state string
	if err := v.Get(&state); err != nil {
		t.Fatal(err)
	}
	if state != "after the signal's task" {
		t.Fatalf("query answered %q while the signal's task ran, want the state after it", state)
	}
}
