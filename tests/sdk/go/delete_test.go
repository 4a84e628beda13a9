// DeleteWorkflowExecution and GetWorkflowExecutionHistoryReverse through
// the Go SDK's service client.
package sdktest

import (
	"errors"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

func TestDeleteAndReverseHistory(t *testing.T) {
	c := dial(t)
	id := uniqueID("deleted")
	r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id, TaskQueue: "nobody-polls"}, "Anything")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SignalWorkflow(waitCtx(t), id, "", "poke", nil); err != nil {
		t.Fatal(err)
	}
	reverse, err := c.WorkflowService().GetWorkflowExecutionHistoryReverse(waitCtx(t),
		&workflowservice.GetWorkflowExecutionHistoryReverseRequest{
			Namespace: "default", Execution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: r.GetRunID()}})
	if err != nil {
		t.Fatal(err)
	}
	events := reverse.GetHistory().GetEvents()
	if len(events) < 3 || events[0].GetEventId() <= events[len(events)-1].GetEventId() ||
		events[len(events)-1].GetEventId() != 1 {
		t.Errorf("reverse history ids run %d..%d", events[0].GetEventId(), events[len(events)-1].GetEventId())
	}

	_, err = c.WorkflowService().DeleteWorkflowExecution(waitCtx(t), &workflowservice.DeleteWorkflowExecutionRequest{
		Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id}})
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = c.DescribeWorkflowExecution(waitCtx(t), id, "")
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		t.Errorf("describe after delete: %v, want NotFound", err)
	}
	eventually(t, "the deleted run leaves visibility", func() error {
		resp, err := c.ListWorkflow(waitCtx(t), &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowId = '" + id + "'"})
		if err != nil {
			return err
		}
		if len(resp.Executions) != 0 {
			return errors.New("still listed")
		}
		return nil
	})
}
