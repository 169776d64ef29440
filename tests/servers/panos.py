#!/usr/bin/env python3
"""Fake PAN-OS XML API (tr-block tests): POST /api/ with X-PAN-KEY, type=user-id register /
unregister of IP tags with timeouts, type=op show registered-ip. Answers as PAN-OS does:
HTTP 200 with <response status="success|error">. Scenarios: ok, down (HTTP 503 always),
badkey (every key refused as PAN-OS does: 403 with an error response)."""
import sys
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs

sys.path.insert(0, __import__("os").path.dirname(__file__))
from harness import Handler, parser, serve

KEY = "LUFRPT1-test-key=="


def resp(status, inner=""):
    return f'<response status="{status}">{inner}</response>'


class PanOS(Handler):
    def route(self, method, path, query, headers, body):
        scen = self.options.scenario
        if scen == "down":
            return 503, {}, "busy"
        if path != "/api/" or method != "POST":
            return 404, {}, resp("error", "<msg>not found</msg>")
        if headers.get("X-PAN-KEY") != KEY or scen == "badkey":
            return 403, {"Content-Type": "application/xml"}, resp("error", "<result><msg>Invalid Credential</msg></result>")
        if headers.get("Content-Type") != "application/x-www-form-urlencoded":
            return 400, {}, resp("error", "<msg>form body expected</msg>")
        form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        reg = Handler.state.setdefault("registered", {})
        if form.get("type") == "user-id":
            try:
                doc = ET.fromstring(form["cmd"])
            except Exception as e:  # noqa: BLE001
                return 200, {}, resp("error", f"<msg>malformed uid-message: {e}</msg>")
            if doc.tag != "uid-message" or doc.findtext("type") != "update":
                return 200, {}, resp("error", "<msg>bad uid-message</msg>")
            payload = doc.find("payload")
            for entry in payload.findall("register/entry"):
                ip = entry.get("ip")
                member = entry.find("tag/member")
                timeout = member.get("timeout")
                if entry.get("persistent") == "1" and timeout not in (None, "0"):
                    return 200, {}, resp("error", "<msg>timeout cannot be used with persistent</msg>")
                if not timeout or not timeout.isdigit() or int(timeout) > 2592000:
                    return 200, {}, resp("error", "<msg>bad timeout</msg>")
                reg[ip] = (member.text, int(timeout))
            for entry in payload.findall("unregister/entry"):
                ip = entry.get("ip")
                if ip not in reg:
                    return 200, {}, resp("error", f"<msg><line>ip {ip} is not registered</line></msg>")
                del reg[ip]
            for entry in payload.findall("register-user/entry"):
                reg["user:" + entry.get("user")] = (entry.find("tag/member").text, 0)
            for entry in payload.findall("unregister-user/entry"):
                reg.pop("user:" + entry.get("user"), None)
            return 200, {}, resp("success", "<result><uid-response><version>2.0</version><payload/></uid-response></result>")
        if form.get("type") == "op" and "<registered-ip>" in form.get("cmd", ""):
            entries = "".join(
                f'<entry ip="{ip}" from_agent="0" persistent="0"><tag><member>{tag}</member></tag></entry>'
                for ip, (tag, _t) in sorted(reg.items()) if not ip.startswith("user:"))
            return 200, {}, resp("success", f"<result>{entries}<count>{len(reg)}</count></result>")
        return 200, {}, resp("error", "<msg>unsupported request</msg>")


if __name__ == "__main__":
    p = parser("fake PAN-OS")
    p.add_argument("--preload", default="", help="comma-separated IPs already registered with tr-block")
    o = p.parse_args()
    for ip in filter(None, o.preload.split(",")):
        Handler.state.setdefault("registered", {})[ip] = ("tr-block", 3600)
    serve(PanOS, o)
