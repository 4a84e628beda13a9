package dev.zaman.sdktest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TerminatedFailure;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java SDK's worker running real workflows against zaman. */
class WorkflowTest {
  static final String ADDRESS = System.getenv().getOrDefault("ZAMAN_ADDRESS", "localhost:7233");
  static final String QUEUE = "java-" + UUID.randomUUID();
  static WorkflowServiceStubs service;
  static WorkflowClient client;
  static WorkerFactory factory;

  @ActivityInterface
  public interface Activities {
    String greet(String name);

    int flaky();

    void doomed();
  }

  public static class ActivitiesImpl implements Activities {
    @Override
    public String greet(String name) {
      return "Hello, " + name + "!";
    }

    @Override
    public int flaky() {
      int attempt = io.temporal.activity.Activity.getExecutionContext().getInfo().getAttempt();
      if (attempt < 3) throw new IllegalStateException("attempt " + attempt + " fails");
      return attempt;
    }

    @Override
    public void doomed() {
      throw ApplicationFailure.newNonRetryableFailure("no luck", "Doomed");
    }
  }

  @WorkflowInterface
  public interface Greeting {
    @WorkflowMethod
    String greet(String name);
  }

  public static class GreetingImpl implements Greeting {
    private final Activities activities =
        Workflow.newActivityStub(
            Activities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(10))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofMillis(100))
                        .setBackoffCoefficient(1)
                        .build())
                .build());

    @Override
    public String greet(String name) {
      if (name.equals("retry")) return "attempts=" + activities.flaky();
      if (name.equals("doomed")) {
        activities.doomed();
        return "unreachable";
      }
      Workflow.sleep(Duration.ofMillis(500));
      return activities.greet(name);
    }
  }

  @WorkflowInterface
  public interface Collector {
    @WorkflowMethod
    List<String> collect();

    @SignalMethod
    void add(String item);

    @QueryMethod
    int count();
  }

  public static class CollectorImpl implements Collector {
    private final List<String> items = new ArrayList<>();

    @Override
    public List<String> collect() {
      Workflow.await(() -> items.contains("stop"));
      return items;
    }

    @Override
    public void add(String item) {
      items.add(item);
    }

    @Override
    public int count() {
      return items.size();
    }
  }

  @BeforeAll
  static void startWorker() {
    service =
        WorkflowServiceStubs.newConnectedServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(ADDRESS).build(), Duration.ofSeconds(10));
    client = WorkflowClient.newInstance(service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
    factory = WorkerFactory.newInstance(client);
    Worker worker = factory.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(GreetingImpl.class, CollectorImpl.class);
    worker.registerActivitiesImplementations(new ActivitiesImpl());
    factory.start();
  }

  @AfterAll
  static void stopWorker() {
    factory.shutdownNow();
    service.shutdownNow();
  }

  static WorkflowOptions options() {
    return WorkflowOptions.newBuilder()
        .setTaskQueue(QUEUE)
        .setWorkflowId("java-" + UUID.randomUUID())
        .build();
  }

  @Test
  void describeNamespace() {
    var ns =
        service
            .blockingStub()
            .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace("default").build());
    assertEquals("default", ns.getNamespaceInfo().getName());
  }

  @Test
  void activityAndTimer() {
    Greeting wf = client.newWorkflowStub(Greeting.class, options());
    assertEquals("Hello, Zaman!", wf.greet("Zaman"));
  }

  @Test
  void activityRetries() {
    Greeting wf = client.newWorkflowStub(Greeting.class, options());
    assertEquals("attempts=3", wf.greet("retry"));
  }

  @Test
  void nonRetryableFailureFailsWorkflow() {
    Greeting wf = client.newWorkflowStub(Greeting.class, options());
    WorkflowFailedException e = assertThrows(WorkflowFailedException.class, () -> wf.greet("doomed"));
    ActivityFailure activity = assertInstanceOf(ActivityFailure.class, e.getCause());
    ApplicationFailure app = assertInstanceOf(ApplicationFailure.class, activity.getCause());
    assertEquals("Doomed", app.getType());
  }

  @Test
  void signalsAndQueries() throws Exception {
    Collector wf = client.newWorkflowStub(Collector.class, options());
    WorkflowClient.start(wf::collect);
    wf.add("a");
    wf.add("b");
    int count = 0;
    for (int i = 0; i < 200 && count != 2; i++) {
      count = wf.count();
      if (count != 2) Thread.sleep(50);
    }
    assertEquals(2, count);
    wf.add("stop");
    assertEquals(List.of("a", "b", "stop"), WorkflowStub.fromTyped(wf).getResult(List.class));
    assertEquals(3, wf.count());
  }

  @Test
  void terminateAndDuplicateStart() {
    WorkflowOptions opts = options();
    Collector wf = client.newWorkflowStub(Collector.class, opts);
    WorkflowClient.start(wf::collect);
    Collector again = client.newWorkflowStub(Collector.class, opts);
    assertThrows(WorkflowExecutionAlreadyStarted.class, () -> WorkflowClient.start(again::collect));
    WorkflowStub stub = WorkflowStub.fromTyped(wf);
    stub.terminate("enough");
    WorkflowFailedException e = assertThrows(WorkflowFailedException.class, () -> stub.getResult(List.class));
    assertInstanceOf(TerminatedFailure.class, e.getCause());
    assertEquals(
        WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED,
        stub.describe().getWorkflowExecutionInfo().getStatus());
    assertTrue(stub.describe().getWorkflowExecutionInfo().getHistoryLength() >= 4);
  }
}
