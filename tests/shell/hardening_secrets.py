"""Secrets never appear in output, errors, logs, audit entries or --verbose traces (issue 9).

Runs every tool that uses credentials against the fake vendor servers with known secrets, at
-vv, in the good case and the failing ones (401/403, 5xx, connection refused), and greps all
stdout, stderr, every file the runs wrote and a dump of every store for each secret, in clear,
URL-encoded and inside HTTP Basic (base64 of user:secret).
"""
import base64
import os
import sqlite3
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from hardening_lib import HOME, TMP, finding, finish, run, start_server  # noqa: E402

CLOSED = "http://127.0.0.1:1"  # nothing listens: connection refused
outputs = []  # (label, bytes)
stores = []
runs = 0


def expect(label, cond, rc, err):
    """The run did what it was meant to (a secret test that never reached the API proves
    nothing)."""
    if not cond:
        finding(label, f"unexpected result (status {rc}): {err[-200:]!r}")


def tool(label, argv, env, stdin=b""):
    global runs
    runs += 1
    store = os.path.join(TMP, f"store-{runs}.db")
    stores.append(store)
    e = {"TR_STORE": store, "TR_NOW": "2026-12-03T12:00:00Z", **env}
    rc, out, err = run(argv + ["-vv"], stdin=stdin, env=e, timeout=120)
    outputs.append((f"{label} (status {rc}) stdout", out))
    outputs.append((f"{label} (status {rc}) stderr", err))
    return rc, out, err


def config(name, text):
    path = os.path.join(HOME, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)
    return path


ALERT = (b'{"kind":"alert","id":"a-1","@timestamp":"2026-12-03T11:00:00.000Z",'
         b'"destination":{"ip":"203.0.113.7","domain":"evil.example"},'
         b'"file":{"hash":{"sha256":"' + b"a" * 64 + b'"}},'
         b'"tr":{"observables":[{"type":"ip","value":"203.0.113.7","role":"attacker"},'
         b'{"type":"domain","value":"evil.example","role":"attacker"},'
         b'{"type":"sha256","value":"' + b"a" * 64 + b'","role":"related"}]}}\n')

# --- tr-ingest: Proofpoint TAP (Basic svc-tr:s3cret) ----------------------------------------
secrets = {"s3cret": "svc-tr", "tok-123": None, "changeme": "admin", "vt-test-key": None,
           "abuse-test-key": None, "LUFRPT1-test-key==": None, "fgt-test-token": None,
           "1111-2222-3333-4444": None, "app-secret": None, "eyJ0-test-token": None,
           "WRONG-tap-7d1e": "svc-tr", "WRONG-splunk-4b2a": None, "WRONG-vt-1c9f": None,
           "WRONG-pan-55aa": None, "WRONG-fgt-0e0e": None, "WRONG-umb-9999": None,
           "WRONG-cp-3a3a": None, "WRONG-graph-8b8b": None}

for scen, secret, url in (("ok", "s3cret", None), ("unauthorized", "WRONG-tap-7d1e", None),
                          ("ok", "s3cret", CLOSED)):
    srv, _ = start_server("tap.py", "--scenario", scen)
    rc, out, err = tool(f"tr-ingest tap {scen} {url or ''}", ["tr-ingest", "--from", "tap", "--since", "3h"],
                        {"TR_TAP_URL": url or srv, "TR_TAP_PRINCIPAL": "svc-tr", "TR_TAP_SECRET": secret})
    expect(f"tap {scen} {url}", rc == 0 and out if scen == "ok" and not url else rc == 4, rc, err)

# --- tr-ingest: Splunk (token, then user/password from the config) --------------------------
for scen, token, url in (("ok", "tok-123", None), ("unauthorized", "WRONG-splunk-4b2a", None),
                         ("ok", "tok-123", CLOSED), ("flaky", "tok-123", None)):
    srv, _ = start_server("splunk.py", "--scenario", scen)
    tool(f"tr-ingest splunk {scen} {url or ''}",
         ["tr-ingest", "--from", "splunk", "--since", "1h", "--search", "index=ids"],
         {"TR_SPLUNK_URL": url or srv, "TR_SPLUNK_TOKEN": token})
srv, _ = start_server("splunk.py")
cfg = config("splunk.yaml", f"ingest:\n  splunk:\n    url: {srv}\n    user: admin\n    password: changeme\n")
rc, out, err = tool("tr-ingest splunk basic", ["tr-ingest", "--from", "splunk", "--since", "1h", "--search", "index=ids"],
                    {"TR_CONFIG": cfg})
expect("splunk basic auth with a literal password in an owner-only config", rc == 0, rc, err)
srv, _ = start_server("splunk.py", "--scenario", "unauthorized")
cfg = config("splunk-bad.yaml", f"ingest:\n  splunk:\n    url: {srv}\n    user: admin\n    password: changeme\n")
tool("tr-ingest splunk basic 401", ["tr-ingest", "--from", "splunk", "--since", "1h", "--search", "index=ids"],
     {"TR_CONFIG": cfg})

# --- tr-enrich: VirusTotal and AbuseIPDB ------------------------------------------------------
for scen, key, url in (("ok", "vt-test-key", None), ("down", "vt-test-key", None),
                       ("ok", "vt-test-key", CLOSED), ("ok", "WRONG-vt-1c9f", None),
                       ("429", "vt-test-key", None)):
    srv, _ = start_server("virustotal.py", "--scenario", scen)
    cfg = config(f"vt-{runs}.yaml", "enrich:\n  virustotal: {enabled: true, url: %s, api_key: {env: VT_KEY}, "
                 "rate: 100, window: 1s, backoff: 10ms}\n" % (url or srv))
    tool(f"tr-enrich virustotal {scen} {key} {url or ''}", ["tr-enrich"], {"TR_CONFIG": cfg, "VT_KEY": key},
         stdin=ALERT)
for scen, url in (("ok", None), ("429", None), ("ok", CLOSED)):
    srv, _ = start_server("abuseipdb.py", "--scenario", scen)
    cfg = config(f"abuse-{runs}.yaml", "enrich:\n  abuseipdb: {url: %s, api_key: abuse-test-key, rate: 100, "
                 "window: 1s}\n" % (url or srv))
    rc, out, err = tool(f"tr-enrich abuseipdb {scen} {url or ''}", ["tr-enrich", "--abuseipdb"], {"TR_CONFIG": cfg}, stdin=ALERT)
    if scen == "ok" and not url:
        expect("abuseipdb with a literal key in an owner-only config", rc == 0 and b"abuseipdb" in out, rc, err)

# --- tr-block: every device API ------------------------------------------------------------
DEV = {
    "pan": ("panos.py", "{type: paloalto, url: %s, key: {env: PAN_KEY}, retries: 1, backoff_ms: 10}",
            {"PAN_KEY": "LUFRPT1-test-key=="}, {"PAN_KEY": "WRONG-pan-55aa"}, ["down"]),
    "pan-login": ("panos.py", "{type: paloalto, url: %s, user: tr-api, password: {env: PAN_PW}, retries: 1, backoff_ms: 10}",
                  {"PAN_PW": "s3cret"}, {"PAN_PW": "WRONG-pan-55aa"}, ["down"]),
    "fgt": ("fortigate.py", "{type: fortigate, url: %s, token: {env: FGT_TOKEN}, retries: 1, backoff_ms: 10}",
            {"FGT_TOKEN": "fgt-test-token"}, {"FGT_TOKEN": "WRONG-fgt-0e0e"}, ["down"]),
    "umb": ("umbrella.py", "{type: umbrella, url: %s, key: {env: UMB_KEY}, retries: 1, backoff_ms: 10}",
            {"UMB_KEY": "1111-2222-3333-4444"}, {"UMB_KEY": "WRONG-umb-9999"}, ["down"]),
    "cp": ("checkpoint.py", "{type: checkpoint, url: %s, user: tr-api, password: {env: CP_PASSWORD}, group: TR-BLOCK, "
           "policy_package: Standard, targets: [gw-edge-1], poll_ms: 10, retries: 1, backoff_ms: 10}",
           {"CP_PASSWORD": "s3cret"}, {"CP_PASSWORD": "WRONG-cp-3a3a"}, ["down", "publishfail"]),
    "m365": ("graph.py", "{type: o365, tenant: corp.onmicrosoft.com, client_id: app-1, client_secret: {env: GRAPH_SECRET}, "
             "url: %s, login_url: %s, folder: junkemail, retries: 1, backoff_ms: 10}",
             {"GRAPH_SECRET": "app-secret"}, {"GRAPH_SECRET": "WRONG-graph-8b8b"}, []),
}
for dev, (script, tmpl, good, bad, scens) in DEV.items():
    target = ["--message-id", "<CAF7x+1@mail.evil.example>"] if dev == "m365" else (
        ["--domain", "evil.example"] if dev == "umb" else ["--ip", "203.0.113.7"])
    plays = [("ok", good, None), ("ok", bad, None), ("ok", good, CLOSED)] + [(s, good, None) for s in scens]
    for scen, env, url in plays:
        srv, _ = start_server(script, "--scenario", scen)
        u = url or srv
        cfg = config(f"{dev}-{runs}.yaml", "devices:\n  %s: %s\n" % (dev, tmpl.replace("%s", u)))
        e = {"TR_CONFIG": cfg, **env}
        rc, out, err = tool(f"tr-block add {dev} {scen} {sorted(env.values())} {url or ''}",
                            ["tr-block", "add", "--device", dev, *target, "--reason", "test", "--ttl", "1h"], e)
        if scen == "ok" and env is good and url is None:
            expect(f"tr-block add {dev}", b'"applied"' in out, rc, err)
        elif url is not None or env is bad:
            expect(f"tr-block add {dev} failing", rc == 4 or b'"failed"' in out, rc, err)
        if scen == "ok" and env is good and url is None:
            tool(f"tr-block list/show/remove {dev}", ["tr-block", "list", "--all", "--format", "json"], e)
            tool(f"tr-block remove {dev}", ["tr-block", "remove", "--device", dev, *target], e)
            tool(f"tr-block sync {dev}", ["tr-block", "sync", "--device", dev], e)
            tool(f"tr-block expire {dev}", ["tr-block", "expire"], {**e, "TR_NOW": "2026-12-04T12:00:00Z"})
            tool(f"tr-block devices {dev}", ["tr-block", "devices"], e)

# --- every store, and every file the runs left ------------------------------------------------
for store in stores:
    if not os.path.exists(store):
        continue
    con = sqlite3.connect(store)
    dump = "\n".join(con.iterdump()).encode("utf-8", "replace")
    con.close()
    outputs.append((f"store {os.path.basename(store)} (sqlite3 dump, audit included)", dump))
for base, _dirs, files in os.walk(TMP):
    for fn in files:
        p = os.path.join(base, fn)
        if p.endswith(".log") or p.endswith(".yaml") or p.endswith(".db") or "-wal" in fn or "-shm" in fn:
            continue  # server request logs hold the credentials sent; configs name them
        with open(p, "rb") as f:
            outputs.append((f"file {p[len(TMP):]}", f.read()))


def forms(secret, user):
    out = {secret.encode(), urllib.parse.quote(secret, safe="").encode()}
    if user:
        out.add(base64.b64encode(f"{user}:{secret}".encode()))
    return out


checked = 0
for secret, user in secrets.items():
    for form in forms(secret, user):
        for label, data in outputs:
            checked += 1
            if form in data:
                i = data.index(form)
                finding(label, f"secret {secret!r} appears as {form!r}: {data[max(0, i - 80):i + 40]!r}")
if runs < 40:
    finding("hardening_secrets", f"only {runs} runs")
print(f"{runs} runs, {len(outputs)} outputs, {checked} secret/output checks")
finish("hardening_secrets")
