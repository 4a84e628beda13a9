// A worker that speaks the workflow-task API itself, for commands and
// replies the Go SDK never sends.
package sdktest

import (
	"testing"

	commandpb "go.temporal.io/api/command/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

type rawWorker struct {
	t     *testing.T
	c     client.Client
	queue string
}

func newRawWorker(t *testing.T, c client.Client, queue string) *rawWorker {
	return &rawWorker{t: t, c: c, queue: queue}
}

// Starts a workflow on the worker's queue; it is terminated when the test ends.
func (w *rawWorker) start(id string) string {
	w.t.Helper()
	req := startRequest(id)
	req.TaskQueue = &taskqueuepb.TaskQueue{Name: w.queue}
	if _, err := w.c.WorkflowService().StartWorkflowExecution(waitCtx(w.t), req); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { _ = w.c.TerminateWorkflow(waitCtx(w.t), id, "", "test done") })
	return id
}

func (w *rawWorker) poll() *workflowservice.PollWorkflowTaskQueueResponse {
	w.t.Helper()
	task, err := w.c.WorkflowService().PollWorkflowTaskQueue(waitCtx(w.t), &workflowservice.PollWorkflowTaskQueueRequest{
		Namespace: "default", TaskQueue: &taskqueuepb.TaskQueue{Name: w.queue}, Identity: "raw-worker",
	})
	if err != nil || len(task.GetTaskToken()) == 0 {
		w.t.Fatalf("poll: %v", err)
	}
	return task
}

func (w *rawWorker) complete(task *workflowservice.PollWorkflowTaskQueueResponse, commands []*commandpb.Command) {
	w.t.Helper()
	_, err := w.c.WorkflowService().RespondWorkflowTaskCompleted(waitCtx(w.t), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: "default", TaskToken: task.TaskToken, Identity: "raw-worker", Commands: commands,
	})
	if err != nil {
		w.t.Fatalf("complete: %v", err)
	}
}
