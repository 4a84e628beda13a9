// Schedules from the Go SDK's schedule client: create, describe, list,
// update, pause, trigger, backfill, delete; and a schedule that keeps firing,
// once per time, through a kill -9.
package sdktest

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

func scheduleAction(id, queue string) *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{ID: "report-" + id, Workflow: GreetingWorkflow, Args: []interface{}{"schedule"},
		TaskQueue: queue}
}

// The runs a schedule started, from visibility.
func scheduledRuns(t *testing.T, c client.Client, scheduleID string) ([]*workflowpb.WorkflowExecutionInfo, error) {
	t.Helper()
	resp, err := c.ListWorkflow(waitCtx(t), &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: "default", Query: fmt.Sprintf("TemporalScheduledById = '%s'", scheduleID),
	})
	if err != nil {
		return nil, err
	}
	return resp.Executions, nil
}

func TestScheduleClientLifecycle(t *testing.T) {
	c := dial(t)
	queue := "schedule-queue"
	startWorker(t, c, queue)
	id := fmt.Sprintf("go-sched-%d", time.Now().UnixNano())
	handle, err := c.ScheduleClient().Create(waitCtx(t), client.ScheduleOptions{
		ID:      id,
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: 2 * time.Second}}},
		Action:  scheduleAction(id, queue),
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
		Memo:    map[string]interface{}{"owner": "reports"},
	})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	_, err = c.ScheduleClient().Create(waitCtx(t), client.ScheduleOptions{
		ID: id, Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour}}},
		Action: scheduleAction(id, queue),
	})
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		t.Fatalf("a second Create with the same id: %v, want ErrScheduleAlreadyRunning", err)
	}

	// Runs start every two seconds and finish (the worker runs them).
	eventually(t, "two actions", func() error {
		d, err := handle.Describe(waitCtx(t))
		if err != nil {
			return err
		}
		if d.Info.NumActions < 2 {
			return fmt.Errorf("%d actions so far", d.Info.NumActions)
		}
		return nil
	})
	d, err := handle.Describe(waitCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	last := d.Info.RecentActions[len(d.Info.RecentActions)-1]
	var greeting string
	if err := c.GetWorkflow(waitCtx(t), last.StartWorkflowResult.WorkflowID, "").Get(waitCtx(t), &greeting); err != nil {
		t.Fatalf("the scheduled run: %v", err)
	}
	if greeting != "Hello, schedule!" {
		t.Errorf("the scheduled run returned %q", greeting)
	}
	if len(d.Info.NextActionTimes) == 0 || !d.Info.NextActionTimes[0].After(last.ScheduleTime) {
		t.Errorf("next action times %v after the last action at %v", d.Info.NextActionTimes, last.ScheduleTime)
	}
	var owner string
	if err := converter.GetDefaultDataConverter().FromPayload(d.Memo.Fields["owner"], &owner); err != nil || owner != "reports" {
		t.Errorf("memo owner = %q (%v)", owner, err)
	}
	eventually(t, "scheduled runs in the workflow list", func() error {
		runs, err := scheduledRuns(t, c, id)
		if err != nil {
			return err
		}
		if len(runs) < 2 {
			return fmt.Errorf("%d listed", len(runs))
		}
		return nil
	})

	// Pause: no new actions; trigger and backfill still act.
	if err := handle.Pause(waitCtx(t), client.SchedulePauseOptions{Note: "quiet please"}); err != nil {
		t.Fatal(err)
	}
	d, _ = handle.Describe(waitCtx(t))
	if !d.Schedule.State.Paused || d.Schedule.State.Note != "quiet please" {
		t.Errorf("after Pause: paused=%v note=%q", d.Schedule.State.Paused, d.Schedule.State.Note)
	}
	before := d.Info.NumActions
	if err := handle.Trigger(waitCtx(t), client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour).Truncate(time.Minute)
	if err := handle.Backfill(waitCtx(t), client.ScheduleBackfillOptions{Backfill: []client.ScheduleBackfill{{
		Start: past, End: past.Add(4 * time.Second), Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
	}}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "trigger and a three-time backfill", func() error {
		d, err := handle.Describe(waitCtx(t))
		if err != nil {
			return err
		}
		if d.Info.NumActions != before+4 {
			return fmt.Errorf("%d actions, want %d", d.Info.NumActions, before+4)
		}
		return nil
	})
	// Runs are named after the action's id and their nominal time.
	backfilled := fmt.Sprintf("report-%s-%s", id, past.UTC().Format(time.RFC3339))
	if _, err := c.DescribeWorkflowExecution(waitCtx(t), backfilled, ""); err != nil {
		t.Errorf("the backfill's first run %s: %v", backfilled, err)
	}

	// Update: a new spec, read back as Describe shows it.
	err = handle.Update(waitCtx(t), client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.Spec = &client.ScheduleSpec{CronExpressions: []string{"0 12 * * MON-FRI"}}
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	d, _ = handle.Describe(waitCtx(t))
	if len(d.Schedule.Spec.Calendars) != 1 || len(d.Schedule.Spec.CronExpressions) != 0 {
		t.Errorf("after Update the spec is %+v; want the cron string as one calendar", d.Schedule.Spec)
	}

	// List finds it.
	eventually(t, "listed", func() error {
		iter, err := c.ScheduleClient().List(waitCtx(t), client.ScheduleListOptions{})
		if err != nil {
			return err
		}
		for iter.HasNext() {
			entry, err := iter.Next()
			if err != nil {
				return err
			}
			if entry.ID == id {
				if !entry.Paused {
					return errors.New("listed as not paused")
				}
				return nil
			}
		}
		return errors.New("not listed")
	})

	if err := handle.Delete(waitCtx(t)); err != nil {
		t.Fatal(err)
	}
	_, err = handle.Describe(waitCtx(t))
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		t.Errorf("Describe after Delete: %v, want NotFound", err)
	}
}

// A schedule firing every second keeps firing through kill -9, and every
// second from its first action to its last is taken exactly once (the ones
// that fell in the outage right after the restart, inside the catch-up window).
func TestScheduleKillNineTakesEachTimeOnce(t *testing.T) {
	port := freePort(t)
	db := filepath.Join(t.TempDir(), "schedule.db")
	z := startZaman(t, port, db)
	t.Cleanup(func() {
		if z.cmd.Process != nil {
			_ = z.cmd.Process.Kill()
			_, _ = z.cmd.Process.Wait()
		}
	})
	c := crashWorker(t, port, "schedule-crash-queue")
	const id = "every-second"
	handle, err := c.ScheduleClient().Create(waitCtx(t), client.ScheduleOptions{
		ID:      id,
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Second}}},
		Action:  &client.ScheduleWorkflowAction{ID: "tick", Workflow: "Unregistered", TaskQueue: "nobody-polls"},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
	})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	if err := z.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = z.cmd.Process.Wait()
	time.Sleep(2 * time.Second)
	z = startZaman(t, port, db)
	time.Sleep(3 * time.Second)
	if err := handle.Pause(waitCtx(t), client.SchedulePauseOptions{}); err != nil {
		t.Fatal(err)
	}

	d, err := handle.Describe(waitCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	var times []time.Time
	eventually(t, "every action listed", func() error {
		runs, err := scheduledRuns(t, c, id)
		if err != nil {
			return err
		}
		times = times[:0]
		for _, e := range runs {
			var nominal time.Time
			if err := converter.GetDefaultDataConverter().FromPayload(e.SearchAttributes.IndexedFields["TemporalScheduledStartTime"], &nominal); err != nil {
				return err
			}
			times = append(times, nominal)
		}
		if len(times) != d.Info.NumActions {
			return fmt.Errorf("%d runs listed, %d actions described", len(times), d.Info.NumActions)
		}
		return nil
	})
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	if len(times) < 6 {
		t.Fatalf("only %d actions in 8 s of a 1 s schedule", len(times))
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap != time.Second {
			t.Errorf("actions %v and %v: %v apart; every second must be taken exactly once", times[i-1], times[i], gap)
		}
	}
}
