// Finding workflows: typed search attributes set at start and upserted by
// the workflow, then List and Count with the filter language.
package sdktest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

var (
	goCustomer = temporal.NewSearchAttributeKeyKeyword("GoCustomer")
	goAmount   = temporal.NewSearchAttributeKeyInt64("GoAmount")
	goTags     = temporal.NewSearchAttributeKeyKeywordList("GoTags")
)

func TaggingWorkflow(ctx workflow.Context, amount int64) error {
	return workflow.UpsertTypedSearchAttributes(ctx, goAmount.ValueSet(amount), goTags.ValueSet([]string{"go", "sdk"}))
}

// eventually retries `f` while it reports not yet, for up to 10 s:
// visibility follows the workflow state within moments, not at once.
func eventually(t *testing.T, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestListAndCountWithSearchAttributes(t *testing.T) {
	c := dial(t)
	_, err := c.OperatorService().AddSearchAttributes(waitCtx(t), &operatorservice.AddSearchAttributesRequest{
		Namespace: "default",
		SearchAttributes: map[string]enumspb.IndexedValueType{
			"GoCustomer": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
			"GoAmount":   enumspb.INDEXED_VALUE_TYPE_INT,
			"GoTags":     enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
		},
	})
	if err != nil {
		t.Fatalf("AddSearchAttributes: %v", err)
	}
	queue := "go-" + t.Name()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(TaggingWorkflow)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	customer := fmt.Sprintf("cust-%d", time.Now().UnixNano())
	for i, amount := range []int64{5, 50, 500} {
		r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{
			ID:                    fmt.Sprintf("%s-%d", customer, i),
			TaskQueue:             queue,
			TypedSearchAttributes: temporal.NewSearchAttributes(goCustomer.ValueSet(customer)),
		}, TaggingWorkflow, amount)
		if err != nil {
			t.Fatalf("start: %v", err)
		}
		if err := r.Get(waitCtx(t), nil); err != nil {
			t.Fatalf("workflow: %v", err)
		}
	}

	query := fmt.Sprintf("GoCustomer = '%s' AND GoAmount >= 50 AND GoTags = 'sdk' AND ExecutionStatus = 'Completed'", customer)
	eventually(t, "list", func() error {
		resp, err := c.ListWorkflow(waitCtx(t), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			return err
		}
		if len(resp.Executions) != 2 {
			return fmt.Errorf("%d runs match, want 2", len(resp.Executions))
		}
		for _, e := range resp.Executions {
			if e.GetCloseTime() == nil || e.GetType().GetName() != "TaggingWorkflow" {
				t.Errorf("listed run %v lacks its close time or type", e.GetExecution())
			}
			fields := e.GetSearchAttributes().GetIndexedFields()
			if _, ok := fields["GoAmount"]; !ok {
				t.Errorf("listed run %v lacks its upserted GoAmount", e.GetExecution())
			}
		}
		return nil
	})

	// Paging returns every run once.
	seen := map[string]bool{}
	var token []byte
	for {
		resp, err := c.ListWorkflow(waitCtx(t), &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("GoCustomer = '%s'", customer), PageSize: 1, NextPageToken: token})
		if err != nil {
			t.Fatalf("list page: %v", err)
		}
		for _, e := range resp.Executions {
			if seen[e.GetExecution().GetWorkflowId()] {
				t.Errorf("%s listed twice", e.GetExecution().GetWorkflowId())
			}
			seen[e.GetExecution().GetWorkflowId()] = true
		}
		if token = resp.NextPageToken; len(token) == 0 {
			break
		}
	}
	if len(seen) != 3 {
		t.Errorf("paging listed %d runs, want 3", len(seen))
	}

	count, err := c.CountWorkflow(waitCtx(t), &workflowservice.CountWorkflowExecutionsRequest{
		Query: fmt.Sprintf("GoCustomer = '%s' GROUP BY ExecutionStatus", customer)})
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	if count.Count != 3 || len(count.Groups) != 1 || count.Groups[0].Count != 3 {
		t.Errorf("count = %v", count)
	}

	_, err = c.ListWorkflow(waitCtx(t), &workflowservice.ListWorkflowExecutionsRequest{Query: "GoAmount = 'lots'"})
	var invalid *serviceerror.InvalidArgument
	if !errors.As(err, &invalid) {
		t.Errorf("malformed query: err = %v, want InvalidArgument", err)
	}

	// A start with an attribute the namespace does not define is refused.
	_, err = c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{
		TaskQueue:             queue,
		TypedSearchAttributes: temporal.NewSearchAttributes(temporal.NewSearchAttributeKeyKeyword("Undefined").ValueSet("x")),
	}, TaggingWorkflow, int64(1))
	if !errors.As(err, &invalid) {
		t.Errorf("start with an undefined attribute: err = %v, want InvalidArgument", err)
	}
}
