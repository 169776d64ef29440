#!/usr/bin/env python3
"""A Proofpoint TAP SIEM API for tr-ingest's tests (integrations.md B1).

  GET /v2/siem/all?format=json&interval=<start>/<end>   (also sinceSeconds=, sinceTime=)

Behaves as the vendor documents: HTTP Basic auth (principal "svc-tr", secret "s3cret"),
exactly one window selector, at most one hour per request and at most 7 days back (400
otherwise), 204 when the window holds nothing, a JSON body with queryEndTime and the four
arrays otherwise. Each hour window that contains an event from EVENTS answers with it.

Scenarios (--scenario):
  ok            as above
  flaky         the first request answers 503, then as ok
  ratelimit     the first request answers 429 with Retry-After: 1, then as ok
  unauthorized  every request answers 401
  forbidden     every request answers 403
"""
import base64
import datetime as dt

import harness

NOW = dt.datetime(2026, 12, 3, 12, 0, 0, tzinfo=dt.timezone.utc)

# (message time, record) - one delivered phish with a URL threat and one click on it.
EVENTS = [
    ("messagesDelivered", dt.datetime(2026, 12, 3, 10, 41, 7, tzinfo=dt.timezone.utc), {
        "GUID": "guid-1", "QID": "qid-1", "id": "msg-1", "messageID": "<m1@mail.evil.example>",
        "messageTime": "2026-12-03T10:41:07.000Z", "sender": "bounce@evil.example",
        "fromAddress": ["ceo@evil.example"], "recipient": ["cfo@corp.example"],
        "toAddresses": ["cfo@corp.example"], "subject": "Invoice 4471",
        "senderIP": "198.51.100.23", "phishScore": 98, "quarantineFolder": None,
        "messageParts": [],
        "threatsInfoMap": [{"threatID": "t-1", "threatStatus": "active", "classification": "phish",
                            "threatType": "url", "threat": "https://login.evil.example/o365",
                            "threatTime": "2026-12-03T10:45:00.000Z", "campaignID": None}]}),
    ("clicksPermitted", dt.datetime(2026, 12, 3, 11, 52, 10, tzinfo=dt.timezone.utc), {
        "GUID": "guid-1", "id": "click-1", "classification": "phish", "clickIP": "10.1.2.3",
        "clickTime": "2026-12-03T11:52:10.000Z", "messageID": "<m1@mail.evil.example>",
        "recipient": "cfo@corp.example", "sender": "bounce@evil.example",
        "senderIP": "198.51.100.23", "threatID": "t-1", "threatStatus": "active",
        "threatTime": "2026-12-03T10:45:00.000Z", "url": "https://login.evil.example/o365",
        "userAgent": "Mozilla/5.0"}),
]


def parse_time(s):
    t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


class Tap(harness.Handler):
    def route(self, method, path, query, headers, body):
        if path != "/v2/siem/all" or method != "GET":
            return 404, {}, {"error": "not found"}
        scenario = self.options.scenario
        if scenario == "unauthorized":
            return 401, {}, "Unauthorized"
        if scenario == "forbidden":
            return 403, {}, "Forbidden: the service principal may not read SIEM data"
        auth = headers.get("Authorization", "")
        want = "Basic " + base64.b64encode(b"svc-tr:s3cret").decode()
        if auth != want:
            return 401, {}, "Unauthorized"
        with self.lock:
            n = self.state.get("n", 0)
            self.state["n"] = n + 1
        if scenario == "flaky" and n == 0:
            return 503, {}, "Service Unavailable"
        if scenario == "ratelimit" and n == 0:
            return 429, {"Retry-After": "1"}, "Too Many Requests"
        if query.get("format", ["json"])[0] != "json":
            return 400, {}, "only format=json here"
        selectors = [k for k in ("interval", "sinceSeconds", "sinceTime") if k in query]
        if len(selectors) != 1:
            return 400, {}, "exactly one of interval, sinceSeconds, sinceTime is required"
        try:
            if "interval" in query:
                a, b = query["interval"][0].split("/")
                start, end = parse_time(a), parse_time(b)
            elif "sinceSeconds" in query:
                end = NOW
                start = end - dt.timedelta(seconds=int(query["sinceSeconds"][0]))
            else:
                start, end = parse_time(query["sinceTime"][0]), NOW
        except ValueError:
            return 400, {}, "The interval is not valid ISO-8601"
        if end <= start or end - start > dt.timedelta(hours=1):
            return 400, {}, "The requested interval is too long (at most 1 hour) or empty"
        if start < NOW - dt.timedelta(days=7):
            return 400, {}, "The requested start time is too far into the past"
        out = {"queryEndTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"), "messagesDelivered": [],
               "messagesBlocked": [], "clicksPermitted": [], "clicksBlocked": []}
        found = False
        for kind, t, rec in EVENTS:
            if start <= t < end:
                out[kind].append(rec)
                found = True
        if not found:
            return 204, {}, b""
        return 200, {}, out


if __name__ == "__main__":
    harness.serve(Tap, harness.parser("Proofpoint TAP SIEM API").parse_args())
