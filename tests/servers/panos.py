#!/usr/bin/env python3
"""Fake PAN-OS XML API (tr-block tests), answering as PAN-OS does: HTTP 200 with
<response status="success|error" [code="N"]> for everything but a refused key (403).

  POST /api/ type=keygen user=&password=            -> <result><key>..</key></result>
  POST /api/ type=user-id cmd=<uid-message>         register / unregister IP and user tags
  POST /api/ type=op <show><object><registered-ip>  the registered IPs
  POST /api/ type=config action=set|delete|get|show xpath=&element=
      address objects (ip-netmask or fqdn) and static address-group members under
      /config/devices/entry[@name='localhost.localdomain']/vsys/entry[@name='vsys1'];
      set/delete change the candidate configuration, get reads it, show reads the running one
  POST /api/ type=commit cmd=<commit>...             -> a job id; the candidate becomes running
      when the job finishes (after two polls)
  POST /api/ type=op <show><jobs><id>N</id></jobs></show>   ACT/PEND, then FIN/OK (or FAIL)
  POST /api/ type=op <request><system><external-list><refresh>...   EDL refresh job

Every request but keygen needs the X-PAN-KEY header. Scenarios (--scenario): ok; down (HTTP
503 always); badkey (every key refused); commitfail (commit jobs end FIN/FAIL with details);
commitbusy (a commit answers "another commit is in progress"); noedl (EDL refresh of an
unknown list)."""
import re
import sys
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs

sys.path.insert(0, __import__("os").path.dirname(__file__))
from harness import Handler, parser, serve

KEY = "LUFRPT1-test-key=="
USER, PASSWORD = "tr-api", "s3cret"
VSYS = "/config/devices/entry[@name='localhost.localdomain']/vsys/entry[@name='vsys1']"
ADDR_RE = re.compile(re.escape(VSYS) + r"/address/entry\[@name='([^']*)'\]$")
GROUP_RE = re.compile(re.escape(VSYS) + r"/address-group/entry\[@name='([^']*)'\]$")
MEMBER_RE = re.compile(re.escape(VSYS) + r"/address-group/entry\[@name='([^']*)'\]/static/member\[text\(\)='([^']*)'\]$")
NAME_RE = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_. -]{0,62}$")


def resp(status, inner="", code=None):
    c = f' code="{code}"' if code else ""
    return f'<response status="{status}"{c}>{inner}</response>'


def err(msg, code=12):
    return 200, {}, resp("error", f"<msg><line>{msg}</line></msg>", code)


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;").replace('"', "&quot;")


def cfg(which):
    c = Handler.state.setdefault(which, {"address": {}, "groups": {}})
    return c


def render_addresses(c):
    out = ""
    for name, (kind, value, desc) in sorted(c["address"].items()):
        out += f'<entry name="{esc(name)}"><{kind}>{esc(value)}</{kind}><description>{esc(desc)}</description></entry>'
    return f"<address>{out}</address>"


def render_group(c, g):
    members = "".join(f"<member>{esc(m)}</member>" for m in c["groups"].get(g, []))
    return f'<entry name="{esc(g)}"><static>{members}</static></entry>'


class PanOS(Handler):
    def route(self, method, path, query, headers, body):
        scen = self.options.scenario
        if scen == "down":
            return 503, {}, "busy"
        if path != "/api/" or method != "POST":
            return 404, {}, resp("error", "<msg>not found</msg>")
        if headers.get("Content-Type") != "application/x-www-form-urlencoded":
            return 400, {}, resp("error", "<msg>form body expected</msg>")
        form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        if form.get("type") == "keygen":
            if form.get("user") == USER and form.get("password") == PASSWORD and scen != "badkey":
                return 200, {}, resp("success", f"<result><key>{KEY}</key></result>")
            return 403, {}, resp("error", "<result><msg>Invalid Credential</msg></result>")
        if headers.get("X-PAN-KEY") != KEY or scen == "badkey":
            return 403, {"Content-Type": "application/xml"}, resp("error", "<result><msg>Invalid Credential</msg></result>")
        t = form.get("type")
        if t == "user-id":
            return self.user_id(form)
        if t == "config":
            return self.config(form)
        if t == "commit":
            return self.commit(form)
        if t == "op":
            return self.op(form.get("cmd", ""))
        return err("unsupported request")

    def user_id(self, form):
        reg = Handler.state.setdefault("registered", {})
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

    def config(self, form):
        action, xpath = form.get("action"), form.get("xpath", "")
        cand = cfg("candidate")
        if action in ("get", "show"):
            c = cand if action == "get" else cfg("running")
            if xpath == VSYS + "/address":
                inner = render_addresses(c)
            elif (m := GROUP_RE.match(xpath)):
                if m.group(1) not in c["groups"]:
                    return 200, {}, resp("success", '<result total-count="0" count="0"/>', 7)
                inner = render_group(c, m.group(1))
            else:
                return err("No such node", 7)
            return 200, {}, resp("success", f'<result total-count="1" count="1">{inner}</result>', 19)
        if action == "set":
            try:
                el = ET.fromstring("<e>" + form.get("element", "") + "</e>")
            except Exception:  # noqa: BLE001
                return err("Malformed Request", 3)
            if (m := ADDR_RE.match(xpath)):
                name = m.group(1)
                if not NAME_RE.match(name):
                    return err(f"{name} is an invalid name")
                for kind in ("ip-netmask", "fqdn"):
                    if el.find(kind) is not None:
                        cand["address"][name] = (kind, el.findtext(kind), el.findtext("description") or "")
                        break
                else:
                    return err(f"address -> {name} is missing 'ip-netmask' or 'fqdn'")
            elif (m := GROUP_RE.match(xpath)):
                members = [x.text for x in el.findall("static/member")]
                if not members:
                    return err("static is missing member")
                for x in members:
                    if x not in cand["address"]:
                        return err(f"address-group -> {m.group(1)} -> static '{x}' is not a valid reference")
                g = cand["groups"].setdefault(m.group(1), [])
                g.extend(x for x in members if x not in g)
            else:
                return err("No such node", 7)
            Handler.state["dirty"] = True
            return 200, {}, resp("success", "<msg>command succeeded</msg>", 20)
        if action == "delete":
            if (m := MEMBER_RE.match(xpath)):
                g = cand["groups"].get(m.group(1), [])
                if m.group(2) not in g:
                    return 200, {}, resp("success", "<msg>Object doesn't exist</msg>", 7)
                g.remove(m.group(2))
            elif (m := ADDR_RE.match(xpath)):
                name = m.group(1)
                if name not in cand["address"]:
                    return 200, {}, resp("success", "<msg>Object doesn't exist</msg>", 7)
                if any(name in g for g in cand["groups"].values()):
                    return err(f"{name} cannot be deleted because of references from: address-group")
                del cand["address"][name]
            else:
                return err("No such node", 7)
            Handler.state["dirty"] = True
            return 200, {}, resp("success", "<msg>command succeeded</msg>", 20)
        return err("unsupported config action")

    def commit(self, form):
        try:
            doc = ET.fromstring(form.get("cmd", ""))
        except Exception:  # noqa: BLE001
            return err("Malformed Request", 3)
        if doc.tag != "commit":
            return err("bad commit command")
        if self.options.scenario == "commitbusy":
            return err("Another commit is in progress. Please try again later", 13)
        if not Handler.state.get("dirty"):
            return 200, {}, resp("success", "<msg>There are no changes to commit.</msg>", 19)
        return self.new_job("Commit")

    def new_job(self, kind, fail=None):
        jobs = Handler.state.setdefault("jobs", {})
        jid = str(len(jobs) + 1)
        jobs[jid] = {"type": kind, "polls": 0, "fail": fail}
        return 200, {}, resp("success", f"<result><msg><line>{kind} job enqueued with jobid {jid}</line></msg><job>{jid}</job></result>", 19)

    def op(self, cmd):
        if "<registered-ip>" in cmd:
            reg = Handler.state.setdefault("registered", {})
            entries = "".join(
                f'<entry ip="{ip}" from_agent="0" persistent="0"><tag><member>{tag}</member></tag></entry>'
                for ip, (tag, _t) in sorted(reg.items()) if not ip.startswith("user:"))
            return 200, {}, resp("success", f"<result>{entries}<count>{len(reg)}</count></result>")
        try:
            doc = ET.fromstring(cmd)
        except Exception:  # noqa: BLE001
            return err("Malformed Request", 3)
        jid = doc.findtext("jobs/id")
        if doc.tag == "show" and jid is not None:
            job = Handler.state.setdefault("jobs", {}).get(jid)
            if job is None:
                return err(f"job {jid} not found")
            job["polls"] += 1
            if job["polls"] < 2:
                return 200, {}, resp("success", f"<result><job><id>{jid}</id><type>{job['type']}</type><status>ACT</status><result>PEND</result><progress>50</progress></job></result>")
            fail = job["fail"] or (self.options.scenario == "commitfail" and job["type"] == "Commit")
            if fail:
                details = "<line>Validation Error:</line><line>rulebase -> security -> rules -> deny-tr  is missing 'destination'</line><line>commit failed</line>"
                return 200, {}, resp("success", f"<result><job><id>{jid}</id><type>{job['type']}</type><status>FIN</status><result>FAIL</result><progress>100</progress><details>{details}</details></job></result>")
            if job["type"] == "Commit" and not job.get("done"):
                import copy
                Handler.state["running"] = copy.deepcopy(cfg("candidate"))
                Handler.state["dirty"] = False
                job["done"] = True
            return 200, {}, resp("success", f"<result><job><id>{jid}</id><type>{job['type']}</type><status>FIN</status><result>OK</result><progress>100</progress><details><line>Configuration committed successfully</line></details></job></result>")
        ref = doc.find("system/external-list/refresh/type")
        if doc.tag == "request" and ref is not None and len(ref):
            kind = ref[0]
            name = kind.findtext("name") or ""
            if kind.tag not in ("ip", "domain", "url"):
                return err(f"{kind.tag} is unexpected")
            known = self.options.edls.split(",")
            if name not in known or self.options.scenario == "noedl":
                return err(f"external-list {name} does not exist", 12)
            return self.new_job("EDLRefresh")
        return err("unsupported request")


if __name__ == "__main__":
    p = parser("fake PAN-OS")
    p.add_argument("--preload", default="", help="comma-separated IPs already registered with tr-block")
    p.add_argument("--preload-static", default="", help="comma-separated ip-netmask values already in the TR-BLOCK group (running config)")
    p.add_argument("--edls", default="TR-IP,TR-DOMAIN,TR-URL", help="EDL objects configured on the firewall")
    o = p.parse_args()
    for ip in filter(None, o.preload.split(",")):
        Handler.state.setdefault("registered", {})[ip] = ("tr-block", 3600)
    for v in filter(None, o.preload_static.split(",")):
        name = "tr-" + v.replace("/", "_")
        for which in ("candidate", "running"):
            c = cfg(which)
            c["address"][name] = ("ip-netmask", v if "/" in v else v + "/32", "")
            c["groups"].setdefault("TR-BLOCK", []).append(name)
    serve(PanOS, o)
