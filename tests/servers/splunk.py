#!/usr/bin/env python3
"""A Splunk management API (search export) for tr-ingest's tests (integrations.md B6).

  POST /services/search/jobs/export   form: search, output_mode=json, earliest_time, latest_time

Auth: "Authorization: Bearer tok-123" or Basic admin:changeme (401 otherwise). The search must
start with "search" or "|" (400 otherwise). Streams JSON lines as Splunk does: a preview
result, then final results whose _time lies in [earliest_time, latest_time), interleaved with
a "messages" object, the last one with "lastrow": true.

Scenarios (--scenario): ok, unauthorized (401), forbidden (403), flaky (first request 503).
"""
import base64
import json
from urllib.parse import parse_qs

import harness

ROWS = [
    {"_time": "1796295600", "src_ip": "10.1.2.3", "dest_ip": "203.0.113.7", "dest_port": "443",
     "signature": "ET MALWARE Win32/Emotet CnC Activity", "signature_id": "2024897",
     "severity": "high", "_cd": "12:1", "index": "ids"},
    {"_time": "1796298300", "src_ip": "10.1.7.40", "dest_ip": "198.51.100.9",
     "signature": "ET POLICY curl User-Agent", "severity": "low", "_cd": "12:2", "index": "ids"},
]


class Splunk(harness.Handler):
    def route(self, method, path, query, headers, body):
        if path != "/services/search/jobs/export" or method != "POST":
            return 404, {}, {"messages": [{"type": "ERROR", "text": "Not Found"}]}
        scenario = self.options.scenario
        if scenario == "unauthorized":
            return 401, {}, {"messages": [{"type": "WARN", "text": "call not properly authenticated"}]}
        if scenario == "forbidden":
            return 403, {}, {"messages": [{"type": "ERROR", "text": "permission denied"}]}
        auth = headers.get("Authorization", "")
        basic = "Basic " + base64.b64encode(b"admin:changeme").decode()
        if auth not in ("Bearer tok-123", basic):
            return 401, {}, {"messages": [{"type": "WARN", "text": "call not properly authenticated"}]}
        with self.lock:
            n = self.state.get("n", 0)
            self.state["n"] = n + 1
        if scenario == "flaky" and n == 0:
            return 503, {}, "Service Unavailable"
        form = parse_qs(body.decode())
        search = form.get("search", [""])[0]
        if not (search.startswith("search") or search.startswith("|")):
            return 400, {}, {"messages": [{"type": "FATAL", "text": "Unknown search command"}]}
        if form.get("output_mode", [""])[0] != "json":
            return 400, {}, {"messages": [{"type": "FATAL", "text": "output_mode=json expected"}]}
        earliest = int(form.get("earliest_time", ["0"])[0])
        latest = int(form.get("latest_time", ["9999999999"])[0])
        rows = [r for r in ROWS if earliest <= int(r["_time"]) < latest]
        lines = []
        if rows:
            lines.append({"preview": True, "offset": 0, "result": rows[0]})
        lines.append({"messages": [{"type": "INFO", "text": "Your timerange was substituted"}]})
        for i, r in enumerate(rows):
            line = {"preview": False, "offset": i, "result": r}
            if i == len(rows) - 1:
                line["lastrow"] = True
            lines.append(line)
        return 200, {"Content-Type": "application/json"}, "".join(json.dumps(l) + "\n" for l in lines)


if __name__ == "__main__":
    harness.serve(Splunk, harness.parser("Splunk search export").parse_args())
