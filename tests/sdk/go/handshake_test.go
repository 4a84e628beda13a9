// The Go SDK's first contact with a server: dial, health, namespaces.
// Runs against ZAMAN_ADDRESS (default localhost:7233).
package sdktest

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"
)

func address() string {
	if a := os.Getenv("ZAMAN_ADDRESS"); a != "" {
		return a
	}
	return "localhost:7233"
}

func dial(t *testing.T) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: address(), Namespace: "default"})
	if err != nil {
		t.Fatalf("client.Dial: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestDialAndHealth(t *testing.T) {
	c := dial(t)
	if _, err := c.CheckHealth(ctx(t), &client.CheckHealthRequest{}); err != nil {
		t.Fatalf("CheckHealth: %v", err)
	}
	info, err := c.WorkflowService().GetSystemInfo(ctx(t), &workflowservice.GetSystemInfoRequest{})
	if err != nil {
		t.Fatalf("GetSystemInfo: %v", err)
	}
	if info.GetServerVersion() == "" {
		t.Errorf("GetSystemInfo has no server_version")
	}
}

func TestDescribeDefaultNamespace(t *testing.T) {
	nc, err := client.NewNamespaceClient(client.Options{HostPort: address()})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	resp, err := nc.Describe(ctx(t), "default")
	if err != nil {
		t.Fatalf("Describe(default): %v", err)
	}
	if got := resp.GetNamespaceInfo().GetName(); got != "default" {
		t.Errorf("name = %q, want default", got)
	}
	if resp.GetNamespaceInfo().GetId() == "" {
		t.Errorf("namespace has no id")
	}
	// Registered from start-dev's --namespace flag.
	if _, err := nc.Describe(ctx(t), "sdk-extra"); err != nil {
		t.Errorf("Describe(sdk-extra): %v", err)
	}
}

func TestUnknownNamespaceIsNamespaceNotFound(t *testing.T) {
	nc, err := client.NewNamespaceClient(client.Options{HostPort: address()})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_, err = nc.Describe(ctx(t), "no-such-namespace")
	var notFound *serviceerror.NamespaceNotFound
	if !errors.As(err, &notFound) {
		t.Fatalf("Describe(no-such-namespace) = %v (%T), want *serviceerror.NamespaceNotFound", err, err)
	}
	if notFound.Namespace != "no-such-namespace" {
		t.Errorf("NamespaceNotFound.Namespace = %q", notFound.Namespace)
	}
}

func TestRegisterUpdateList(t *testing.T) {
	nc, err := client.NewNamespaceClient(client.Options{HostPort: address()})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	name := "go-sdk-" + time.Now().Format("150405.000000")
	err = nc.Register(ctx(t), &workflowservice.RegisterNamespaceRequest{
		Namespace:                        name,
		Description:                      "registered by the Go SDK test",
		WorkflowExecutionRetentionPeriod: durationpb.New(48 * time.Hour),
	})
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	err = nc.Register(ctx(t), &workflowservice.RegisterNamespaceRequest{
		Namespace:                        name,
		WorkflowExecutionRetentionPeriod: durationpb.New(48 * time.Hour),
	})
	var exists *serviceerror.NamespaceAlreadyExists
	if !errors.As(err, &exists) {
		t.Fatalf("second Register = %v (%T), want *serviceerror.NamespaceAlreadyExists", err, err)
	}

	err = nc.Update(ctx(t), &workflowservice.UpdateNamespaceRequest{
		Namespace:  name,
		UpdateInfo: &namespacepb.UpdateNamespaceInfo{Description: "updated"},
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	resp, err := nc.Describe(ctx(t), name)
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetNamespaceInfo().GetDescription() != "updated" {
		t.Errorf("description = %q after update", resp.GetNamespaceInfo().GetDescription())
	}
	if got := resp.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != 48*time.Hour {
		t.Errorf("retention = %v, want 48h", got)
	}

	c := dial(t)
	found := false
	req := &workflowservice.ListNamespacesRequest{PageSize: 1}
	for pages := 0; pages < 100; pages++ {
		list, err := c.WorkflowService().ListNamespaces(ctx(t), req)
		if err != nil {
			t.Fatalf("ListNamespaces: %v", err)
		}
		for _, ns := range list.GetNamespaces() {
			if ns.GetNamespaceInfo().GetName() == name {
				found = true
			}
		}
		if len(list.GetNextPageToken()) == 0 {
			break
		}
		req.NextPageToken = list.GetNextPageToken()
	}
	if !found {
		t.Errorf("ListNamespaces never listed %s", name)
	}
}

func TestInvalidRegistrationIsInvalidArgument(t *testing.T) {
	nc, err := client.NewNamespaceClient(client.Options{HostPort: address()})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	err = nc.Register(ctx(t), &workflowservice.RegisterNamespaceRequest{Namespace: "no-retention"})
	var invalid *serviceerror.InvalidArgument
	if !errors.As(err, &invalid) {
		t.Fatalf("Register without retention = %v (%T), want *serviceerror.InvalidArgument", err, err)
	}
}
