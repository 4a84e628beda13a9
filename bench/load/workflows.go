package main

import (
	"context"
	"time"

	"go.temporal.io/sdk/workflow"
)

// The workflows and the activity the scenarios run.

// activityTimeout: the no-op activities' start-to-close timeout. Each one
// sets a timer that comes due this long after the activity started, long
// after it completed; kept short so that this work falls within the phase
// that caused it (and the wait after it, on PostgreSQL).
const activityTimeout = 5 * time.Second

func Noop(ctx context.Context) error { return nil }

func NoActivityWorkflow(ctx workflow.Context) error { return nil }

func OneActivityWorkflow(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: activityTimeout})
	return workflow.ExecuteActivity(ctx, Noop).Get(ctx, nil)
}

func TenActivitiesWorkflow(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: activityTimeout})
	for i := 0; i < 10; i++ {
		if err := workflow.ExecuteActivity(ctx, Noop).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

func TimerWorkflow(ctx workflow.Context) error { return workflow.Sleep(ctx, time.Second) }

// Counts `n` signals, then returns.
func SignalSinkWorkflow(ctx workflow.Context, n int) error {
	ch := workflow.GetSignalChannel(ctx, "tick")
	for i := 0; i < n; i++ {
		ch.Receive(ctx, nil)
	}
	return nil
}

func ParkedWorkflow(ctx workflow.Context) error { return workflow.Sleep(ctx, time.Hour) }

type scenario struct {
	name     string
	workflow interface{}
	args     []interface{}
}

var scenarios = []scenario{
	{"no activity", NoActivityWorkflow, nil},
	{"one noop activity", OneActivityWorkflow, nil},
	{"ten sequential activities", TenActivitiesWorkflow, nil},
	{"1 s timer", TimerWorkflow, nil},
}
