#!/usr/bin/env python3
"""Blocklist feed downloads as the abuse.ch / Spamhaus servers answer them (integrations.md
C4), for `tr-enrich feeds update`:
  /drop.txt    a Spamhaus DROP list (';' header, 'CIDR ; SBLnnn' lines), with an ETag; a
               request with that ETag in If-None-Match gets 304
  /feodo.txt   a Feodo Tracker IP list ('#' comments, one IPv4 a line)
  /urlhaus.csv a URLhaus CSV (quoted fields, '#' header)
  /html        an HTML error page with status 200 (a captive portal or a CDN error)
  /fail        503
"""
from harness import Handler, parser, serve

DROP = """; Spamhaus DROP List 2026/12/03 - (c) 2026 The Spamhaus Project
; https://www.spamhaus.org/drop/drop.txt
; Last-Modified: Thu, 03 Dec 2026 10:00:00 GMT
198.51.100.0/24 ; SBL000001
203.0.113.0/25 ; SBL000002
2001:db8:bad::/48 ; SBL000003
"""
FEODO = """# Feodo Tracker botnet C2 IP blocklist (test)
#
192.0.2.66
192.0.2.77
"""
URLHAUS = """################################################################
# abuse.ch URLhaus Database Dump (CSV - recent URLs)            #
# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
"3001","2026-12-03 09:00:00","http://payload.example/a.exe","online","2026-12-03 09:00:00","malware_download","exe","https://urlhaus.abuse.ch/url/3001/","tester"
"3002","2026-12-03 09:05:00","http://203.0.113.200/bins/x.sh","online","2026-12-03 09:05:00","malware_download","elf","https://urlhaus.abuse.ch/url/3002/","tester"
"""
ETAG = '"drop-20261203"'


class Feeds(Handler):
    def route(self, method, path, query, headers, body):
        if path == "/drop.txt":
            if headers.get("If-None-Match") == ETAG:
                return 304, {"ETag": ETAG}, b""
            return 200, {"Content-Type": "text/plain", "ETag": ETAG,
                         "Last-Modified": "Thu, 03 Dec 2026 10:00:00 GMT"}, DROP
        if path == "/feodo.txt":
            return 200, {"Content-Type": "text/plain"}, FEODO
        if path == "/urlhaus.csv":
            return 200, {"Content-Type": "text/csv"}, URLHAUS
        if path == "/html":
            return 200, {"Content-Type": "text/html"}, (
                "<!DOCTYPE html>\n<html>\n<head><title>Error</title></head>\n"
                "<body><h1>503 Service Unavailable</h1></body>\n</html>\n")
        if path == "/fail":
            return 503, {}, "unavailable"
        return 404, {}, "not found"


if __name__ == "__main__":
    serve(Feeds, parser(__doc__).parse_args())
