# The jq peer of tr-ingest's EVE mapping: the same flat fields (15) that an analyst would pull
# out of an alert with jq, one compact object per alert.
select(.event_type == "alert")
| {"@timestamp": .timestamp, "source_ip": .src_ip, "source_port": .src_port,
   "destination_ip": .dest_ip, "destination_port": .dest_port,
   "transport": (.proto | ascii_downcase), "protocol": .app_proto,
   "rule_id": (.alert.signature_id | tostring), "rule_name": .alert.signature,
   "rule_category": .alert.category, "action": .alert.action,
   "severity": ({"1": 75, "2": 50}[.alert.severity | tostring] // 25),
   "domain": (.http.hostname // .tls.sni // .dns.query[0].rrname),
   "sha256": .fileinfo.sha256, "flow_id": (.flow_id | tostring)}
