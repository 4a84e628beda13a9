// Sticky execution: the worker that ran a workflow gets its next tasks on
// its own queue; when that worker stops, another one takes over at once.
package sdktest

import (
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
)

func historyOf(t *testing.T, c client.Client, id, runID string) []*historypb.HistoryEvent {
	t.Helper()
	iter := c.GetWorkflowHistory(waitCtx(t), id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var events []*historypb.HistoryEvent
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	return events
}

func signalWorker(t *testing.T, c client.Client, queue, identity string) worker.Worker {
	t.Helper()
	w := worker.New(c, queue, worker.Options{Identity: identity})
	w.RegisterWorkflow(SignalWorkflow)
	if err := w.Start(); err != nil {
		t.Fatalf("worker start: %v", err)
	}
	return w
}

func TestStickyExecutionAndHandOver(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	first := signalWorker(t, c, queue, "first-worker")
	r := run(t, c, queue, SignalWorkflow)
	for _, v := range []string{"a", "b"} {
		if err := c.SignalWorkflow(waitCtx(t), r.GetID(), r.GetRunID(), "add", v); err != nil {
			t.Fatalf("signal: %v", err)
		}
		time.Sleep(300 * time.Millisecond) // each signal handled in its own task
	}

	// The first worker asked for its tasks on its sticky queue: the tasks
	// after the first were scheduled there.
	sticky := 0
	for _, e := range historyOf(t, c, r.GetID(), r.GetRunID()) {
		if a := e.GetWorkflowTaskScheduledEventAttributes(); a != nil &&
			a.GetTaskQueue().GetKind() == enumspb.TASK_QUEUE_KIND_STICKY {
			sticky++
			if a.GetTaskQueue().GetNormalName() != queue {
				t.Errorf("sticky queue's normal name = %q, want %q", a.GetTaskQueue().GetNormalName(), queue)
			}
		}
	}
	if sticky == 0 {
		t.Errorf("no workflow task went to the worker's sticky queue")
	}

	// The worker stops (it tells the server); the next task goes to another
	// worker through the normal queue, without waiting for a timeout.
	first.Stop()
	second := signalWorker(t, c, queue, "second-worker")
	defer second.Stop()
	signalled := time.Now()
	if err := c.SignalWorkflow(waitCtx(t), r.GetID(), r.GetRunID(), "add", "c"); err != nil {
		t.Fatalf("signal: %v", err)
	}
	var got []string
	if err := r.Get(waitCtx(t), &got); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if len(got) != 3 || got[2] != "c" {
		t.Errorf("result = %v", got)
	}
	events := historyOf(t, c, r.GetID(), r.GetRunID())
	// Had the task waited for the sticky queue's schedule-to-start timeout,
	// history would say so (a timed-out workflow task), whatever the clock
	// of a busy machine says.
	for _, e := range events {
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT {
			t.Errorf("a workflow task timed out (%v after the signal): the task waited for the sticky timeout",
				time.Since(signalled))
		}
	}
	last := ""
	for _, e := range events {
		if a := e.GetWorkflowTaskStartedEventAttributes(); a != nil {
			last = a.GetIdentity()
		}
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT ||
			e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED {
			t.Errorf("event %d is %v", e.GetEventId(), e.GetEventType())
		}
	}
	if last != "second-worker" {
		t.Errorf("last workflow task ran on %q, want second-worker", last)
	}
}
