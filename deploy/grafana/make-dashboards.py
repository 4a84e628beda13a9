#!/usr/bin/env python3
"""Writes deploy/grafana/dashboards/*.json: Zaman's Grafana dashboards.

The dashboards are kept here as data (title, panels, PromQL) and this script
turns them into Grafana's JSON model; edit this file, run it, commit both.
tests/metrics/ evaluates every query below against a Prometheus that scraped
a Zaman under SDK load, and fails on one that returns nothing.
"""
import json
import os

RATE = "$__rate_interval"

# Each dashboard: uid, title, rows of panels; a panel is
# (title, unit, [(legend, expr), ...]) and is a time series unless its
# unit ends in ":stat".
DASHBOARDS = [
    ("zaman-overview", "Zaman / Cluster overview", [
        ("Service availability (frontend)", "percent:stat", [
            ("availability", f'100 - (sum(rate(service_errors{{service_name="frontend"}}[{RATE}])) or vector(0)) '
                             f'/ sum(rate(service_requests{{service_name="frontend"}}[{RATE}])) * 100')]),
        ("Persistence availability", "percent:stat", [
            ("availability", f'100 - (sum(rate(persistence_errors[{RATE}])) or vector(0)) '
                             f'/ sum(rate(persistence_requests[{RATE}])) * 100')]),
        ("Requests by operation", "reqps", [
            ("{{operation}}", f'sum by (operation) (rate(service_requests{{service_name="frontend"}}[{RATE}]))')]),
        ("Failures by operation (against the SLA)", "reqps", [
            ("{{operation}}", f'sum by (operation) (rate(service_errors{{service_name="frontend"}}[{RATE}]))')]),
        ("Errors by type", "reqps", [
            ("{{error_type}}", f'sum by (error_type) (rate(service_error_with_type{{service_name="frontend"}}[{RATE}]))')]),
        ("Expected errors by kind", "reqps", [
            ("{{__name__}}", f'sum by (__name__) (rate({{__name__=~"service_errors_.+"}}[{RATE}]))')]),
        ("Latency p95 by operation (without long polls)", "s", [
            ("{{operation}}", f'histogram_quantile(0.95, sum by (operation, le) (rate(service_latency_bucket'
                              f'{{service_name="frontend",operation!~"Poll.*|GetWorkflowExecutionHistory"}}[{RATE}])))')]),
        ("Latency p99 by operation (without long polls)", "s", [
            ("{{operation}}", f'histogram_quantile(0.99, sum by (operation, le) (rate(service_latency_bucket'
                              f'{{service_name="frontend",operation!~"Poll.*|GetWorkflowExecutionHistory"}}[{RATE}])))')]),
        ("Requests in flight (long polls included)", "short", [
            ("{{operation}}", 'sum by (operation) (service_pending_requests{service_name="frontend"})')]),
        ("Requests by namespace", "reqps", [
            ("{{namespace}}", f'sum by (namespace) (rate(service_requests{{service_name="frontend"}}[{RATE}]))')]),
        ("CPU", "percentunit", [("{{instance}}", f'rate(process_cpu_seconds_total{{job="zaman"}}[{RATE}])')]),
        ("Resident memory", "bytes", [("{{instance}}", 'process_resident_memory_bytes{job="zaman"}')]),
        ("Threads", "short", [("{{instance}}", 'process_threads{job="zaman"}')]),
        ("Open file descriptors", "short", [
            ("{{instance}} open", 'process_open_fds{job="zaman"}'),
            ("{{instance}} limit", 'process_max_fds{job="zaman"}')]),
        ("Restarts", "short", [("{{service_name}}", 'sum by (service_name) (restarts)')]),
    ]),
    ("zaman-persistence", "Zaman / Persistence", [
        ("Store calls by operation", "reqps", [
            ("{{operation}}", f'sum by (operation) (rate(persistence_requests[{RATE}]))')]),
        ("Store errors by operation", "reqps", [
            ("{{operation}}", f'sum by (operation) (rate(persistence_errors[{RATE}]))')]),
        ("Store latency p95 by operation", "s", [
            ("{{operation}}", f'histogram_quantile(0.95, sum by (operation, le) (rate(persistence_latency_bucket[{RATE}])))')]),
        ("Store latency p99 by operation", "s", [
            ("{{operation}}", f'histogram_quantile(0.99, sum by (operation, le) (rate(persistence_latency_bucket[{RATE}])))')]),
        ("Shard transactions per second", "ops", [
            ("commits", f'sum(rate(zaman_shard_commit_latency_count[{RATE}]))')]),
        ("Mutations per shard transaction (group commit)", "short", [
            ("mean", f'sum(rate(zaman_shard_commit_batch_size_sum[{RATE}])) / sum(rate(zaman_shard_commit_batch_size_count[{RATE}]))'),
            ("p95", f'histogram_quantile(0.95, sum by (le) (rate(zaman_shard_commit_batch_size_bucket[{RATE}])))')]),
        ("Shard transaction latency", "s", [
            ("p50", f'histogram_quantile(0.5, sum by (le) (rate(zaman_shard_commit_latency_bucket[{RATE}])))'),
            ("p99", f'histogram_quantile(0.99, sum by (le) (rate(zaman_shard_commit_latency_bucket[{RATE}])))')]),
    ]),
    ("zaman-matching", "Zaman / Matching", [
        ("Polls that got a task", "reqps", [
            ("{{namespace}}/{{taskqueue}} {{task_type}}", f'sum by (namespace, taskqueue, task_type) (rate(poll_success[{RATE}]))')]),
        ("Sync-match rate", "percentunit", [
            ("{{task_type}}", f'sum by (task_type) (rate(poll_success_sync[{RATE}])) / sum by (task_type) (rate(poll_success[{RATE}]))')]),
        ("Empty polls (timed out)", "reqps", [
            ("{{namespace}}/{{taskqueue}} {{task_type}}", f'sum by (namespace, taskqueue, task_type) (rate(poll_timeouts[{RATE}]))')]),
        ("Backlog", "short", [
            ("{{namespace}}/{{taskqueue}} {{task_type}}", 'sum by (namespace, taskqueue, task_type) (approximate_backlog_count)')]),
        ("Schedule-to-start p95", "s", [
            ("{{namespace}}/{{taskqueue}} {{task_type}}",
             f'histogram_quantile(0.95, sum by (namespace, taskqueue, task_type, le) (rate(task_schedule_to_start_latency_bucket[{RATE}])))')]),
        ("Match latency p95", "s", [
            ("sync", f'histogram_quantile(0.95, sum by (le) (rate(syncmatch_latency_bucket[{RATE}])))'),
            ("async (backlog)", f'histogram_quantile(0.95, sum by (le) (rate(asyncmatch_latency_bucket[{RATE}])))')]),
        ("Tasks added", "ops", [
            ("{{operation}}", f'sum by (operation) (rate(service_requests{{service_name="matching"}}[{RATE}]))')]),
    ]),
    ("zaman-history", "Zaman / History", [
        ("Shards owned", "short:stat", [("{{instance}}", 'sum by (instance) (numshards_gauge)')]),
        ("Shard movement", "ops", [
            ("acquired", f'sum(rate(sharditem_created_count[{RATE}]))'),
            ("released", f'sum(rate(sharditem_removed_count[{RATE}]))'),
            ("membership changes", f'sum(rate(membership_changed_count[{RATE}]))')]),
        ("Outbox and timer tasks by kind", "ops", [
            ("{{operation}}", f'sum by (operation) (rate(task_requests[{RATE}]))')]),
        ("Task failures by kind (retried)", "ops", [
            ("{{operation}}", f'sum by (operation) (rate(task_errors[{RATE}]))')]),
        ("Task latency p95 by kind", "s", [
            ("{{operation}}", f'histogram_quantile(0.95, sum by (operation, le) (rate(task_latency_bucket[{RATE}])))')]),
        ("Durable timers armed", "short", [("{{instance}}", 'sum by (instance) (zaman_timers_armed)')]),
        ("Workflow and activity tasks started", "ops", [
            ("{{operation}}", f'sum by (operation) (rate(service_requests{{service_name="history"}}[{RATE}]))')]),
    ]),
    ("zaman-workflows", "Zaman / Workflow outcomes", [
        ("Completed", "ops", [("{{namespace}}", f'sum by (namespace) (rate(workflow_success{{operation="CompletionStats"}}[{RATE}]))')]),
        ("Failed", "ops", [("{{namespace}}", f'sum by (namespace) (rate(workflow_failed{{operation="CompletionStats"}}[{RATE}]))')]),
        ("Timed out", "ops", [("{{namespace}}", f'sum by (namespace) (rate(workflow_timeout{{operation="CompletionStats"}}[{RATE}]))')]),
        ("Terminated", "ops", [("{{namespace}}", f'sum by (namespace) (rate(workflow_terminate{{operation="CompletionStats"}}[{RATE}]))')]),
        ("Canceled", "ops", [("{{namespace}}", f'sum by (namespace) (rate(workflow_cancel{{operation="CompletionStats"}}[{RATE}]))')]),
        ("Continued as new", "ops", [("{{namespace}}", f'sum by (namespace) (rate(workflow_continued_as_new{{operation="CompletionStats"}}[{RATE}]))')]),
        ("History size of closed runs p95", "bytes", [
            ("{{namespace}}", f'histogram_quantile(0.95, sum by (namespace, le) (rate(history_size_bucket[{RATE}])))')]),
        ("History events of closed runs p95", "short", [
            ("{{namespace}}", f'histogram_quantile(0.95, sum by (namespace, le) (rate(history_count_bucket[{RATE}])))')]),
    ]),
]

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


def panel(index, title, unit, queries):
    kind = "timeseries"
    if unit.endswith(":stat"):
        kind, unit = "stat", unit[: -len(":stat")]
    return {
        "id": index + 1,
        "type": kind,
        "title": title,
        "datasource": DATASOURCE,
        "gridPos": {"x": (index % 2) * 12, "y": (index // 2) * 8, "w": 12, "h": 8},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}} if kind == "timeseries" else {},
        "targets": [
            {"refId": chr(ord("A") + i), "datasource": DATASOURCE, "expr": expr, "legendFormat": legend}
            for i, (legend, expr) in enumerate(queries)
        ],
    }


def dashboard(uid, title, panels):
    return {
        "uid": uid,
        "title": title,
        "tags": ["zaman", "temporal"],
        "timezone": "browser",
        "schemaVersion": 38,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-1h", "to": "now"},
        "templating": {"list": [{
            "name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus",
            "current": {}, "hide": 0,
        }]},
        "panels": [panel(i, *p) for i, p in enumerate(panels)],
    }


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboards")
    for uid, title, panels in DASHBOARDS:
        with open(os.path.join(out, uid + ".json"), "w") as f:
            json.dump(dashboard(uid, title, panels), f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
