// Workflows that start, signal and cancel other workflows: child
// workflows, parent close policies, external signals and cancellation.
package sdktest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func ChildGreetingWorkflow(ctx workflow.Context, name string) (string, error) {
	if name == "" {
		return "", temporal.NewApplicationError("no name", "NoName")
	}
	return "child greets " + name, nil
}

// Runs ChildGreetingWorkflow as a child and returns its result.
func ParentWorkflow(ctx workflow.Context, childID, name string) (string, error) {
	ctx = workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: childID})
	var greeting string
	err := workflow.ExecuteChildWorkflow(ctx, ChildGreetingWorkflow, name).Get(ctx, &greeting)
	return greeting, err
}

// Waits until cancelled.
func WaitForeverWorkflow(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return false })
}

// Starts a child that waits forever, returns once it has started.
func ShortParentWorkflow(ctx workflow.Context, childID string, policy enumspb.ParentClosePolicy) error {
	ctx = workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: childID, ParentClosePolicy: policy})
	return workflow.ExecuteChildWorkflow(ctx, WaitForeverWorkflow).GetChildWorkflowExecution().Get(ctx, nil)
}

// Starts a child, then cancels it and reports how the child ended.
func CancellingParentWorkflow(ctx workflow.Context, childID string) (string, error) {
	childCtx, cancel := workflow.WithCancel(ctx)
	childCtx = workflow.WithChildOptions(childCtx, workflow.ChildWorkflowOptions{WorkflowID: childID})
	child := workflow.ExecuteChildWorkflow(childCtx, WaitForeverWorkflow)
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return "", err
	}
	cancel()
	err := child.Get(ctx, nil)
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) {
		return "child canceled", nil
	}
	return fmt.Sprintf("child ended with %v", err), nil
}

func WaitForSignalWorkflow(ctx workflow.Context) (string, error) {
	var got string
	workflow.GetSignalChannel(ctx, "ping").Receive(ctx, &got)
	return got, nil
}

// Signals another workflow and reports whether that worked.
func SignallingWorkflow(ctx workflow.Context, targetID string) (string, error) {
	err := workflow.SignalExternalWorkflow(ctx, targetID, "", "ping", "hello from "+workflow.GetInfo(ctx).WorkflowExecution.ID).Get(ctx, nil)
	if err != nil {
		return "failed: " + err.Error(), nil
	}
	return "sent", nil
}

// Asks another workflow to cancel itself.
func CancelOtherWorkflow(ctx workflow.Context, targetID string) error {
	return workflow.RequestCancelExternalWorkflow(ctx, targetID, "").Get(ctx, nil)
}

func startChildWorker(t *testing.T, c client.Client, queue string) {
	t.Helper()
	w := worker.New(c, queue, worker.Options{})
	for _, wf := range []interface{}{ChildGreetingWorkflow, ParentWorkflow, WaitForeverWorkflow, ShortParentWorkflow,
		CancellingParentWorkflow, WaitForSignalWorkflow, SignallingWorkflow, CancelOtherWorkflow} {
		w.RegisterWorkflow(wf)
	}
	if err := w.Start(); err != nil {
		t.Fatalf("worker start: %v", err)
	}
	t.Cleanup(w.Stop)
}

func uniqueID(prefix string) string { return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()) }

func TestChildWorkflowReturnsItsResult(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startChildWorker(t, c, queue)
	childID := uniqueID("child")
	r := run(t, c, queue, ParentWorkflow, childID, "Ada")
	var greeting string
	if err := r.Get(waitCtx(t), &greeting); err != nil {
		t.Fatalf("parent: %v", err)
	}
	if greeting != "child greets Ada" {
		t.Errorf("result = %q", greeting)
	}
	var types []enumspb.EventType
	for _, e := range historyOf(t, c, r.GetID(), r.GetRunID()) {
		types = append(types, e.GetEventType())
		if a := e.GetChildWorkflowExecutionCompletedEventAttributes(); a != nil {
			if a.GetWorkflowExecution().GetWorkflowId() != childID || a.GetStartedEventId() == 0 || a.GetInitiatedEventId() == 0 {
				t.Errorf("child completed event = %v", a)
			}
		}
	}
	want := []enumspb.EventType{
		enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
	}
	if !containsInOrder(types, want) {
		t.Errorf("parent history %v lacks %v in order", types, want)
	}
	child := historyOf(t, c, childID, "")[0].GetWorkflowExecutionStartedEventAttributes()
	if child.GetParentWorkflowExecution().GetWorkflowId() != r.GetID() || child.GetParentInitiatedEventId() == 0 ||
		child.GetParentWorkflowNamespace() != "default" {
		t.Errorf("child's started event = %v", child)
	}
}

func containsInOrder(have, want []enumspb.EventType) bool {
	i := 0
	for _, h := range have {
		if i < len(want) && h == want[i] {
			i++
		}
	}
	return i == len(want)
}

func TestChildFailureReachesTheParent(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startChildWorker(t, c, queue)
	err := run(t, c, queue, ParentWorkflow, uniqueID("child"), "").Get(waitCtx(t), nil)
	var childErr *temporal.ChildWorkflowExecutionError
	var appErr *temporal.ApplicationError
	if !errors.As(err, &childErr) || !errors.As(err, &appErr) || appErr.Type() != "NoName" {
		t.Fatalf("parent error = %v, want the child's NoName failure", err)
	}
}

func TestDuplicateChildIDFailsTheStart(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startChildWorker(t, c, queue)
	childID := uniqueID("taken")
	if _, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: childID, TaskQueue: queue}, WaitForeverWorkflow); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.TerminateWorkflow(waitCtx(t), childID, "", "test over") }()
	// The parent workflow returns the SDK's already-started error; it
	// reaches the client as an application failure of that type.
	err := run(t, c, queue, ParentWorkflow, childID, "Ada").Get(waitCtx(t), nil)
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != "ChildWorkflowExecutionAlreadyStartedError" {
		t.Fatalf("parent error = %v, want ChildWorkflowExecutionAlreadyStartedError", err)
	}
}

func waitForStatus(t *testing.T, c client.Client, id string, want enumspb.WorkflowExecutionStatus) {
	t.Helper()
	eventually(t, fmt.Sprintf("%s becomes %v", id, want), func() error {
		desc, err := c.DescribeWorkflowExecution(waitCtx(t), id, "")
		if err != nil {
			return err
		}
		if s := desc.GetWorkflowExecutionInfo().GetStatus(); s != want {
			return fmt.Errorf("status %v", s)
		}
		return nil
	})
}

func TestParentClosePolicies(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startChildWorker(t, c, queue)
	terminated, abandoned, canceled := uniqueID("terminated"), uniqueID("abandoned"), uniqueID("canceled")
	for id, policy := range map[string]enumspb.ParentClosePolicy{
		terminated: enumspb.PARENT_CLOSE_POLICY_TERMINATE,
		abandoned:  enumspb.PARENT_CLOSE_POLICY_ABANDON,
		canceled:   enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
	} {
		if err := run(t, c, queue, ShortParentWorkflow, id, policy).Get(waitCtx(t), nil); err != nil {
			t.Fatalf("parent of %s: %v", id, err)
		}
	}
	defer func() { _ = c.TerminateWorkflow(waitCtx(t), abandoned, "", "test over") }()
	waitForStatus(t, c, terminated, enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED)
	waitForStatus(t, c, canceled, enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED)
	time.Sleep(200 * time.Millisecond)
	waitForStatus(t, c, abandoned, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING)
}

func TestCancellingAChild(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startChildWorker(t, c, queue)
	var outcome string
	if err := run(t, c, queue, CancellingParentWorkflow, uniqueID("child")).Get(waitCtx(t), &outcome); err != nil {
		t.Fatalf("parent: %v", err)
	}
	if outcome != "child canceled" {
		t.Errorf("outcome = %q", outcome)
	}
}

func TestSignalAndCancelBetweenWorkflows(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	startChildWorker(t, c, queue)
	targetID := uniqueID("target")
	target, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: targetID, TaskQueue: queue}, WaitForSignalWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	sender := run(t, c, queue, SignallingWorkflow, targetID)
	var sent, got string
	if err := sender.Get(waitCtx(t), &sent); err != nil || sent != "sent" {
		t.Fatalf("sender: %q, %v", sent, err)
	}
	if err := target.Get(waitCtx(t), &got); err != nil || got != "hello from "+sender.GetID() {
		t.Fatalf("target got %q, %v", got, err)
	}
	found := false
	for _, e := range historyOf(t, c, targetID, "") {
		if a := e.GetWorkflowExecutionSignaledEventAttributes(); a != nil {
			found = a.GetExternalWorkflowExecution().GetWorkflowId() == sender.GetID()
		}
	}
	if !found {
		t.Errorf("the target's signaled event does not name the sender")
	}

	// A signal to nobody fails in the sender's workflow, not the server.
	if err := run(t, c, queue, SignallingWorkflow, uniqueID("nobody")).Get(waitCtx(t), &sent); err != nil {
		t.Fatal(err)
	}
	if sent == "sent" {
		t.Errorf("signalling a missing workflow succeeded")
	}

	victimID := uniqueID("victim")
	victim, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: victimID, TaskQueue: queue}, WaitForeverWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	if err := run(t, c, queue, CancelOtherWorkflow, victimID).Get(waitCtx(t), nil); err != nil {
		t.Fatalf("canceller: %v", err)
	}
	var canceled *temporal.CanceledError
	if err := victim.Get(waitCtx(t), nil); !errors.As(err, &canceled) {
		t.Errorf("victim ended with %v, want canceled", err)
	}
}

// Starts a child that waits forever, then waits for "end".
func WaitingParentWorkflow(ctx workflow.Context, childID string) error {
	ctx = workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: childID})
	if err := workflow.ExecuteChildWorkflow(ctx, WaitForeverWorkflow).GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return err
	}
	workflow.GetSignalChannel(ctx, "end").Receive(ctx, nil)
	return nil
}

func TestDescribeListsPendingChildren(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(WaitingParentWorkflow)
	w.RegisterWorkflow(WaitForeverWorkflow)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	parentID, childID := uniqueID("parent"), uniqueID("pending-child")
	r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: parentID, TaskQueue: queue},
		WaitingParentWorkflow, childID)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the child is listed as pending", func() error {
		desc, err := c.DescribeWorkflowExecution(waitCtx(t), parentID, "")
		if err != nil {
			return err
		}
		children := desc.GetPendingChildren()
		if len(children) != 1 || children[0].GetWorkflowId() != childID || children[0].GetRunId() == "" ||
			children[0].GetWorkflowTypeName() != "WaitForeverWorkflow" ||
			children[0].GetParentClosePolicy() != enumspb.PARENT_CLOSE_POLICY_TERMINATE {
			return fmt.Errorf("pending children %v", children)
		}
		return nil
	})
	if err := c.SignalWorkflow(waitCtx(t), parentID, "", "end", nil); err != nil {
		t.Fatal(err)
	}
	if err := r.Get(waitCtx(t), nil); err != nil {
		t.Fatal(err)
	}
	waitForStatus(t, c, childID, enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED)
}
