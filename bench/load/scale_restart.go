package main

import (
	"context"
	"log"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"

	"go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"
)

// How one stop and restart went.
type restartFigures struct {
	graceful bool
	stopped  time.Duration // from SIGTERM (or SIGKILL) until the process had exited
	// From exec to the first answered GetSystemInfo, and to the first
	// answered DescribeWorkflowExecution of a parked workflow (its shard
	// loaded).
	systemInfo, describe time.Duration
	rssAtAnswer, rss10s  int64 // kB
}

// restart stops the server (SIGTERM and a wait, or SIGKILL), starts it again
// on the same store and port, and times its first answers.
func restart(srv *server, name string, l launch, dir string, graceful bool) (*server, restartFigures) {
	r := restartFigures{graceful: graceful}
	sig, how := syscall.SIGKILL, "kill -9"
	if graceful {
		sig, how = syscall.SIGTERM, "SIGTERM"
	}
	log.Printf("%s: %s and restart", name, how)
	stopBegan := time.Now()
	_ = srv.cmd.Process.Signal(sig)
	select {
	case <-srv.exited:
	case <-time.After(2 * time.Minute):
		log.Printf("%s: still running 2 min after SIGTERM; killed", name)
		_ = srv.cmd.Process.Kill()
		<-srv.exited
	}
	r.stopped = time.Since(stopBegan)
	srv, began := spawn(name, l, dir)
	conn, err := grpc.NewClient(srv.address, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithConnectParams(grpc.ConnectParams{MinConnectTimeout: 200 * time.Millisecond,
			Backoff: backoff.Config{BaseDelay: 2 * time.Millisecond, Multiplier: 1.2, MaxDelay: 10 * time.Millisecond}}))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	api := workflowservice.NewWorkflowServiceClient(conn)
	r.systemInfo = untilAnswered(srv, began, func(ctx context.Context) error {
		_, err := api.GetSystemInfo(ctx, &workflowservice.GetSystemInfoRequest{})
		return err
	})
	r.rssAtAnswer = srv.memoryKB("VmRSS")
	r.describe = untilAnswered(srv, began, func(ctx context.Context) error {
		_, err := api.DescribeWorkflowExecution(ctx, &workflowservice.DescribeWorkflowExecutionRequest{
			Namespace: "default", Execution: &common.WorkflowExecution{WorkflowId: "far-0"}})
		return err
	})
	time.Sleep(time.Until(began.Add(r.systemInfo + 10*time.Second)))
	r.rss10s = srv.memoryKB("VmRSS")
	log.Printf("%s: answered %v after exec (a parked workflow: %v); RSS %d kB, 10 s later %d kB", name,
		r.systemInfo.Round(time.Millisecond), r.describe.Round(time.Millisecond), r.rssAtAnswer, r.rss10s)
	return srv, r
}

// untilAnswered calls `call` until it succeeds and returns the time since
// `began`; the server failing to answer for 5 minutes ends the run.
func untilAnswered(srv *server, began time.Time, call func(context.Context) error) time.Duration {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := call(ctx)
		cancel()
		if err == nil {
			return time.Since(began)
		}
		srv.failIfExited()
		if time.Since(began) > 5*time.Minute {
			srv.fail("did not answer within 5 minutes of its restart: " + err.Error())
		}
		time.Sleep(time.Millisecond)
	}
}

// dueLateness reads the histories of the `n` due workflows (due-0 ...) and
// returns, for each fired timer, how long after its due time it fired
// (TimerFired's time against TimerStarted's time plus its duration), and how
// many had not fired by `deadline`.
func dueLateness(c client.Client, n int, deadline time.Time) ([]time.Duration, int) {
	var mu sync.Mutex
	var late []time.Duration
	unfired := 0
	ids := make(chan int)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ids {
				for {
					d, fired := timerLateness(c, "due-"+strconv.Itoa(i))
					if fired || time.Now().After(deadline) {
						mu.Lock()
						if fired {
							late = append(late, d)
						} else {
							unfired++
						}
						mu.Unlock()
						break
					}
					time.Sleep(time.Second)
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		ids <- i
	}
	close(ids)
	wg.Wait()
	sort.Slice(late, func(i, j int) bool { return late[i] < late[j] })
	return late, unfired
}

// timerLateness: how late the workflow's first timer fired, if it has.
func timerLateness(c client.Client, id string) (time.Duration, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	iter := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var dueAt time.Time
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			return 0, false
		}
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_TIMER_STARTED:
			dueAt = e.GetEventTime().AsTime().Add(e.GetTimerStartedEventAttributes().GetStartToFireTimeout().AsDuration())
		case enumspb.EVENT_TYPE_TIMER_FIRED:
			return e.GetEventTime().AsTime().Sub(dueAt), true
		}
	}
	return 0, false
}
