//go:build conformance

// Differential conformance: every scenario runs on Zaman ($ZAMAN_ADDRESS)
// and on the reference Temporal dev server ($ZAMAN_REFERENCE_ADDRESS); the
// histories the two servers write are normalised (see
// tests/conformance/known-differences.md) and compared event by event.
// Run by `make conformance`, which starts both servers.
package sdktest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"
)

// A scenario drives one workflow (and whatever it starts) to its end and
// returns the runs whose histories are compared, in order.
type scenario struct {
	name string
	run  func(t *testing.T, c client.Client, queue, id string) []runRef
}

type runRef struct{ workflowID, runID string }

// Fails twice, then returns its attempt (Flaky's global call count
// differs between the two servers' runs).
func AttemptActivity(ctx context.Context) (int32, error) {
	if a := activity.GetInfo(ctx).Attempt; a < 3 {
		return 0, fmt.Errorf("attempt %d fails", a)
	} else {
		return a, nil
	}
}

func RetriedActivityWorkflow(ctx workflow.Context) (int32, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, BackoffCoefficient: 1},
	})
	var attempt int32
	err := workflow.ExecuteActivity(ctx, AttemptActivity).Get(ctx, &attempt)
	return attempt, err
}

// A timer and nothing else (TimerWorkflow returns the time it measured,
// which differs from run to run).
func SleepWorkflow(ctx workflow.Context) error { return workflow.Sleep(ctx, time.Second) }

func conformanceWorker(t *testing.T, c client.Client, queue string) {
	t.Helper()
	w := worker.New(c, queue, worker.Options{})
	for _, wf := range []interface{}{GreetingWorkflow, RetriedActivityWorkflow, NonRetryableWorkflow, SleepWorkflow, SignalWorkflow,
		CountingWorkflow, UntilThirdAttemptWorkflow, ChildGreetingWorkflow, ParentWorkflow, WaitForeverWorkflow,
		CancellingParentWorkflow, WaitForSignalWorkflow, SignallingWorkflow, RunningTotalWorkflow, MarkersWorkflow,
		CancellableWorkflow, CancelActivityWorkflow, HeartbeatTimeoutWorkflow, CronTickWorkflow, MemoWorkflow} {
		w.RegisterWorkflow(wf)
	}
	for _, a := range []interface{}{Greet, AttemptActivity, AlwaysFails, Shout, Heartbeater, SilentActivity} {
		w.RegisterActivity(a)
	}
	if err := w.Start(); err != nil {
		t.Fatalf("worker: %v", err)
	}
	t.Cleanup(w.Stop)
}

// execute starts `wf` with id `id`, waits for its result and returns its run.
func execute(t *testing.T, c client.Client, opts client.StartWorkflowOptions, wf interface{}, args ...interface{}) runRef {
	t.Helper()
	r, err := c.ExecuteWorkflow(waitCtx(t), opts, wf, args...)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	first := r.GetRunID()
	_ = r.Get(waitCtx(t), nil) // failures are part of some scenarios
	return runRef{opts.ID, first}
}

// chain follows new_execution_run_id from `first` to the chain's last run.
func chain(t *testing.T, c client.Client, first runRef) []runRef {
	runs := []runRef{first}
	for len(runs) < 10 {
		events := historyOf(t, c, first.workflowID, runs[len(runs)-1].runID)
		last := events[len(events)-1]
		next := last.GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId() +
			last.GetWorkflowExecutionFailedEventAttributes().GetNewExecutionRunId() +
			last.GetWorkflowExecutionCompletedEventAttributes().GetNewExecutionRunId() +
			last.GetWorkflowExecutionTimedOutEventAttributes().GetNewExecutionRunId()
		if next == "" {
			break
		}
		runs = append(runs, runRef{first.workflowID, next})
	}
	return runs
}

var scenarios = []scenario{
	{"activity", func(t *testing.T, c client.Client, q, id string) []runRef {
		return []runRef{execute(t, c, client.StartWorkflowOptions{ID: id, TaskQueue: q}, GreetingWorkflow, "x")}
	}},
	{"activity-retry", func(t *testing.T, c client.Client, q, id string) []runRef {
		return []runRef{execute(t, c, client.StartWorkflowOptions{ID: id, TaskQueue: q}, RetriedActivityWorkflow)}
	}},
	{"activity-non-retryable", func(t *testing.T, c client.Client, q, id string) []runRef {
		return []runRef{execute(t, c, client.StartWorkflowOptions{ID: id, TaskQueue: q}, NonRetryableWorkflow)}
	}},
	{"timer", func(t *testing.T, c client.Client, q, id string) []runRef {
		return []runRef{execute(t, c, client.StartWorkflowOptions{ID: id, TaskQueue: q}, SleepWorkflow)}
	}},
	{"signals", func(t *testing.T, c client.Client, q, id string) []runRef {
		r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id, TaskQueue: q}, SignalWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"a", "b", "c"} {
			time.Sleep(200 * time.Millisecond) // one workflow task per signal on both servers
			if err := c.SignalWorkflow(waitCtx(t), id, "", "add", v); err != nil {
				t.Fatal(err)
			}
		}
		_ = r.Get(waitCtx(t), nil)
		return []runRef{{id, r.GetRunID()}}
	}},
	{"continue-as-new", func(t *testing.T, c client.Client, q, id string) []runRef {
		return chain(t, c, execute(t, c, client.StartWorkflowOptions{ID: id, TaskQueue: q}, CountingWorkflow, 0, 2))
	}},
	{"workflow-retry", func(t *testing.T, c client.Client, q, id string) []runRef {
		policy := &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 1, MaximumAttempts: 5}
		return chain(t, c, execute(t, c, client.StartWorkflowOptions{ID: id, TaskQueue: q, RetryPolicy: policy},
			UntilThirdAttemptWorkflow))
	}},
	{"child", func(t *testing.T, c client.Client, q, id string) []runRef {
		parent := execute(t, c, client.StartWorkflowOptions{ID: id, TaskQueue: q}, ParentWorkflow, id+"-child", "x")
		return []runRef{parent, {id + "-child", ""}}
	}},
	{"child-cancel", func(t *testing.T, c client.Client, q, id string) []runRef {
		parent := execute(t, c, client.StartWorkflowOptions{ID: id, TaskQueue: q}, CancellingParentWorkflow, id+"-child")
		return []runRef{parent, {id + "-child", ""}}
	}},
	{"signal-external", func(t *testing.T, c client.Client, q, id string) []runRef {
		target, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id + "-target", TaskQueue: q}, WaitForSignalWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		sender := execute(t, c, client.StartWorkflowOptions{ID: id, TaskQueue: q}, SignallingWorkflow, id+"-target")
		_ = target.Get(waitCtx(t), nil)
		return []runRef{sender, {id + "-target", target.GetRunID()}}
	}},
	{"update", func(t *testing.T, c client.Client, q, id string) []runRef {
		r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id, TaskQueue: q}, RunningTotalWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond) // the first workflow task is done on both servers
		for i, n := range []int{5, -1, 7} {
			h, err := c.UpdateWorkflow(waitCtx(t), client.UpdateWorkflowOptions{WorkflowID: id, UpdateID: fmt.Sprint("u", i),
				UpdateName: "add", Args: []interface{}{n}, WaitForStage: client.WorkflowUpdateStageCompleted})
			if err == nil {
				_ = h.Get(waitCtx(t), nil)
			}
		}
		_ = c.SignalWorkflow(waitCtx(t), id, "", "done", nil)
		_ = r.Get(waitCtx(t), nil)
		return []runRef{{id, r.GetRunID()}}
	}},
	{"cancel-workflow", func(t *testing.T, c client.Client, q, id string) []runRef {
		r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id, TaskQueue: q}, CancellableWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		if err := c.CancelWorkflow(waitCtx(t), id, ""); err != nil {
			t.Fatal(err)
		}
		_ = r.Get(waitCtx(t), nil)
		return []runRef{{id, r.GetRunID()}}
	}},
	{"terminate", func(t *testing.T, c client.Client, q, id string) []runRef {
		r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id, TaskQueue: q}, WaitForeverWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		if err := c.TerminateWorkflow(waitCtx(t), id, "", "enough", "details"); err != nil {
			t.Fatal(err)
		}
		return []runRef{{id, r.GetRunID()}}
	}},
	{"signal-with-start", func(t *testing.T, c client.Client, q, id string) []runRef {
		r, err := c.SignalWithStartWorkflow(waitCtx(t), id, "ping", "hello", client.StartWorkflowOptions{TaskQueue: q},
			WaitForSignalWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		_ = r.Get(waitCtx(t), nil)
		return []runRef{{id, r.GetRunID()}}
	}},
	{"activity-cancel", func(t *testing.T, c client.Client, q, id string) []runRef {
		r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id, TaskQueue: q}, CancelActivityWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
		if err := c.SignalWorkflow(waitCtx(t), id, "", "cancel", nil); err != nil {
			t.Fatal(err)
		}
		_ = r.Get(waitCtx(t), nil)
		return []runRef{{id, r.GetRunID()}}
	}},
	{"heartbeat-timeout", func(t *testing.T, c client.Client, q, id string) []runRef {
		return []runRef{execute(t, c, client.StartWorkflowOptions{ID: id, TaskQueue: q}, HeartbeatTimeoutWorkflow)}
	}},
	{"cron", func(t *testing.T, c client.Client, q, id string) []runRef {
		r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id, TaskQueue: q, CronSchedule: "@every 2s"},
			CronTickWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		first := runRef{id, r.GetRunID()}
		closeEventOf(t, c, id, first.runID)
		runs := chain(t, c, first)
		next := runs[len(runs)-1]
		closeEventOf(t, c, id, next.runID) // the second run completes too
		if err := c.TerminateWorkflow(waitCtx(t), id, "", "test over"); err != nil {
			t.Fatal(err)
		}
		return []runRef{first, next}
	}},
	{"memo", func(t *testing.T, c client.Client, q, id string) []runRef {
		r, err := c.ExecuteWorkflow(waitCtx(t), client.StartWorkflowOptions{ID: id, TaskQueue: q,
			Memo: map[string]interface{}{"stage": "packing", "draft": true}}, MemoWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		_ = c.SignalWorkflow(waitCtx(t), id, "", "end", nil)
		_ = r.Get(waitCtx(t), nil)
		return []runRef{{id, r.GetRunID()}}
	}},
	{"update-with-start", func(t *testing.T, c client.Client, q, id string) []runRef {
		op := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{ID: id, TaskQueue: q,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, RunningTotalWorkflow)
		h, err := c.UpdateWithStartWorkflow(waitCtx(t), client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: op,
			UpdateOptions: client.UpdateWorkflowOptions{UpdateID: "u", UpdateName: "add", Args: []interface{}{2},
				WaitForStage: client.WorkflowUpdateStageCompleted}})
		if err != nil {
			t.Fatal(err)
		}
		_ = h.Get(waitCtx(t), nil)
		run, _ := op.Get(waitCtx(t))
		_ = c.SignalWorkflow(waitCtx(t), id, "", "done", nil)
		_ = run.Get(waitCtx(t), nil)
		return []runRef{{id, run.GetRunID()}}
	}},
	{"markers", func(t *testing.T, c client.Client, q, id string) []runRef {
		return []runRef{execute(t, c, client.StartWorkflowOptions{ID: id, TaskQueue: q}, MarkersWorkflow, "x")}
	}},
	{"schedule-backfill", scheduleBackfillScenario},
}

// A paused hourly schedule backfilled over four past hours: the four runs it
// starts (named after their nominal times, with the schedule's search
// attributes) and what Describe counts.
func scheduleBackfillScenario(t *testing.T, c client.Client, q, id string) []runRef {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:     id,
		Spec:   client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour}}},
		Action: &client.ScheduleWorkflowAction{ID: id + "-wf", Workflow: GreetingWorkflow, Args: []interface{}{"s"}, TaskQueue: q},
		Paused: true, Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
	})
	if err != nil {
		t.Fatalf("create schedule: %v", err)
	}
	defer func() { _ = h.Delete(context.Background()) }()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := h.Backfill(ctx, client.ScheduleBackfillOptions{Backfill: []client.ScheduleBackfill{{
		Start: start, End: start.Add(3 * time.Hour), Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
	}}}); err != nil {
		t.Fatalf("backfill: %v", err)
	}
	var d *client.ScheduleDescription
	for i := 0; i < 100; i++ {
		if d, err = h.Describe(ctx); err == nil && d.Info.NumActions == 4 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if d == nil || d.Info.NumActions != 4 || d.Info.NumActionsSkippedOverlap != 0 || !d.Schedule.State.Paused {
		t.Fatalf("describe after the backfill: %+v (%v)", d, err)
	}
	var runs []runRef
	for hour := 0; hour < 4; hour++ {
		wid := fmt.Sprintf("%s-wf-%s", id, start.Add(time.Duration(hour)*time.Hour).Format(time.RFC3339))
		var out string
		run := c.GetWorkflow(ctx, wid, "")
		if err := run.Get(ctx, &out); err != nil {
			t.Fatalf("%s: %v", wid, err)
		}
		runs = append(runs, runRef{wid, run.GetRunID()})
	}
	return runs
}

// What legitimately differs between two servers, by field name (protojson
// names); tests/conformance/known-differences.md says why for each.
var ignoredFields = map[string]bool{
	"eventTime": true, "taskId": true, "identity": true, "requestId": true, "namespaceId": true,
	"historySizeBytes": true, "workflowExecutionExpirationTime": true, "expirationTime": true,
	"lastHeartbeatTime": true, "workerVersion": true, "buildIdRedirectCounter": true,
	"suggestContinueAsNew": true, "firstWorkflowTaskBackoff": true, "links": true,
	"prevAutoResetPoints": true,
}

var runIDField = regexp.MustCompile(`(?i)runid$`)

// Namespace ids are made by each server.
var namespaceIDField = regexp.MustCompile(`(?i)namespaceid$`)

func normalise(v interface{}, suffix string) interface{} {
	switch x := v.(type) {
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, val := range x {
			if ignoredFields[k] {
				continue
			}
			if runIDField.MatchString(k) {
				out[k] = "<run id>"
				continue
			}
			if namespaceIDField.MatchString(k) {
				continue
			}
			out[k] = normalise(val, suffix)
		}
		// A sticky queue's name is the worker's own.
		if out["kind"] == "TASK_QUEUE_KIND_STICKY" {
			out["name"] = "<sticky>"
		}
		// The SDK reports the flags it used in the order it met them.
		for _, key := range []string{"langUsedFlags", "coreUsedFlags"} {
			if flags, ok := out[key].([]interface{}); ok {
				sort.Slice(flags, func(i, j int) bool { return fmt.Sprint(flags[i]) < fmt.Sprint(flags[j]) })
			}
		}
		// The Go SDK's local-activity marker records the worker's clock.
		if out["markerName"] == "LocalActivity" {
			delete(out, "details")
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(x))
		for i := range x {
			out[i] = normalise(x[i], suffix)
		}
		return out
	case string:
		return strings.ReplaceAll(x, suffix, "<suffix>")
	default:
		return x
	}
}

func normalisedHistory(t *testing.T, c client.Client, ref runRef, suffix string) []map[string]interface{} {
	var out []map[string]interface{}
	for _, e := range historyOf(t, c, ref.workflowID, ref.runID) {
		raw, err := protojson.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]interface{}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, normalise(m, suffix).(map[string]interface{}))
	}
	return out
}

func describeValue(v interface{}) string {
	if v == nil {
		return "(absent)"
	}
	raw, _ := json.Marshal(v)
	if len(raw) > 160 {
		return string(raw[:160]) + "…"
	}
	return string(raw)
}

// fieldDiffs lists the paths where two normalised values differ.
func fieldDiffs(path string, z, r interface{}, out *[]string) {
	zm, zok := z.(map[string]interface{})
	rm, rok := r.(map[string]interface{})
	if zok && rok {
		keys := map[string]bool{}
		for k := range zm {
			keys[k] = true
		}
		for k := range rm {
			keys[k] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			fieldDiffs(path+"."+k, zm[k], rm[k], out)
		}
		return
	}
	if !reflect.DeepEqual(z, r) {
		*out = append(*out, fmt.Sprintf("%s: zaman %s, reference %s", path, describeValue(z), describeValue(r)))
	}
}

// diff prints the first differences event by event; "" when identical.
func diff(zaman, reference []map[string]interface{}) string {
	var b strings.Builder
	n := len(zaman)
	if len(reference) > n {
		n = len(reference)
	}
	shown := 0
	for i := 0; i < n && shown < 5; i++ {
		var z, r map[string]interface{}
		if i < len(zaman) {
			z = zaman[i]
		}
		if i < len(reference) {
			r = reference[i]
		}
		if reflect.DeepEqual(z, r) {
			continue
		}
		shown++
		var fields []string
		fieldDiffs("", z, r, &fields)
		fmt.Fprintf(&b, "  event %d (%v / %v):\n", i+1, z["eventType"], r["eventType"])
		for _, f := range fields {
			fmt.Fprintf(&b, "    %s\n", f)
		}
	}
	return b.String()
}

func TestConformance(t *testing.T) {
	zamanAddr, refAddr := os.Getenv("ZAMAN_ADDRESS"), os.Getenv("ZAMAN_REFERENCE_ADDRESS")
	if zamanAddr == "" || refAddr == "" {
		t.Fatal("ZAMAN_ADDRESS and ZAMAN_REFERENCE_ADDRESS must both be set (make conformance does)")
	}
	servers := map[string]client.Client{"zaman": dialAt(t, zamanAddr), "reference": dialAt(t, refAddr)}
	suffix := fmt.Sprint(time.Now().UnixNano())
	for _, c := range servers {
		conformanceWorker(t, c, "conformance-"+suffix)
	}
	passed := map[string]int{}
	identical := 0
	var report []string
	for _, s := range scenarios {
		histories := map[string][][]map[string]interface{}{}
		for _, server := range []string{"zaman", "reference"} {
			c := servers[server]
			ok := t.Run(s.name+"/"+server, func(t *testing.T) {
				id := s.name + "-" + suffix
				for _, ref := range s.run(t, c, "conformance-"+suffix, id) {
					h := normalisedHistory(t, c, ref, suffix)
					last := h[len(h)-1]["eventType"]
					if last == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED.String() || len(h) == 0 {
						t.Errorf("%s did not get past its start", ref.workflowID)
					}
					histories[server] = append(histories[server], h)
				}
			})
			if ok {
				passed[server]++
			}
		}
		same := len(histories["zaman"]) == len(histories["reference"])
		var text strings.Builder
		for i := 0; same && i < len(histories["zaman"]); i++ {
			if d := diff(histories["zaman"][i], histories["reference"][i]); d != "" {
				same = false
				fmt.Fprintf(&text, " run %d differs:\n%s", i+1, d)
			}
		}
		if same {
			identical++
			report = append(report, fmt.Sprintf("identical  %s", s.name))
		} else {
			report = append(report, fmt.Sprintf("DIFFERENT  %s\n%s", s.name, text.String()))
		}
	}
	sort.Strings(report)
	fmt.Println("\n=== conformance: Go SDK ===")
	for _, line := range report {
		fmt.Println(line)
	}
	fmt.Printf("scenarios: %d; passed on zaman: %d; passed on reference: %d; identical histories: %d\n",
		len(scenarios), passed["zaman"], passed["reference"], identical)
	// A scenario passes when it ran on both servers and the histories match.
	fmt.Printf("go: %d passed, %d failed\n", identical, len(scenarios)-identical)
	if identical != len(scenarios) {
		t.Errorf("%d of %d scenarios differ", len(scenarios)-identical, len(scenarios))
	}
}

// The same schedule created on both servers: DescribeSchedule must report
// the same canonical spec, policies, state and future action times (create
// and update times and the conflict token aside). No jitter: its seed is
// the namespace id, which each server makes.
func TestScheduleDescribeConformance(t *testing.T) {
	zamanAddr, refAddr := os.Getenv("ZAMAN_ADDRESS"), os.Getenv("ZAMAN_REFERENCE_ADDRESS")
	if zamanAddr == "" || refAddr == "" {
		t.Fatal("ZAMAN_ADDRESS and ZAMAN_REFERENCE_ADDRESS must both be set (make conformance does)")
	}
	id := fmt.Sprintf("describe-conformance-%d", time.Now().UnixNano())
	described := map[string]string{}
	for server, addr := range map[string]string{"zaman": zamanAddr, "reference": refAddr} {
		c := dialAt(t, addr)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		h, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
			ID: id,
			Spec: client.ScheduleSpec{
				CronExpressions: []string{"CRON_TZ=Europe/Berlin 30 9 * * MON-FRI"},
				Calendars: []client.ScheduleCalendarSpec{{
					Hour: []client.ScheduleRange{{Start: 12}}, DayOfMonth: []client.ScheduleRange{{Start: 1, End: 10, Step: 3}},
					Comment: "noon early in the month",
				}},
				Intervals: []client.ScheduleIntervalSpec{{Every: 7 * time.Hour, Offset: time.Hour}},
				Skip:      []client.ScheduleCalendarSpec{{Month: []client.ScheduleRange{{Start: 12}}, DayOfMonth: []client.ScheduleRange{{Start: 25}}}},
				StartAt:   time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
				EndAt:     time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC),
			},
			Action: &client.ScheduleWorkflowAction{ID: "describe-wf", Workflow: "Report", TaskQueue: "nobody",
				WorkflowRunTimeout: time.Minute},
			Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE, CatchupWindow: 5 * time.Minute, PauseOnFailure: true,
			Note: "made for comparison", RemainingActions: 7,
		})
		if err != nil {
			t.Fatalf("%s: create: %v", server, err)
		}
		resp, err := c.WorkflowService().DescribeSchedule(ctx, &workflowservice.DescribeScheduleRequest{
			Namespace: "default", ScheduleId: id,
		})
		if err != nil {
			t.Fatalf("%s: describe: %v", server, err)
		}
		_ = h.Delete(ctx)
		cancel()
		resp.ConflictToken = nil
		resp.Info.CreateTime = nil
		resp.Info.UpdateTime = nil
		text, _ := protojson.MarshalOptions{Multiline: true}.Marshal(resp)
		described[server] = string(text)
	}
	if described["zaman"] != described["reference"] {
		t.Errorf("DescribeSchedule differs.\nzaman:\n%s\nreference:\n%s", described["zaman"], described["reference"])
	}
}
