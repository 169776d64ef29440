#!/usr/bin/env python3
"""Holds a store's job lock (Store::singleton) for SECONDS, as another host's job would.

    pg_hold_lock.py STORE NAME SECONDS READY_FILE

READY_FILE is created once the lock is held.

SQLite: flock on STORE.lock-NAME. PostgreSQL: the session advisory lock whose key
lib/store/postgres.cpp derives from the schema and the name, held by a psql session.
"""
import fcntl
import hashlib
import subprocess
import sys
import time

store, name, seconds, ready = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
if not store.startswith(("postgresql://", "postgres://")):
    with open(store + ".lock-" + name, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        open(ready, "w").close()
        time.sleep(seconds)
    sys.exit(0)
schema = subprocess.run(["psql", "-qAtX", store, "-c", "SELECT current_schema()"],
                        check=True, capture_output=True, text=True).stdout.strip()
key = int(hashlib.sha256(("tr-job\x1f%s\x1f%s" % (schema, name)).encode()).hexdigest()[:16], 16)
if key >= 1 << 63:
    key -= 1 << 64
subprocess.run(["psql", "-qAtX", store, "-c", "SELECT pg_advisory_lock(%d)" % key,
                "-c", "\\! touch '%s'" % ready, "-c", "SELECT pg_sleep(%f)" % seconds],
               check=True, capture_output=True)
