#!/usr/bin/env python3
"""A stand-in for `tr-incident import`, enough for tests/shell/correlate_cron.sh: reads
tr-correlate's output on stdin and writes alerts, incidents, incident_alerts and
incident_observables as the record contract says (incidents created or updated by id, alerts
deduplicated by id, the incident's alerts merged). Only tr-correlate's tests use it."""
import json
import sqlite3
import sys
from datetime import datetime


def ms(t):
    return int(datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() * 1000 + 0.5) \
        if t.endswith("Z") else 0


db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA foreign_keys = ON")
pending = []
for line in sys.stdin:
    rec = json.loads(line)
    if rec.get("kind") == "alert":
        pending.append(rec)
        continue
    if rec.get("kind") != "incident":
        continue
    iid = rec["id"]
    keep = {k: v for k, v in rec.items() if k not in ("alerts", "status")}
    db.execute("""INSERT INTO incidents(id, title, status, severity, priority, first_seen, last_seen,
                  created, updated, alert_count, tags, record)
                  VALUES(?, ?, 'new', ?, ?, ?, ?, 0, 0, ?, ?, ?)
                  ON CONFLICT(id) DO UPDATE SET title = excluded.title,
                  severity = max(severity, excluded.severity), priority = excluded.priority,
                  first_seen = min(first_seen, excluded.first_seen),
                  last_seen = max(last_seen, excluded.last_seen), record = excluded.record""",
               (iid, rec["title"], rec["severity"], rec["priority"], ms(rec["first_seen"]),
                ms(rec["last_seen"]), rec["alert_count"], json.dumps(rec["tags"]), json.dumps(keep)))
    for a in pending:
        db.execute("INSERT OR IGNORE INTO alerts(id, ts, imported, record, incident_id) "
                   "VALUES(?, ?, 0, ?, ?)", (a["id"], ms(a["@timestamp"]), json.dumps(a), iid))
    pending = []
    for a in rec["alerts"]:
        db.execute("INSERT OR IGNORE INTO incident_alerts(incident_id, alert_id) VALUES(?, ?)",
                   (iid, a))
    for o in rec["observables"]:
        db.execute("INSERT OR IGNORE INTO incident_observables(incident_id, type, value) "
                   "VALUES(?, ?, ?)", (iid, o["type"], o["value"]))
db.commit()
