#!/usr/bin/env python3
"""Fake Check Point Management Web API (tr-block tests): POST /web_api/<command> with JSON,
login -> sid, X-chkp-sid on every later call, add-host / add-network / set-group / delete-host
/ publish -> task-id / show-task / install-policy / discard / logout. Objects changed in a
session stay locked until publish or discard. Scenarios: ok, badlogin, publishfail (publish
task fails: the client must discard and log out), down."""
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from harness import Handler, parser, serve


def error(code, message, status=400):
    return status, {}, {"code": code, "message": message}


class CheckPoint(Handler):
    def route(self, method, path, query, headers, body):
        scen = self.options.scenario
        st = Handler.state
        st.setdefault("sessions", {})
        st.setdefault("objects", {})
        st.setdefault("group", set())
        st.setdefault("tasks", {})
        if scen == "down":
            return 503, {}, "down"
        if method != "POST" or not path.startswith("/web_api/"):
            return 404, {}, {"code": "generic_err_command_not_found", "message": "not found"}
        cmd = path[len("/web_api/"):]
        if headers.get("Content-Type") != "application/json":
            return error("generic_err_invalid_header", "Content-Type must be application/json")
        data = json.loads(body or b"{}")
        if cmd == "login":
            if scen == "badlogin" or data.get("user") != "tr-api" or data.get("password") != "s3cret":
                return error("err_login_failed", "Authentication to server failed.", 400)
            sid = uuid.uuid4().hex
            st["sessions"][sid] = {"dirty": False, "published": False, "discarded": False}
            return 200, {}, {"sid": sid, "session-timeout": 600, "api-server-version": "1.9"}
        sid = headers.get("X-chkp-sid")
        if sid not in st["sessions"]:
            return error("generic_err_wrong_session_id", "Wrong session id", 400)
        sess = st["sessions"][sid]
        if cmd in ("add-host", "add-network"):
            if data["name"] in st["objects"]:
                return error("err_validation_failed", "More than one object named '%s' exists." % data["name"])
            if cmd == "add-host" and "ip-address" not in data:
                return error("generic_err_missing_required_parameters", "Missing parameter: [ip-address]")
            st["objects"][data["name"]] = data
            sess["dirty"] = True
            return 200, {}, {"uid": uuid.uuid4().hex, "name": data["name"]}
        if cmd == "set-group":
            members = data.get("members", {})
            if "add" in members:
                if members["add"] not in st["objects"]:
                    return error("generic_err_object_not_found", "Requested object [%s] not found" % members["add"], 404)
                st["group"].add(members["add"])
            if "remove" in members:
                st["group"].discard(members["remove"])
            sess["dirty"] = True
            return 200, {}, {"name": data["name"], "members": sorted(st["group"])}
        if cmd in ("delete-host", "delete-network"):
            if data["name"] in st["group"]:
                return error("err_validation_failed", "object is still in use")
            if data["name"] not in st["objects"]:
                return error("generic_err_object_not_found", "Requested object not found", 404)
            del st["objects"][data["name"]]
            sess["dirty"] = True
            return 200, {}, {"message": "OK"}
        if cmd in ("publish", "install-policy"):
            task = str(uuid.uuid4())
            st["tasks"][task] = "failed" if (scen == "publishfail" and cmd == "publish") else "succeeded"
            if cmd == "publish":
                sess["published"] = True
            return 200, {}, {"task-id": task}
        if cmd == "show-task":
            status = st["tasks"].get(data.get("task-id"))
            if status is None:
                return error("generic_err_object_not_found", "task not found", 404)
            return 200, {}, {"tasks": [{"task-id": data["task-id"], "status": status, "progress-percentage": 100}]}
        if cmd == "discard":
            sess["discarded"] = True
            return 200, {}, {"number-of-discarded-changes": 1}
        if cmd == "logout":
            del st["sessions"][sid]
            return 200, {}, {"message": "OK"}
        return 404, {}, {"code": "generic_err_command_not_found", "message": "unknown command"}


if __name__ == "__main__":
    serve(CheckPoint, parser("fake Check Point").parse_args())
