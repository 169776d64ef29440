#!/usr/bin/env python3
"""Fake FortiGate REST API v2 (tr-block tests): Bearer token, ?vdom= on every call, the
banned-IP (quarantine) monitor endpoints and cmdb address / addrgrp member endpoints, answering
with FortiOS's JSON envelope ({"status":"success","http_status":200,...}; -5 for "already
exists"; 404 for a missing object). The banned list takes IPv4 and IPv6 addresses. Scenarios: ok, down (500 always), flaky (first two calls 503)."""
import ipaddress
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import Handler, parser, serve

TOKEN = "fgt-test-token"


def ok(method, extra=None):
    d = {"http_method": method, "status": "success", "http_status": 200, "vdom": "root",
         "revision": "rev-1", "serial": "FGVM00TEST", "version": "v7.2.5", "build": 1517}
    d.update(extra or {})
    return 200, {}, d


def err(method, status, code):
    return status, {}, {"http_method": method, "status": "error", "http_status": status, "error": code,
                        "vdom": "root"}


class Forti(Handler):
    def route(self, method, path, query, headers, body):
        scen = self.options.scenario
        with Handler.lock:
            n = Handler.state["calls"] = Handler.state.get("calls", 0) + 1
        if scen == "down" or (scen == "flaky" and n <= 2):
            return 503, {}, "Service Unavailable"
        if headers.get("Authorization") != "Bearer " + TOKEN:
            return 401, {}, {"status": "error", "http_status": 401}
        if query.get("vdom") != ["root"]:
            return 400, {}, {"status": "error", "http_status": 400, "error": -1}
        data = json.loads(body) if body else None
        banned = Handler.state.setdefault("banned", {})
        objs = Handler.state.setdefault("objects", {})
        group = Handler.state.setdefault("group", [])
        if path == "/api/v2/monitor/user/banned/add_users" and method == "POST":
            if not isinstance(data.get("ip_addresses"), list) or not isinstance(data.get("expiry"), int):
                return err(method, 400, -1)
            for ip in data["ip_addresses"]:
                try:
                    addr = ipaddress.ip_address(ip)
                except ValueError:
                    return err(method, 400, -1)
                banned[addr] = data["expiry"]
            return ok(method)
        if path == "/api/v2/monitor/user/banned/clear_users" and method == "POST":
            for ip in data["ip_addresses"]:
                try:
                    banned.pop(ipaddress.ip_address(ip), None)
                except ValueError:
                    return err(method, 400, -1)
            return ok(method)
        if path == "/api/v2/monitor/user/banned" and method == "GET":
            # IPv6 entries are listed in full form with "ipv6": true (the client must canonicalise).
            return ok(method, {"results": [{"ip_address": a.exploded if a.version == 6 else str(a),
                                            "ipv6": a.version == 6, "expires": 1796400000, "source": "admin"}
                                           for a in sorted(banned, key=lambda a: (a.version, a))]})
        if path in ("/api/v2/cmdb/firewall/address", "/api/v2/cmdb/firewall/address6") and method == "POST":
            if data["name"] in objs:
                return err(method, 500, -5)
            if not ("subnet" in data or "fqdn" in data or "ip6" in data):
                return err(method, 400, -1)
            objs[data["name"]] = data
            return ok(method, {"mkey": data["name"]})
        parts = path.split("/")
        # /api/v2/cmdb/firewall/addrgrp/<group>/member[/<name>]
        if len(parts) >= 8 and parts[5] in ("addrgrp", "addrgrp6") and parts[7] == "member":
            if method == "POST":
                if data["name"] not in objs:
                    return err(method, 424, -3)
                if data["name"] in group:
                    return err(method, 500, -5)
                group.append(data["name"])
                return ok(method)
            if method == "DELETE" and len(parts) == 9:
                if parts[8] not in group:
                    return err(method, 404, -3)
                group.remove(parts[8])
                return ok(method)
        if len(parts) == 7 and parts[5] in ("address", "address6") and method == "DELETE":
            if parts[6] in group:
                return err(method, 500, -23)  # still referenced
            if parts[6] not in objs:
                return err(method, 404, -3)
            del objs[parts[6]]
            return ok(method)
        return 404, {}, {"status": "error", "http_status": 404}


if __name__ == "__main__":
    serve(Forti, parser("fake FortiGate").parse_args())
