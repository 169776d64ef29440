#!/usr/bin/env python3
"""Generic behaviours for the HTTP client's own tests (lib/net).

  /status/NNN         answers NNN with {"status": NNN}
  /flaky/KEY/N        answers 503 the first N times for KEY, then 200
  /limited/KEY        answers 429 with Retry-After: 1 the first time for KEY, then 200
  /slow/MS            waits MS milliseconds, then 200
  /echo               200 with the method, headers and body it received
"""
import time

import harness


class Echo(harness.Handler):
    def route(self, method, path, query, headers, body):
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["status"] and len(parts) == 2:
            return int(parts[1]), {}, {"status": int(parts[1])}
        if parts[:1] == ["flaky"] and len(parts) == 3:
            with self.lock:
                n = self.state.get(parts[1], 0)
                self.state[parts[1]] = n + 1
            if n < int(parts[2]):
                return 503, {}, {"error": "try again"}
            return 200, {}, {"ok": True, "attempt": n + 1}
        if parts[:1] == ["limited"] and len(parts) == 2:
            with self.lock:
                n = self.state.get("l" + parts[1], 0)
                self.state["l" + parts[1]] = n + 1
            if n == 0:
                return 429, {"Retry-After": "1"}, {"error": "rate limited"}
            return 200, {}, {"ok": True}
        if parts[:1] == ["slow"] and len(parts) == 2:
            time.sleep(int(parts[1]) / 1000.0)
            return 200, {}, {"ok": True}
        if parts == ["echo"]:
            return 200, {}, {
                "method": method,
                "headers": {k.lower(): v for k, v in headers.items()},
                "body": body.decode("utf-8", "replace"),
            }
        return 404, {}, {"error": "not found"}


if __name__ == "__main__":
    harness.serve(Echo, harness.parser(__doc__).parse_args())
