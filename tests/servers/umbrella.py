#!/usr/bin/env python3
"""Fake Cisco Umbrella APIs (tr-block tests).

Enforcement API 1.0: customerKey query parameter, POST /1.0/events (202 with an id; the
documented fixed fields are checked), GET /1.0/domains (paged with meta.next),
DELETE /1.0/domains?where[name]=...

Policies API v2 (destination lists): POST /auth/v2/token (HTTP Basic key:secret,
grant_type=client_credentials -> a bearer token for an hour), GET /policies/v2/destinationlists
(paged: page, limit <= 100, meta.total), GET/POST .../destinationlists/{id}/destinations,
DELETE .../destinations/remove with a JSON list of destination ids (at most 500).

Scenarios: ok, down, badkey, ratelimit (every third v2 request answers 429 with Retry-After: 0).
"""
import base64
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import Handler, parser, serve

KEY = "1111-2222-3333-4444"
REQUIRED = ["alertTime", "deviceId", "deviceVersion", "dstDomain", "dstUrl", "eventTime",
            "protocolVersion", "providerName"]


V2_KEY, V2_SECRET, TOKEN = "umb-key", "umb-secret", "umb-token-1"
LISTS = [{"id": 17, "name": "Allowed partners", "access": "allow"},
         {"id": 42, "name": "tr-block", "access": "block"}]


def page_of(items, query):
    page = int(query.get("page", ["1"])[0])
    limit = int(query.get("limit", ["100"])[0])
    if limit > 100 or limit < 1 or page < 1:
        return 400, {}, {"message": "limit must be 1-100"}
    chunk = items[(page - 1) * limit: page * limit]
    return 200, {}, {"status": {"code": 200, "text": "OK"},
                     "meta": {"page": page, "limit": limit, "total": len(items)}, "data": chunk}


class Umbrella(Handler):
    def route(self, method, path, query, headers, body):
        if self.options.scenario == "down":
            return 500, {}, {"message": "internal error"}
        if path == "/auth/v2/token" or path.startswith("/policies/v2/"):
            return self.v2(method, path, query, headers, body)
        if query.get("customerKey") != [KEY] or self.options.scenario == "badkey":
            return 401, {}, {"message": "Invalid customer key"}
        doms = Handler.state.setdefault("domains", [])
        if path == "/1.0/events" and method == "POST":
            ev = json.loads(body)
            missing = [k for k in REQUIRED if k not in ev]
            if missing or ev["protocolVersion"] != "1.0a" or ev["providerName"] != "Security Platform":
                return 400, {}, {"message": "bad event: missing " + ",".join(missing)}
            if ev["dstDomain"] not in doms:
                doms.append(ev["dstDomain"])
            return 202, {}, {"id": "evt-%d" % len(doms)}
        if path == "/1.0/domains" and method == "GET":
            page = int(query.get("page", ["1"])[0])
            limit = int(query.get("limit", ["200"])[0])
            chunk = doms[(page - 1) * limit: page * limit]
            base = f"http://127.0.0.1:{self.server.server_address[1]}/1.0/domains"
            nxt = f"{base}?customerKey={KEY}&page={page + 1}&limit={limit}" if page * limit < len(doms) else False
            return 200, {}, {"meta": {"page": page, "limit": limit, "prev": page > 1, "next": nxt},
                             "data": [{"id": 1000 + doms.index(d), "name": d, "lastSeenAt": 1796299200}
                                      for d in chunk]}
        if path == "/1.0/domains" and method == "DELETE":
            name = query.get("where[name]", [""])[0]
            if name in doms:
                doms.remove(name)
                return 204, {}, b""
            return 200, {}, b""
        return 404, {}, {"message": "not found"}

    def v2(self, method, path, query, headers, body):
        if path == "/auth/v2/token":
            auth = headers.get("Authorization", "")
            want = "Basic " + base64.b64encode(f"{V2_KEY}:{V2_SECRET}".encode()).decode()
            if auth != want or self.options.scenario == "badkey":
                return 401, {}, {"message": "Invalid credentials"}
            if body.decode() != "grant_type=client_credentials":
                return 400, {}, {"error": "unsupported_grant_type"}
            return 200, {}, {"token_type": "bearer", "access_token": TOKEN, "expires_in": 3600}
        if headers.get("Authorization") != "Bearer " + TOKEN:
            return 401, {}, {"message": "Unauthorized"}
        with Handler.lock:
            n = Handler.state["v2calls"] = Handler.state.get("v2calls", 0) + 1
        if self.options.scenario == "ratelimit" and n % 3 == 0:
            return 429, {"Retry-After": "0"}, {"message": "Too Many Requests"}
        dests = Handler.state.setdefault("dests", [])
        if path == "/policies/v2/destinationlists" and method == "GET":
            return page_of(LISTS, query)
        base = "/policies/v2/destinationlists/"
        if not path.startswith(base):
            return 404, {}, {"message": "not found"}
        rest = path[len(base):].split("/")
        if rest[0] not in ("17", "42"):
            return 404, {}, {"message": "destination list not found"}
        if rest[1:] == ["destinations"] and method == "GET":
            return page_of(dests, query)
        if rest[1:] == ["destinations"] and method == "POST":
            try:
                items = json.loads(body)
            except ValueError:
                return 400, {}, {"message": "body is not JSON"}
            if not isinstance(items, list) or not items or any("destination" not in i for i in items):
                return 400, {}, {"message": "a list of {destination, comment} is expected"}
            for i in items:
                if not any(d["destination"] == i["destination"] for d in dests):
                    dests.append({"id": 8812344 + Handler.state.setdefault("next", 0),
                                  "destination": i["destination"], "type": "domain",
                                  "comment": i.get("comment", ""), "createdAt": "2026-12-03 12:00:00"})
                    Handler.state["next"] += 1
            return 200, {}, {"status": {"code": 200, "text": "OK"},
                             "data": {"id": int(rest[0]), "name": "tr-block", "meta": {"destinationCount": len(dests)}}}
        if rest[1:] == ["destinations", "remove"] and method == "DELETE":
            try:
                ids = json.loads(body)
            except ValueError:
                return 400, {}, {"message": "body is not JSON"}
            if not isinstance(ids, list) or not ids or len(ids) > 500 or not all(isinstance(i, int) for i in ids):
                return 400, {}, {"message": "a list of at most 500 destination ids is expected"}
            Handler.state["dests"] = [d for d in dests if int(d["id"]) not in ids]
            return 200, {}, {"status": {"code": 200, "text": "OK"}, "data": {"id": int(rest[0])}}
        return 404, {}, {"message": "not found"}


if __name__ == "__main__":
    p = parser("fake Umbrella")
    p.add_argument("--preload", default="")
    p.add_argument("--preload-destinations", default="", help="destinations already on list 42")
    o = p.parse_args()
    Handler.state["dests"] = [{"id": 7000 + i, "destination": d, "type": "domain", "comment": "by hand"}
                              for i, d in enumerate(x for x in o.preload_destinations.split(",") if x)]
    Handler.state["domains"] = [d for d in o.preload.split(",") if d]
    serve(Umbrella, o)
