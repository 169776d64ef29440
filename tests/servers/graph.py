#!/usr/bin/env python3
"""Fake Microsoft identity platform + Graph v1.0 (tr-block tests).

POST /<tenant>/oauth2/v2.0/token (client credentials, form body) -> access_token;
GET /v1.0/users (paged with @odata.nextLink); GET /v1.0/users/<id>/messages and
/mailFolders/<folder>/messages with $filter=internetMessageId eq '<...>'; POST .../messages/<id>/move
(201, the message with a NEW id, as Graph does); PATCH /v1.0/users/<id> {"accountEnabled":bool}
(204); POST /v1.0/users/<id>/revokeSignInSessions. Every Graph call needs the Bearer token.
Scenarios: ok, throttle (the first message search answers 429 with Retry-After: 1)."""
import json
import os
import re
import sys
from urllib.parse import parse_qs, unquote

sys.path.insert(0, os.path.dirname(__file__))
from harness import Handler, parser, serve

TENANT = "corp.onmicrosoft.com"
TOKEN = "eyJ0-test-token"
MSGID = "<CAF7x+1@mail.evil.example>"


def initial():
    boxes = {}
    for i, user in enumerate(["cfo@corp.example", "ana@corp.example", "bob@corp.example"]):
        folders = {"inbox": [], "junkemail": [], "deleteditems": []}
        if user != "bob@corp.example":
            folders["inbox"].append({"id": f"AAMk-{i}-1", "internetMessageId": MSGID, "subject": "Invoice"})
        folders["inbox"].append({"id": f"AAMk-{i}-2", "internetMessageId": "<other@corp.example>", "subject": "Lunch"})
        boxes[user] = folders
    return {"boxes": boxes, "users": {u: True for u in boxes}, "revoked": [], "moves": 0, "searches": 0}


class Graph(Handler):
    def route(self, method, path, query, headers, body):
        st = Handler.state
        if path == f"/{TENANT}/oauth2/v2.0/token" and method == "POST":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            if (form.get("grant_type") != "client_credentials" or form.get("client_id") != "app-1"
                    or form.get("client_secret") != "app-secret"
                    or form.get("scope") != "https://graph.microsoft.com/.default"):
                return 400, {}, {"error": "invalid_client"}
            return 200, {}, {"token_type": "Bearer", "expires_in": 3599, "access_token": TOKEN}
        if headers.get("Authorization") != "Bearer " + TOKEN:
            return 401, {}, {"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}}
        boxes = st["boxes"]
        if path == "/v1.0/users" and method == "GET":
            users = sorted(boxes)
            skip = int(query.get("$skiptoken", ["0"])[0])
            page = users[skip:skip + 2]
            out = {"value": [{"id": u, "userPrincipalName": u, "mail": u} for u in page]}
            if skip + 2 < len(users):
                out["@odata.nextLink"] = (f"http://127.0.0.1:{self.server.server_address[1]}"
                                          f"/v1.0/users?$select=id,userPrincipalName,mail&$top=999&$skiptoken={skip + 2}")
            return 200, {}, out
        m = re.fullmatch(r"/v1\.0/users/([^/]+)(/.*)?", path)
        if not m:
            return 404, {}, {"error": {"code": "NotFound"}}
        user, rest = unquote(m.group(1)), m.group(2) or ""
        if user not in boxes:
            return 404, {}, {"error": {"code": "ResourceNotFound", "message": "User not found"}}
        if rest == "" and method == "PATCH":
            data = json.loads(body)
            st["users"][user] = data["accountEnabled"]
            return 204, {}, b""
        if rest == "/revokeSignInSessions" and method == "POST":
            st["revoked"].append(user)
            return 200, {}, {"value": True}
        search = re.fullmatch(r"(?:/mailFolders/([a-z]+))?/messages", rest)
        if search and method == "GET":
            st["searches"] += 1
            if self.options.scenario == "throttle" and st["searches"] == 1:
                return 429, {"Retry-After": "1"}, {"error": {"code": "ApplicationThrottled"}}
            flt = query.get("$filter", [""])[0]
            fm = re.fullmatch(r"internetMessageId eq '((?:[^']|'')*)'", flt)
            if not fm:
                return 400, {}, {"error": {"code": "BadRequest", "message": "Invalid filter clause"}}
            wanted = fm.group(1).replace("''", "'")
            folders = [search.group(1)] if search.group(1) else list(boxes[user])
            found = [{"id": msg["id"], "internetMessageId": msg["internetMessageId"]}
                     for f in folders for msg in boxes[user].get(f, []) if msg["internetMessageId"] == wanted]
            return 200, {}, {"value": found}
        mv = re.fullmatch(r"/messages/([^/]+)/move", rest)
        if mv and method == "POST":
            dest = json.loads(body)["destinationId"]
            for f, msgs in boxes[user].items():
                for msg in msgs:
                    if msg["id"] == mv.group(1):
                        msgs.remove(msg)
                        st["moves"] += 1
                        msg = dict(msg, id=f"{msg['id']}-m{st['moves']}")
                        boxes[user][dest].append(msg)
                        return 201, {}, msg
            return 404, {}, {"error": {"code": "ErrorItemNotFound"}}
        return 404, {}, {"error": {"code": "NotFound"}}


if __name__ == "__main__":
    Handler.state = initial()
    serve(Graph, parser("fake Microsoft Graph").parse_args())
