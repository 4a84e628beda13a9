// DescribeTaskQueue through the SDK client: a queue nobody polls shows its
// backlog; once a worker has done the work, the backlog is gone and the
// worker is listed as a poller of both task-queue types.
package sdktest

import (
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

func describeQueue(t *testing.T, c client.Client, queue string) map[client.TaskQueueType]client.TaskQueueTypeInfo {
	t.Helper()
	d, err := c.DescribeTaskQueueEnhanced(waitCtx(t), client.DescribeTaskQueueEnhancedOptions{
		TaskQueue: queue, ReportPollers: true, ReportStats: true,
	})
	if err != nil {
		t.Fatalf("DescribeTaskQueueEnhanced: %v", err)
	}
	unversioned, ok := d.VersionsInfo[client.UnversionedBuildID]
	if !ok {
		t.Fatalf("no unversioned entry in %+v", d.VersionsInfo)
	}
	return unversioned.TypesInfo
}

func TestDescribeTaskQueueShowsTheBacklogAndThePollers(t *testing.T) {
	c, queue := dial(t), "go-"+t.Name()
	var runs []client.WorkflowRun
	for i := 0; i < 3; i++ {
		runs = append(runs, run(t, c, queue, GreetingWorkflow, "queue"))
	}
	// The tasks reach matching from history's outbox, within moments.
	var backlog int64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if backlog = describeQueue(t, c, queue)[client.TaskQueueTypeWorkflow].Stats.ApproximateBacklogCount; backlog == 3 {
			break
		}
	}
	if backlog != 3 {
		t.Fatalf("workflow backlog %d, want 3", backlog)
	}
	types := describeQueue(t, c, queue)
	if wf := types[client.TaskQueueTypeWorkflow]; len(wf.Pollers) != 0 || wf.Stats.ApproximateBacklogAge <= 0 {
		t.Errorf("before a worker: %d pollers, backlog age %v", len(wf.Pollers), wf.Stats.ApproximateBacklogAge)
	}
	if n := types[client.TaskQueueTypeActivity].Stats.ApproximateBacklogCount; n != 0 {
		t.Errorf("activity backlog %d before any activity was scheduled", n)
	}
	legacy, err := c.DescribeTaskQueue(waitCtx(t), queue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
	if err != nil || len(legacy.GetPollers()) != 0 {
		t.Fatalf("legacy describe: %v, %d pollers", err, len(legacy.GetPollers()))
	}

	startWorker(t, c, queue)
	for _, r := range runs {
		var greeting string
		if err := r.Get(waitCtx(t), &greeting); err != nil {
			t.Fatal(err)
		}
	}
	types = describeQueue(t, c, queue)
	for _, tt := range []client.TaskQueueType{client.TaskQueueTypeWorkflow, client.TaskQueueTypeActivity} {
		info := types[tt]
		if info.Stats.ApproximateBacklogCount != 0 || info.Stats.ApproximateBacklogAge != 0 {
			t.Errorf("type %v: backlog %d aged %v after the work was done", tt, info.Stats.ApproximateBacklogCount,
				info.Stats.ApproximateBacklogAge)
		}
		if len(info.Pollers) == 0 || info.Pollers[0].Identity == "" {
			t.Errorf("type %v: pollers %+v, want the worker", tt, info.Pollers)
		}
	}
	// (Activities may have been started eagerly, past matching: only the
	// workflow tasks are sure to have gone through the queue.)
	if wf := types[client.TaskQueueTypeWorkflow].Stats; wf.TasksAddRate <= 0 || wf.TasksDispatchRate <= 0 {
		t.Errorf("workflow add rate %v, dispatch rate %v after traffic", wf.TasksAddRate, wf.TasksDispatchRate)
	}
	t.Logf("workflow stats after the run: %+v", *types[client.TaskQueueTypeWorkflow].Stats)
}
