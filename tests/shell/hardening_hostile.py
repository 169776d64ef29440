"""Every hostile value (tests/fixtures/hostile/values.jsonl) through every sink (issue 9).

tr-block: each device type renders blocks from incidents whose observables of every type and
whose title (it becomes the reason, a comment on many devices) are the hostile value. Each
value must be refused, or appear only validated (CLI lines, list files, zone files, CPL) or
escaped for its target (XML in PAN-OS requests, JSON in REST bodies).
tr-incident: its SQL filters take each value as an exact argument (no SQL error, exact-match
semantics, LIKE metacharacters literal); its HTML report holds no markup from alerts; its
table output on a terminal holds no raw escape or bidi bytes.
Diagnostics: every tool given a hostile value writes no raw escape or bidi bytes to stderr on a
terminal.
"""
import html.parser
import json
import os
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from hardening_lib import (HOME, TMP, check_terminal_bytes, finding, finish, invalid_utf8,  # noqa: E402
                           load_values, run, run_pty, server_requests, start_server)

VALUES = load_values()
OUT = os.path.join(HOME, "out")
os.makedirs(OUT, exist_ok=True)
TYPES = ["ip", "cidr", "domain", "url", "user", "host", "message_id"]


def jtext(b):
    """A hostile value as JSON text (invalid UTF-8 bytes become U+FFFD, as every writer does)."""
    return b.decode("utf-8", "replace")


# ---------------------------------------------------------------------------------------------
# tr-block: every device type
# ---------------------------------------------------------------------------------------------
def block_records():
    recs = []
    for i, (vid, v) in enumerate(VALUES):
        t = jtext(v)
        obs = [{"type": ty, "value": t, "role": "attacker"} for ty in TYPES]
        # A valid address too, so that the title (the block's reason) reaches the device.
        obs.append({"type": "ip", "value": f"203.0.113.{i + 1}", "role": "attacker"})
        recs.append({"kind": "incident", "id": f"i-hostile-{i}", "title": t, "status": "new",
                     "severity": 90, "priority": "P1", "classification": ["c2"], "tags": [],
                     "observables": obs})
    return "".join(json.dumps(r) + "\n" for r in recs).encode()


FAKE_NFT = os.path.join(TMP, "fake-nft")
with open(FAKE_NFT, "w") as f:
    f.write('#!/bin/sh\nprintf "ARGS %s\\n" "$*" >> "$FAKE_NFT_LOG"\ncat >> "$FAKE_NFT_LOG"\n')
os.chmod(FAKE_NFT, 0o755)

pan_url, pan_log = start_server("panos.py")
fgt_url, fgt_log = start_server("fortigate.py")
umb_url, umb_log = start_server("umbrella.py")
cp_url, cp_log = start_server("checkpoint.py")
graph_url, graph_log = start_server("graph.py")

FILE_DEVICES = {
    "edl-ip": ("edl", "list: ip", "ip.txt"),
    "edl-dom": ("edl", "list: domain", "dom.txt"),
    "edl-url": ("edl", "list: url", "url.txt"),
    "rpz": ("rpz", "origin: rpz.tr.local", "rpz.zone"),
    "cpl": ("bluecoat", "", "local.cpl"),
    "asa": ("asa", "", "asa.txt"),
    "asa-shun": ("asa", "method: shun", "asa-shun.txt"),
    "ios": ("ios", "", "ios.txt"),
    "ios-null": ("ios", "method: null-route", "ios-null.txt"),
    "srx": ("srx", "", "srx.txt"),
}
config = ["devices:"]
for name, (ty, extra, fname) in FILE_DEVICES.items():
    config.append(f"  {name}: {{type: {ty}, path: {OUT}/{fname}{', ' + extra if extra else ''}}}")
config += [
    f"  nft: {{type: nftables, nft: {FAKE_NFT}, setup: false}}",
    f"  pan: {{type: paloalto, url: {pan_url}, key: {{env: PAN_KEY}}, tag: tr-block, retries: 1, backoff_ms: 10}}",
    f"  fgt: {{type: fortigate, url: {fgt_url}, token: {{env: FGT_TOKEN}}, retries: 1, backoff_ms: 10}}",
    f"  fgt-group: {{type: fortigate, method: group, group: TR-BLOCK, url: {fgt_url}, token: {{env: FGT_TOKEN}}, retries: 1, backoff_ms: 10}}",
    f"  umb: {{type: umbrella, url: {umb_url}, key: {{env: UMB_KEY}}, retries: 1, backoff_ms: 10}}",
    f"  cp: {{type: checkpoint, url: {cp_url}, user: tr-api, password: {{env: CP_PASSWORD}}, group: TR-BLOCK, policy_package: Standard, targets: [gw-edge-1], poll_ms: 10, retries: 1, backoff_ms: 10}}",
    f"  m365: {{type: o365, tenant: corp.onmicrosoft.com, client_id: app-1, client_secret: {{env: GRAPH_SECRET}}, url: {graph_url}, login_url: {graph_url}, folder: junkemail, retries: 1, backoff_ms: 10}}",
    "limits: {max_per_run: 100000, max_per_hour: 100000}",
]
CONFIG = os.path.join(HOME, "block.yaml")
with open(CONFIG, "w") as f:
    f.write("\n".join(config) + "\n")
ENV = {"TR_CONFIG": CONFIG, "PAN_KEY": "LUFRPT1-test-key==", "FGT_TOKEN": "fgt-test-token",
       "UMB_KEY": "1111-2222-3333-4444", "CP_PASSWORD": "s3cret", "GRAPH_SECRET": "app-secret",
       "FAKE_NFT_LOG": os.path.join(OUT, "nft.log"), "TR_STORE": os.path.join(TMP, "block.db")}

records = block_records()
DEVICES = list(FILE_DEVICES) + ["nft", "pan", "fgt", "fgt-group", "umb", "cp", "m365"]
applied = {}
for dev in DEVICES:
    policy = os.path.join(TMP, f"policy-{dev}.yaml")
    with open(policy, "w") as f:
        f.write("rules:\n  - name: hostile\n    when: {kind: [incident], observable_types: "
                "[ip, cidr, domain, url, user, host, message_id]}\n"
                f"    block: {{devices: [{dev}], ttl: 1h}}\n")
    rc, out, err = run(["tr-block", "apply", "--policy", policy], stdin=records, env=ENV, timeout=120)
    if rc not in (0, 3, 4):
        finding(f"tr-block apply --device {dev}", f"status {rc}: {err[-300:]!r}")
    check_terminal_bytes(f"tr-block {dev} stderr", err)
    vals = []
    for line in out.splitlines():
        try:
            a = json.loads(line)
        except ValueError:
            finding(f"tr-block {dev} stdout", f"not JSON: {line[:120]!r}")
            continue
        if a.get("status") in ("applied", "renewed", "planned"):
            vals.append((a["target"]["type"], a["target"]["value"]))
    applied[dev] = vals
    rc, rendered, err = run(["tr-block", "render", "--device", dev], env=ENV)
    with open(os.path.join(OUT, f"render-{dev}.txt"), "wb") as f:
        f.write(rendered)

# What passed validation: only values without metacharacters, in canonical form.
SAFE_VALUE = re.compile(r"^[A-Za-z0-9._:/\-\[\]%~?=&+@<>\\]+$")
for dev, vals in applied.items():
    for ty, v in vals:
        if not SAFE_VALUE.match(v) or v.startswith("-"):
            finding(f"tr-block {dev}", f"{ty} value accepted with unsafe characters: {v[:80]!r}")
        if ty in ("domain", "host") and (v != v.lower() or v.endswith(".")):
            finding(f"tr-block {dev}", f"{ty} value not canonical: {v!r}")
        if ty == "ip" and v.lower().startswith("::ffff:"):
            finding(f"tr-block {dev}", f"IPv4-mapped address blocked as IPv6: {v!r}")
        if ty == "url" and (" " in v or "`" in v or "$(" in v or "<" in v):
            finding(f"tr-block {dev}", f"URL accepted with raw metacharacters: {v!r}")
    if dev not in ("m365",) and not any(ty == "ip" for ty, _ in vals) and dev not in (
            "edl-dom", "edl-url", "rpz", "cpl", "umb"):
        finding(f"tr-block {dev}", "no valid address was applied: the test did not reach the device")

# Markers that only a hostile value can bring into a device's text.
MARKERS = [b"\x1b", b"\x00", b"\r", b"`", b"$(", b"${", b"|id", b";reboot", b"; rm", b"&& reload",
           b"<script", b"onerror", b"<img", b"DROP TABLE", b"CNAME rpz-passthru",
           b"hostname pwned", b") deny (", b"]]>", b"\"op\":\"unblock\""]


def check_device_text(where, data, cli=False):
    check_terminal_bytes(where, data)
    for m in MARKERS:
        if m in data:
            i = data.index(m)
            finding(where, f"hostile text {m!r} reached the device: {data[max(0, i - 60):i + 60]!r}")
    if cli:
        for line in data.split(b"\n"):
            if re.search(rb"[;|`$&<>\"'\\]", line) and not line.startswith(b"!"):
                finding(where, f"CLI line with a shell or CLI metacharacter: {line[:160]!r}")


for name, (_ty, _extra, fname) in FILE_DEVICES.items():
    path = os.path.join(OUT, fname)
    data = open(path, "rb").read() if os.path.exists(path) else b""
    cli = name.startswith(("asa", "ios", "srx"))
    check_device_text(f"{name} file {fname}", data, cli=cli)
    check_device_text(f"{name} render", open(os.path.join(OUT, f"render-{name}.txt"), "rb").read(), cli=cli)
    if fname.endswith(".txt") and name.startswith("edl"):
        for line in data.split(b"\n"):
            # "value [incident] expires TIME": validated tokens separated by single spaces
            if line and not line.startswith(b"#") and not re.match(rb"^[A-Za-z0-9._:/\-\[\]%~?=&+@*]+( [A-Za-z0-9._:\-]+)*$", line):
                finding(f"{name} EDL", f"entry line is not one validated value: {line[:120]!r}")
    if name == "rpz":
        for line in data.split(b"\n"):
            body = line.split(b";", 1)[0]
            if body.count(b" CNAME ") > 1 or body.count(b"\tCNAME") > 1:
                finding("rpz zone", f"more than one record on a line: {line[:160]!r}")
    if name == "cpl":
        for line in data.split(b"\n"):
            if line.count(b'"') % 2:
                finding("cpl", f"unbalanced quote: {line[:160]!r}")

# File writers write where they are configured and nowhere else ("../" in a value is text).
expected = {fname for _t, _e, fname in FILE_DEVICES.values()} | {"nft.log"} | {
    f"render-{d}.txt" for d in DEVICES}
for base, _dirs, files in os.walk(HOME):
    for fn in files:
        p = os.path.relpath(os.path.join(base, fn), OUT)
        if base == HOME and fn.endswith(".yaml"):
            continue
        if p.startswith("..") or (p not in expected and not p.startswith(tuple(expected))):
            finding("file writers", f"unexpected file {os.path.join(base, fn)}")
if os.path.exists("/tmp/tr-pwned"):
    finding("shell", "a $(...) in a value ran: /tmp/tr-pwned exists")

nft = os.path.join(OUT, "nft.log")
check_device_text("nftables script", open(nft, "rb").read() if os.path.exists(nft) else b"", cli=False)

# PAN-OS: the XML API command must parse, and hold no element a value brought in.
PAN_TAGS = set()
for e in server_requests(pan_log):
    check_terminal_bytes("pan request", e["body"].encode())
    form = urllib.parse.parse_qs(e["body"]) if e["body"] else urllib.parse.parse_qs(e["query"])
    for key in ("cmd", "element"):
        for x in form.get(key, []):
            if not x.startswith("<"):
                continue
            try:
                root = ET.fromstring(x)
            except ET.ParseError as err:
                finding("pan XML", f"does not parse ({err}): {x[:200]!r}")
                continue
            for el in root.iter():
                PAN_TAGS.add(el.tag)
            for m in MARKERS:
                if m.decode() in x:
                    finding("pan XML", f"hostile text {m!r} in {x[:200]!r}")
allowed = {"uid-message", "version", "type", "payload", "register", "unregister", "register-user",
           "unregister-user", "entry", "tag",
           "member", "login", "logout", "groups", "group", "user", "timeout", "persistent"}
if PAN_TAGS - allowed:
    finding("pan XML", f"unexpected elements {sorted(PAN_TAGS - allowed)}")

# REST devices: every body is JSON (a value from an alert may sit in a comment string, JSON-
# escaped: that is its escaped form), and nothing hostile reaches the request line.
for name, log in (("fortigate", fgt_log), ("umbrella", umb_log), ("checkpoint", cp_log),
                  ("graph", graph_log)):
    for e in server_requests(log):
        if re.search(r"[\x00-\x1f\x7f]", e["body"]):
            finding(f"{name} request", f"raw control character in the body: {e['body'][:200]!r}")
        if e["body"] and e["body"][:1] in "{[":
            try:
                json.loads(e["body"])
            except ValueError:
                finding(f"{name} request", f"body is not JSON: {e['body'][:200]!r}")
        line = urllib.parse.unquote(e["path"] + "?" + e["query"])
        check_terminal_bytes(f"{name} request line", line.encode())
        for m in MARKERS:
            if m.decode() in line:
                finding(f"{name} request", f"hostile text {m!r} in {e['method']} {line[:200]!r}")

if os.environ.get("HARDENING_ONLY") == "block":  # local runs while the other tools build
    finish("hardening_hostile (tr-block only)")

# ---------------------------------------------------------------------------------------------
# tr-incident: SQL filters, HTML report, terminal output
# ---------------------------------------------------------------------------------------------
STORE = os.path.join(TMP, "cases.db")
IENV = {"TR_STORE": STORE, "TR_NOW": "2026-12-03T12:00:00Z"}
inc = []
for i, (vid, v) in enumerate(VALUES):
    t = jtext(v)
    alert_id = f"a-{i:016x}"
    inc.append({"kind": "alert", "id": alert_id, "@timestamp": "2026-12-03T11:00:00.000Z",
                "message": t, "rule": {"name": t}, "host": {"name": t}, "user": {"name": t},
                "event": {"severity": 75}, "threat": {"classification": "c2"},
                "tr": {"observables": [{"type": "domain", "value": t, "role": "attacker"}],
                       "score": 80, "priority": "P1"}})
    inc.append({"kind": "incident", "id": f"i-h{i:04d}", "title": t, "status": "new",
                "severity": 80, "priority": "P1", "first_seen": "2026-12-03T11:00:00.000Z",
                "last_seen": "2026-12-03T11:00:00.000Z", "alerts": [alert_id], "alert_count": 1,
                "observables": [], "targets": {"users": [t], "hosts": [t], "departments": [t],
                                               "groups": [t]},
                "tags": [t], "sources": [t], "assignee": t})
rc, out, err = run(["tr-incident", "import"], stdin="".join(json.dumps(r) + "\n" for r in inc).encode(),
                   env=IENV, timeout=120)
check_terminal_bytes("tr-incident import stderr", err)
if rc not in (0, 3):
    finding("tr-incident import", f"status {rc}: {err[-400:]!r}")
rc, out, err = run(["tr-incident", "list", "--format", "json", "--limit", "1000"], env=IENV)
stored = {}
for line in out.splitlines():
    o = json.loads(line)
    stored[o["id"]] = o
if len(stored) < len(VALUES) // 2:
    finding("tr-incident import", f"only {len(stored)} of {len(VALUES)} incidents stored: {err[-300:]!r}")

for i, (vid, v) in enumerate(VALUES):
    if b"\x00" in v or not v:
        continue  # argv cannot carry NUL; empty filters mean "no filter"
    for flag in ("--grep", "--user", "--host", "--tag", "--assignee", "--department", "--group"):
        rc, out, err = run(["tr-incident", "list", "--format", "json", "--limit", "1000", flag, v], env=IENV)
        check_terminal_bytes(f"tr-incident list {flag} [{vid}] stderr", err)
        if rc not in (0, 2) or b"SQL" in err or b"sqlite" in err.lower():
            finding(f"tr-incident list {flag} [{vid}]", f"status {rc}: {err[:300]!r}")
            continue
        if rc == 2:
            continue  # refused as a usage error: fine, nothing ran
        got = {json.loads(l)["id"] for l in out.splitlines()}
        me = f"i-h{i:04d}"
        if me in stored and me not in got and not invalid_utf8(v):
            finding(f"tr-incident list {flag} [{vid}]", "the incident holding exactly this value was not found")
        if flag != "--grep":
            others = {g for g in got if g != me and stored.get(g, {}).get("title") != stored.get(me, {}).get("title")}
            if others:
                finding(f"tr-incident list {flag} [{vid}]", f"exact filter matched other incidents: {sorted(others)[:5]}")
        else:
            text = jtext(v).lower()  # --grep ignores ASCII case
            wrong = {g for g in got if g in stored and text not in stored[g]["title"].lower() and text not in g}
            if wrong:
                finding(f"tr-incident list --grep [{vid}]", f"matched incidents without the text (LIKE wildcards?): {sorted(wrong)[:5]}")

# The analyst's terminal: table output and show, on a pty.
rc, out = run_pty(["tr-incident", "list", "--limit", "1000"], env=IENV)
check_terminal_bytes("tr-incident list on a terminal", out, allow_cr=True)
for i in range(0, len(VALUES), 7):
    rc, out = run_pty(["tr-incident", "show", f"i-h{i:04d}"], env=IENV)
    check_terminal_bytes(f"tr-incident show i-h{i:04d} on a terminal", out, allow_cr=True)
rc, out = run_pty(["tr-incident", "report", "--by", "user"], env=IENV)
check_terminal_bytes("tr-incident report --by user on a terminal", out, allow_cr=True)


class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.bad = set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for k, val in attrs:
            if k.startswith("on") or (val or "").lower().startswith("javascript:"):
                self.bad.append((tag, k, val))


report = os.path.join(TMP, "report.html")
rc, out, err = run(["tr-incident", "report", "--html", report], env=IENV)
if rc != 0:
    finding("tr-incident report --html", f"status {rc}: {err[-300:]!r}")
else:
    page = open(report, "rb").read()
    p = Tags()
    p.feed(page.decode("utf-8", "replace"))
    if p.bad:
        finding("HTML report", f"event handler or javascript: attributes {p.bad[:3]}")
    for t in ("img", "iframe", "object", "embed", "entry"):
        if t in p.tags:
            finding("HTML report", f"<{t}> element brought in by an alert")
    if page.count(b"<script") > 1 or b"<script>alert" in page:
        finding("HTML report", "a script element from an alert")
    if b"\x1b" in page or b"\x00" in page:
        finding("HTML report", "raw ESC or NUL in the page")

# ---------------------------------------------------------------------------------------------
# Diagnostics on a terminal: each tool quotes a hostile value in an error
# ---------------------------------------------------------------------------------------------
bad_alerts = os.path.join(TMP, "bad-alerts.jsonl")
bad_artifacts = os.path.join(TMP, "bad-artifacts.jsonl")
bad_iocs = os.path.join(TMP, "bad-iocs.txt")
bad_cef = os.path.join(TMP, "bad.cef")
with open(bad_alerts, "wb") as a, open(bad_artifacts, "wb") as s, open(bad_iocs, "wb") as o, \
        open(bad_cef, "wb") as c:
    for vid, v in VALUES:
        t = json.dumps(jtext(v))
        a.write(b'{"kind":"alert","id":"a-1","destination":{"ip":' + t.encode() + b'},"@timestamp":' + t.encode() + b"}\n")
        a.write(v.replace(b"\n", b" ") + b"\n")  # not JSON at all
        s.write(b'{"kind":"artifact","host":' + t.encode() + b',"type":' + t.encode() + b"}\n")
        o.write(v.replace(b"\n", b" ").replace(b"\r", b" ") + b"\n")
        c.write(b"CEF:0|" + v.replace(b"\n", b" ") + b"|x|1|100|" + v.replace(b"\n", b" ") + b"|5|src=" + v.replace(b"\n", b" ") + b"\n")
for argv in (["tr-enrich", "--offline", bad_alerts],
             ["tr-correlate", bad_alerts],
             ["tr-ingest", "--format", "cef", bad_cef],
             ["tr-ingest", "--format", "eve", bad_alerts],
             ["tr-ioc-check", "--iocs", bad_iocs, bad_artifacts],
             ["tr-incident", "import", bad_alerts],
             ["tr-block", "apply", "--policy", os.path.join(TMP, "policy-edl-ip.yaml"), bad_alerts]):
    env = dict(ENV)
    env["TR_STORE"] = os.path.join(TMP, "diag.db")
    rc, out = run_pty(argv, env=env, timeout=60, stdout_too=False)
    check_terminal_bytes(" ".join(argv[:2]) + " diagnostics on a terminal", out, allow_cr=True)
for vid, v in VALUES:
    if b"\x00" in v or len(v) > 5000:
        continue
    for argv in (["tr-block", "add", "--device", "edl-dom", "--domain", v, "--reason", v],
                 ["tr-incident", "show", v], ["tr-ingest", "--format", v, "/dev/null"]):
        rc, out = run_pty(argv, env=ENV, stdout_too=False)
        check_terminal_bytes(f"{argv[0]} {argv[1]} [{vid}] diagnostics on a terminal", out, allow_cr=True)

finish("hardening_hostile")
