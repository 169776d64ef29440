#!/usr/bin/env python3
"""Fake Cisco Umbrella Enforcement API 1.0 (tr-block tests): customerKey query parameter,
POST /1.0/events (202 with an id; the documented fixed fields are checked), GET /1.0/domains
(paged with meta.next), DELETE /1.0/domains?where[name]=... Scenarios: ok, down, badkey."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import Handler, parser, serve

KEY = "1111-2222-3333-4444"
REQUIRED = ["alertTime", "deviceId", "deviceVersion", "dstDomain", "dstUrl", "eventTime",
            "protocolVersion", "providerName"]


class Umbrella(Handler):
    def route(self, method, path, query, headers, body):
        if self.options.scenario == "down":
            return 500, {}, {"message": "internal error"}
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


if __name__ == "__main__":
    p = parser("fake Umbrella")
    p.add_argument("--preload", default="")
    o = p.parse_args()
    Handler.state["domains"] = [d for d in o.preload.split(",") if d]
    serve(Umbrella, o)
