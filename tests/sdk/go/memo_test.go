// Memo and search attributes from inside a workflow (UpsertMemo,
// UpsertTypedSearchAttributes) and the operator's remove/list of custom
// search attributes.
package sdktest

import (
	"fmt"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Replaces one memo field, drops another, then waits for "end".
func MemoWorkflow(ctx workflow.Context) error {
	if err := workflow.UpsertMemo(ctx, map[string]interface{}{"stage": "shipped", "draft": nil}); err != nil {
		return err
	}
	workflow.GetSignalChannel(ctx, "end").Receive(ctx, nil)
	return nil
}

func TestUpsertMemoAndRemoveSearchAttribute(t *testing.T) {
	c := dial(t)
	queue := "go-" + t.Name()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(MemoWorkflow)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	id := uniqueID("memo")
	r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id, TaskQueue: queue,
		Memo: map[string]interface{}{"stage": "packing", "draft": true, "owner": "ada"}}, MemoWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the memo shows the upsert", func() error {
		desc, err := c.DescribeWorkflowExecution(waitCtx(t), id, "")
		if err != nil {
			return err
		}
		fields := desc.GetWorkflowExecutionInfo().GetMemo().GetFields()
		var stage, owner string
		if p, ok := fields["stage"]; ok {
			_ = converter.GetDefaultDataConverter().FromPayload(p, &stage)
		}
		if p, ok := fields["owner"]; ok {
			_ = converter.GetDefaultDataConverter().FromPayload(p, &owner)
		}
		if _, draft := fields["draft"]; draft || stage != "shipped" || owner != "ada" {
			return fmt.Errorf("memo = stage %q, owner %q, draft present %v", stage, owner, draft)
		}
		return nil
	})
	_ = c.SignalWorkflow(waitCtx(t), id, "", "end", nil)
	if err := r.Get(waitCtx(t), nil); err != nil {
		t.Fatal(err)
	}

	ops := c.OperatorService()
	name := "GoRemovable"
	if _, err := ops.AddSearchAttributes(waitCtx(t), &operatorservice.AddSearchAttributesRequest{Namespace: "default",
		SearchAttributes: map[string]enumspb.IndexedValueType{name: enumspb.INDEXED_VALUE_TYPE_TEXT}}); err != nil {
		t.Fatal(err)
	}
	listed := func() bool {
		resp, err := ops.ListSearchAttributes(waitCtx(t), &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
		if err != nil {
			t.Fatal(err)
		}
		typ, ok := resp.GetCustomAttributes()[name]
		return ok && typ == enumspb.INDEXED_VALUE_TYPE_TEXT
	}
	if !listed() {
		t.Fatalf("%s is not listed after adding it", name)
	}
	if _, err := ops.RemoveSearchAttributes(waitCtx(t), &operatorservice.RemoveSearchAttributesRequest{
		Namespace: "default", SearchAttributes: []string{name}}); err != nil {
		t.Fatal(err)
	}
	if listed() {
		t.Errorf("%s is still listed after removing it", name)
	}
}
