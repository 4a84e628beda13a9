#!/usr/bin/env python3
"""Temporal's HTTP API on a live zaman, through its JSON as curl would see it.

usage: http_api_test.py ZAMAN_BINARY [REFERENCE_TEMPORAL_CLI]

Starts `zaman server start-dev` on free ports and drives a workflow over HTTP:
start, list, describe, signal, history (payload shorthand and full payloads),
terminate, and the error statuses. With the reference CLI, the same calls go
to the reference dev server too, and the replies are compared after
normalising ids and times.
"""
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

FAILURES = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(base, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/api/v1/namespaces/default", timeout=2).read()
            return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError("nothing answers at " + base)


def call(base, method, path, body=None, headers=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read().decode(), dict(reply.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        FAILURES.append(what)


def b64(text):
    return base64.b64encode(text.encode()).decode()


class Server:
    def __init__(self, argv, http_port, work, name):
        self.base = "http://127.0.0.1:%d" % http_port
        self.log = open(os.path.join(work, name + ".log"), "w")
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        wait_http(self.base)

    def stop(self):
        self.process.terminate()
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return -9


def scenario(base):
    """The calls both servers get; returns what is compared between them."""
    seen = {}
    ns = "/api/v1/namespaces/default"
    start = {"workflowType": {"name": "HttpOrder"}, "taskQueue": {"name": "http-queue"},
             "input": [{"item": "book", "qty": 2}, "gift"], "identity": "http-test",
             "requestId": "req-1"}
    status, body, headers = call(base, "POST", ns + "/workflows/order-1", start)
    check(status == 200 and "runId" in json.loads(body), "%s start a workflow: %d %s" % (base, status, body))
    run_id = json.loads(body).get("runId", "")
    # The reply's other fields (status, link) are the gRPC frontend's; see
    # tests/conformance/known-differences.md.
    seen["start"] = {"started": json.loads(body).get("started"), "runId": bool(run_id)}

    status, body, _ = call(base, "POST", ns + "/workflows/order-1", dict(start, requestId="req-2"))
    error = json.loads(body)
    check(status == 409 and error.get("code") == 6, "%s a second start is 409 ALREADY_EXISTS: %d %s" % (base, status, body))
    check(error.get("details", [{}])[0].get("@type", "").endswith("WorkflowExecutionAlreadyStartedFailure"),
          "%s its detail is WorkflowExecutionAlreadyStartedFailure" % base)
    seen["duplicate"] = {"code": error.get("code"), "detail": error.get("details", [{}])[0].get("@type")}

    status, body, _ = call(base, "POST", ns + "/workflows/order-1/signal/approve",
                           {"input": ["yes", {"by": "ann"}], "identity": "http-test"})
    check(status == 200, "%s signal: %d %s" % (base, status, body))

    status, body, _ = call(base, "GET", ns + "/workflows/order-1")
    described = json.loads(body)
    info = described.get("workflowExecutionInfo", {})
    check(status == 200 and info.get("status") == "WORKFLOW_EXECUTION_STATUS_RUNNING",
          "%s describe shows it running: %d" % (base, status))
    check(info.get("type", {}).get("name") == "HttpOrder", "%s describe has the type" % base)
    seen["describe"] = {"status": info.get("status"), "type": info.get("type"), "taskQueue": info.get("taskQueue"),
                        "execution.workflowId": info.get("execution", {}).get("workflowId")}

    status, body, _ = call(base, "GET", ns + "/workflows/order-1/history")
    events = json.loads(body).get("history", {}).get("events", [])
    started = events[0].get("workflowExecutionStartedEventAttributes", {}) if events else {}
    check(status == 200 and started.get("input") == [{"item": "book", "qty": 2}, "gift"],
          "%s history shows the input as shorthand: %s" % (base, started.get("input")))
    signaled = [e for e in events if e.get("eventType") == "EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED"]
    check(len(signaled) == 1 and signaled[0]["workflowExecutionSignaledEventAttributes"].get("input") ==
          ["yes", {"by": "ann"}], "%s history has the signal and its input" % base)
    seen["history"] = [(e.get("eventId"), e.get("eventType")) for e in events]
    seen["started.input"] = started.get("input")

    status, body, _ = call(base, "GET", ns + "/workflows/order-1/history?noPayloadShorthand")
    events = json.loads(body).get("history", {}).get("events", [])
    full = events[0].get("workflowExecutionStartedEventAttributes", {}).get("input", {}) if events else {}
    first = (full.get("payloads") or [{}])[0]
    check(first.get("metadata", {}).get("encoding") == b64("json/plain") and
          json.loads(base64.b64decode(first.get("data", "")).decode() or "null") == {"item": "book", "qty": 2},
          "%s ?noPayloadShorthand gives full payloads: %s" % (base, first))
    status, body2, _ = call(base, "GET", ns + "/workflows/order-1/history",
                            headers={"Accept": "application/json+no-payload-shorthand"})
    check(json.loads(body2) == json.loads(body), "%s the +no-payload-shorthand media type does the same" % base)
    status, body, _ = call(base, "GET", ns + "/workflows/order-1/history?pretty")
    check(status == 200 and body.startswith("{\n  \""), "%s ?pretty indents by two spaces" % base)

    # Visibility may lag the start by a moment on either server.
    listed = []
    for _ in range(50):
        status, body, _ = call(base, "GET", ns + "/workflows?query=" + urllib.request.quote("WorkflowType='HttpOrder'"))
        listed = json.loads(body).get("executions", [])
        if listed:
            break
        time.sleep(0.1)
    check(status == 200 and [e["execution"]["workflowId"] for e in listed] == ["order-1"],
          "%s list with a query finds it: %d %s" % (base, status, body[:200]))
    seen["list"] = [(e["execution"]["workflowId"], e["status"], e["type"]["name"]) for e in listed]

    status, body, _ = call(base, "GET", ns + "/workflow-count?query=" + urllib.request.quote("ExecutionStatus='Running'"))
    seen["count"] = json.loads(body).get("count")
    check(status == 200 and seen["count"] == "1", "%s count: %d %s" % (base, status, body))

    status, body, _ = call(base, "POST", ns + "/workflows/order-1/terminate", {"reason": "done over http"})
    check(status == 200, "%s terminate: %d %s" % (base, status, body))
    status, body, _ = call(base, "GET", ns + "/workflows/order-1")
    info = json.loads(body).get("workflowExecutionInfo", {})
    check(info.get("status") == "WORKFLOW_EXECUTION_STATUS_TERMINATED", "%s it is terminated" % base)
    seen["terminated"] = info.get("status")

    status, body, _ = call(base, "GET", ns + "/workflows/no-such-workflow")
    error = json.loads(body)
    check(status == 404 and error.get("code") == 5, "%s unknown workflow is 404 NOT_FOUND: %d %s" % (base, status, body))
    seen["missing"] = {"status": status, "code": error.get("code"),
                       "detail": (error.get("details") or [{}])[0].get("@type")}

    status, body, _ = call(base, "GET", "/api/v1/namespaces/no-such-namespace")
    error = json.loads(body)
    check(status == 404 and error.get("code") == 5, "%s unknown namespace is 404: %d %s" % (base, status, body))
    seen["missing-namespace"] = {"status": status, "code": error.get("code"),
                                 "detail": (error.get("details") or [{}])[0].get("@type")}

    status, body, _ = call(base, "POST", ns + "/workflows/bad", raw=b"{not json")
    check(status == 400 and json.loads(body).get("code") == 3, "%s bad JSON is 400 INVALID_ARGUMENT: %d %s" % (base, status, body))
    seen["bad-json"] = status

    status, body, _ = call(base, "POST", ns + "/workflows/no-type", {"taskQueue": {"name": "q"}})
    check(status == 400, "%s a start without a type is 400: %d %s" % (base, status, body))
    seen["no-type"] = status

    status, body, _ = call(base, "POST", ns + "/workflows/big", raw=b'{"identity":"' + b"x" * (5 << 20) + b'"}')
    check(status == 400 and json.loads(body).get("code") == 3, "%s a 5 MB body is refused: %d" % (base, status))
    seen["too-big"] = status

    status, body, _ = call(base, "GET", "/api/v1/cluster-info-typo")
    check(status == 404, "%s an unknown path is 404: %d" % (base, status))

    status, body, _ = call(base, "GET", "/system-info")
    capabilities = json.loads(body).get("capabilities", {})
    check(status == 200 and capabilities.get("sdkMetadata") is True, "%s system info: %d %s" % (base, status, body))

    status, body, _ = call(base, "GET", "/cluster/namespaces/default/search-attributes")
    check(status == 200 and "WorkflowType" in json.loads(body).get("systemAttributes", {}),
          "%s operator search attributes: %d" % (base, status))
    return seen


def main():
    zaman = os.path.abspath(sys.argv[1])
    reference = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else ""
    work = tempfile.mkdtemp()
    servers = []
    try:
        port, http_port = free_port(), free_port()
        z = Server([zaman, "server", "start-dev", "--port", str(port), "--http-port", str(http_port), "--headless",
                    "--db-filename", os.path.join(work, "zaman.db")], http_port, work, "zaman")
        servers.append(z)
        ours = scenario(z.base)
        if reference:
            ref_port, ref_http = free_port(), free_port()
            r = Server([reference, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(ref_port),
                        "--http-port", str(ref_http), "--metrics-port", str(free_port()), "--log-level", "error",
                        "--db-filename", os.path.join(work, "reference.db")], ref_http, work, "reference")
            servers.append(r)
            theirs = scenario(r.base)
            for key in ours:
                check(ours[key] == theirs[key], "same as the reference: %s\n       zaman:     %s\n       reference: %s"
                      % (key, ours[key], theirs[key]))
        check(z.stop() == 0, "zaman stops cleanly")
        servers.remove(z)
    finally:
        for s in servers:
            s.stop()
        if FAILURES:
            for name in ("zaman", "reference"):
                log = os.path.join(work, name + ".log")
                if os.path.exists(log):
                    print("---- %s log (tail)" % name)
                    print("".join(open(log).readlines()[-30:]))
    print("%d checks failed" % len(FAILURES))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
