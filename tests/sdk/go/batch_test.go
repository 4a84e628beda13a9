// Batch operations through the Go SDK's raw WorkflowService (the SDK has no
// batch client of its own): a signal by query reaches running workflows on
// a real worker, and a termination by a list of executions ends them.
package sdktest

import (
	"fmt"
	"testing"
	"time"

	batchpb "go.temporal.io/api/batch/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Waits for one "nudge" signal and returns what it carried.
func NudgedWorkflow(ctx workflow.Context) (string, error) {
	var got string
	workflow.GetSignalChannel(ctx, "nudge").Receive(ctx, &got)
	return got, nil
}

// Describes the job until it has ended.
func waitForBatch(t *testing.T, c client.Client, jobID string) *workflowservice.DescribeBatchOperationResponse {
	t.Helper()
	var d *workflowservice.DescribeBatchOperationResponse
	eventually(t, "batch "+jobID+" ends", func() error {
		var err error
		d, err = c.WorkflowService().DescribeBatchOperation(waitCtx(t), &workflowservice.DescribeBatchOperationRequest{
			Namespace: "default", JobId: jobID,
		})
		if err != nil {
			return err
		}
		if d.GetState() == enumspb.BATCH_OPERATION_STATE_RUNNING {
			return fmt.Errorf("still running: %d/%d", d.GetCompleteOperationCount(), d.GetTotalOperationCount())
		}
		return nil
	})
	return d
}

func TestBatchSignalByQueryAndTerminateByExecutions(t *testing.T) {
	c := dial(t)
	queue := fmt.Sprintf("batch-%d", time.Now().UnixNano())
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(NudgedWorkflow)
	w.RegisterWorkflow(BlockedWorkflow)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	var nudged []client.WorkflowRun
	for i := 0; i < 3; i++ {
		r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: fmt.Sprintf("%s-nudged-%d", queue, i), TaskQueue: queue}, NudgedWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		nudged = append(nudged, r)
	}
	query := fmt.Sprintf("WorkflowId STARTS_WITH '%s-nudged-'", queue)
	eventually(t, "the runs are listed", func() error {
		n, err := c.CountWorkflow(waitCtx(t), &workflowservice.CountWorkflowExecutionsRequest{Namespace: "default", Query: query})
		if err != nil || n.GetCount() != 3 {
			return fmt.Errorf("%v, %v", n, err)
		}
		return nil
	})
	input, err := converter.GetDefaultDataConverter().ToPayloads("from the batch")
	if err != nil {
		t.Fatal(err)
	}
	signalJob := queue + "-signal"
	if _, err := c.WorkflowService().StartBatchOperation(waitCtx(t), &workflowservice.StartBatchOperationRequest{
		Namespace: "default", JobId: signalJob, VisibilityQuery: query, Reason: "go test",
		Operation: &workflowservice.StartBatchOperationRequest_SignalOperation{
			SignalOperation: &batchpb.BatchOperationSignal{Signal: "nudge", Input: input, Identity: "go-test"},
		},
	}); err != nil {
		t.Fatal(err)
	}
	for _, r := range nudged {
		var got string
		if err := r.Get(waitCtx(t), &got); err != nil || got != "from the batch" {
			t.Fatalf("%s: %q, %v", r.GetID(), got, err)
		}
	}
	d := waitForBatch(t, c, signalJob)
	if d.GetState() != enumspb.BATCH_OPERATION_STATE_COMPLETED || d.GetCompleteOperationCount() != 3 ||
		d.GetTotalOperationCount() != 3 || d.GetOperationType() != enumspb.BATCH_OPERATION_TYPE_SIGNAL ||
		d.GetIdentity() != "go-test" || d.GetReason() != "go test" {
		t.Fatalf("described: %v", d)
	}

	var blocked []*commonpb.WorkflowExecution
	for i := 0; i < 2; i++ {
		r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: fmt.Sprintf("%s-blocked-%d", queue, i), TaskQueue: queue}, BlockedWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		blocked = append(blocked, &commonpb.WorkflowExecution{WorkflowId: r.GetID(), RunId: r.GetRunID()})
	}
	terminateJob := queue + "-terminate"
	if _, err := c.WorkflowService().StartBatchOperation(waitCtx(t), &workflowservice.StartBatchOperationRequest{
		Namespace: "default", JobId: terminateJob, Executions: blocked, Reason: "go test",
		Operation: &workflowservice.StartBatchOperationRequest_TerminationOperation{
			TerminationOperation: &batchpb.BatchOperationTermination{Identity: "go-test"},
		},
	}); err != nil {
		t.Fatal(err)
	}
	if d := waitForBatch(t, c, terminateJob); d.GetCompleteOperationCount() != 2 {
		t.Fatalf("described: %v", d)
	}
	for _, e := range blocked {
		d, err := c.DescribeWorkflowExecution(waitCtx(t), e.GetWorkflowId(), e.GetRunId())
		if err != nil || d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
			t.Fatalf("%s: %v, %v", e.GetWorkflowId(), d.GetWorkflowExecutionInfo().GetStatus(), err)
		}
	}
	listed, err := c.WorkflowService().ListBatchOperations(waitCtx(t), &workflowservice.ListBatchOperationsRequest{Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, info := range listed.GetOperationInfo() {
		if info.GetJobId() == signalJob || info.GetJobId() == terminateJob {
			found++
		}
	}
	if found != 2 {
		t.Fatalf("listed: %v", listed.GetOperationInfo())
	}
}
