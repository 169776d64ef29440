#!/usr/bin/env bash
# tr-block publishes an RPZ zone that a real unbound on 127.0.0.1 loads: a blocked domain
# answers NXDOMAIN, and after unblock (and after expiry) it answers again. unbound is reloaded
# by the device's `reload:` command (argv, no shell). Needs unbound, unbound-control and dig
# (Debian: unbound dnsutils); their absence is a failure, not a skip.
source "$(dirname "$0")/lib.sh"
for p in unbound unbound-control dig; do
  command -v $p >/dev/null || fail "$p is not installed (apt-get install unbound dnsutils)"
done
unset TR_NOW
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$T/example.zone" <<ZONE
\$ORIGIN example.
\$TTL 5
@ IN SOA ns.example. h.example. ( 1 3600 600 604800 5 )
  IN NS ns.example.
ns IN A 192.0.2.1
evil IN A 192.0.2.66
www.evil IN A 192.0.2.67
good IN A 192.0.2.77
ZONE
cat >"$T/unbound.conf" <<CONF
server:
  interface: 127.0.0.1
  port: $port
  do-daemonize: no
  use-syslog: no
  logfile: "$T/unbound.log"
  chroot: ""
  username: ""
  directory: "$T"
  pidfile: "$T/unbound.pid"
  module-config: "respip validator iterator"
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
remote-control:
  control-enable: yes
  control-interface: $T/ctl.sock
auth-zone:
  name: "example."
  zonefile: "$T/example.zone"
  for-downstream: no
  for-upstream: yes
  fallback-enabled: no
rpz:
  name: "rpz.tr.local."
  zonefile: "$T/rpz.zone"
CONF
cat >"$T/config.yaml" <<CONF
devices:
  dns: {type: rpz, path: $T/rpz.zone, origin: rpz.tr.local,
        reload: [unbound-control, -c, $T/unbound.conf, auth_zone_reload, rpz.tr.local]}
CONF
export TR_CONFIG="$T/config.yaml"
# An empty zone first, so unbound starts with the RPZ loaded.
tr-block render --device dns >"$T/rpz.zone"
unbound -c "$T/unbound.conf" >/dev/null 2>&1 &
_tr_pids+=($!)
for _ in $(seq 50); do unbound-control -c "$T/unbound.conf" status >/dev/null 2>&1 && break; sleep 0.1; done
status() { dig @127.0.0.1 -p "$port" +tries=1 +time=2 "$1" A | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
answer() { dig @127.0.0.1 -p "$port" +tries=1 +time=2 +short "$1" A; }

assert_eq "$(answer evil.example)" "192.0.2.66" "before block"
tr-block add --device dns --domain evil.example --ttl 2s --reason "C2" >/dev/null
assert_eq "$(status evil.example)" "NXDOMAIN" "blocked domain"
assert_eq "$(status www.evil.example)" "NXDOMAIN" "subdomain of a blocked domain"
assert_eq "$(answer good.example)" "192.0.2.77" "other names still resolve"
tr-block remove --device dns --domain evil.example >/dev/null
assert_eq "$(answer evil.example)" "192.0.2.66" "after unblock"

# Expiry: blocked again, then lifted by expire once its time is up.
tr-block add --device dns --domain evil.example --ttl 1s --reason "C2 again" >/dev/null
assert_eq "$(status evil.example)" "NXDOMAIN" "blocked again"
sleep 1.2
out=$(tr-block expire | jq -r '.status')
assert_eq "$out" "expired" "expire lifted it"
assert_eq "$(answer evil.example)" "192.0.2.66" "after expiry"
# A hostile name never reaches the zone file.
tr-block add --device dns --domain $'x.example\n@ IN NS evil.' --reason x >/dev/null 2>&1 && fail "hostile name accepted"
grep -q 'IN NS evil' "$T/rpz.zone" && fail "hostile name in zone"
echo "PASS block_rpz_unbound"
