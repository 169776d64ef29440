#!/usr/bin/env python3
"""Prints a fake PAN-OS server's request log (tests/servers/panos.py) one request a line:
the form fields that matter, secrets shown only as present or not."""
import json
import sys
import urllib.parse as u

for line in open(sys.argv[1]):
    e = json.loads(line)
    f = {k: v[0] for k, v in u.parse_qs(e["body"], keep_blank_values=True).items()}
    key = "key" if e["headers"].get("x-pan-key") else "nokey"
    parts = [e["method"], e["path"], key, f.get("type", "")]
    for k in ("user", "action", "xpath", "element", "cmd"):
        if k in f:
            parts.append(f"{k}={f[k]}")
    if "password" in f:
        parts.append("password=***")
    print(" ".join(parts))
