// Bad input gets the error code Temporal answers with, and the server
// stays up.
package sdktest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"
)

func wantCode(t *testing.T, what string, err error, code codes.Code) {
	t.Helper()
	got := serviceerror.ToStatus(err).Code()
	if got != code {
		t.Errorf("%s: got %v (%v), want %v", what, got, err, code)
	}
}

func startRequest(id string) *workflowservice.StartWorkflowExecutionRequest {
	return &workflowservice.StartWorkflowExecutionRequest{
		Namespace:    "default",
		WorkflowId:   id,
		WorkflowType: &commonpb.WorkflowType{Name: "Anything"},
		TaskQueue:    &taskqueuepb.TaskQueue{Name: "bad-input"},
		RequestId:    id,
	}
}

func TestBadInput(t *testing.T) {
	c := dial(t)
	svc := c.WorkflowService()
	ctx := waitCtx(t)

	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "q"}, "Anything")
	if err != nil {
		t.Fatalf("a valid start failed: %v", err)
	}

	other, err := client.Dial(client.Options{HostPort: address(), Namespace: "no-such-namespace"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "q"}, "Anything")
	var nsNotFound *serviceerror.NamespaceNotFound
	if !errors.As(err, &nsNotFound) {
		t.Errorf("start in unknown namespace = %v, want NamespaceNotFound", err)
	}

	noQueue := startRequest("no-queue")
	noQueue.TaskQueue = nil
	_, err = svc.StartWorkflowExecution(ctx, noQueue)
	wantCode(t, "start without task queue", err, codes.InvalidArgument)

	noType := startRequest("no-type")
	noType.WorkflowType = nil
	_, err = svc.StartWorkflowExecution(ctx, noType)
	wantCode(t, "start without workflow type", err, codes.InvalidArgument)

	noID := startRequest("")
	_, err = svc.StartWorkflowExecution(ctx, noID)
	wantCode(t, "start without workflow id", err, codes.InvalidArgument)

	badTimeout := startRequest("bad-timeout")
	badTimeout.WorkflowRunTimeout = durationpb.New(-time.Second)
	_, err = svc.StartWorkflowExecution(ctx, badTimeout)
	wantCode(t, "negative run timeout", err, codes.InvalidArgument)

	big := startRequest("too-big")
	big.Input = &commonpb.Payloads{Payloads: []*commonpb.Payload{{Data: make([]byte, 3*1024*1024)}}}
	_, err = svc.StartWorkflowExecution(ctx, big)
	wantCode(t, "3 MiB input", err, codes.InvalidArgument)
	if err != nil && !strings.Contains(err.Error(), "size exceeds limit") {
		t.Errorf("oversized input message = %v", err)
	}

	for name, token := range map[string][]byte{"garbage": []byte("\xff\x00garbage"), "empty": nil} {
		_, err = svc.RespondWorkflowTaskCompleted(ctx, &workflowservice.RespondWorkflowTaskCompletedRequest{
			Namespace: "default", TaskToken: token})
		wantCode(t, "workflow task token "+name, err, codes.InvalidArgument)
		_, err = svc.RespondActivityTaskCompleted(ctx, &workflowservice.RespondActivityTaskCompletedRequest{
			Namespace: "default", TaskToken: token})
		wantCode(t, "activity task token "+name, err, codes.InvalidArgument)
	}

	_, err = svc.PollWorkflowTaskQueue(ctx, &workflowservice.PollWorkflowTaskQueueRequest{Namespace: "default"})
	wantCode(t, "poll without task queue", err, codes.InvalidArgument)

	_, err = svc.SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
		Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: "x"}})
	wantCode(t, "signal without name", err, codes.InvalidArgument)

	// Still serving.
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		t.Fatalf("health after bad input: %v", err)
	}
}

func RunsTooLong(ctx workflow.Context) error {
	return workflow.Sleep(ctx, time.Hour)
}

func TestWorkflowRunTimeout(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(RunsTooLong)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{TaskQueue: queue, WorkflowRunTimeout: time.Second},
		RunsTooLong)
	if err != nil {
		t.Fatal(err)
	}
	err = r.Get(waitCtx(t), nil)
	var timeoutErr *temporal.TimeoutError
	if !errors.As(err, &timeoutErr) {
		t.Fatalf("result = %v, want a TimeoutError", err)
	}
	desc, err := c.DescribeWorkflowExecution(context.Background(), r.GetID(), r.GetRunID())
	if err != nil {
		t.Fatal(err)
	}
	if desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT {
		t.Errorf("status = %v", desc.GetWorkflowExecutionInfo().GetStatus())
	}
}

var panicsLeft = 1

// Panics in its first workflow task; the retried task succeeds.
func PanicsOnceWorkflow(ctx workflow.Context) (string, error) {
	if panicsLeft > 0 {
		panicsLeft--
		panic("first workflow task fails")
	}
	return "recovered", nil
}

func TestWorkflowTaskFailureIsRetried(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(PanicsOnceWorkflow)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{TaskQueue: queue, WorkflowTaskTimeout: time.Second},
		PanicsOnceWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := r.Get(waitCtx(t), &out); err != nil || out != "recovered" {
		t.Fatalf("result = %q, %v", out, err)
	}
	iter := c.GetWorkflowHistory(waitCtx(t), r.GetID(), r.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	failed := 0
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := e.GetWorkflowTaskFailedEventAttributes(); a != nil {
			failed++
			if a.GetCause() != enumspb.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE {
				t.Errorf("cause = %v", a.GetCause())
			}
		}
		if a := e.GetWorkflowTaskScheduledEventAttributes(); a != nil && e.GetEventId() > 2 && a.GetAttempt() != 2 {
			t.Errorf("retried workflow task attempt = %d, want 2", a.GetAttempt())
		}
	}
	if failed != 1 {
		t.Errorf("%d WorkflowTaskFailed events, want 1", failed)
	}
}
