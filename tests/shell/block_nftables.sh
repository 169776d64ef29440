#!/usr/bin/env bash
# tr-block against real nftables sets inside a network namespace this test creates: elements
# with timeouts appear in `nft list set`, the kernel drops traffic to a blocked address, the
# kernel's own timeout removes an element, renewal re-adds with the new timeout, unblock and
# `tr-block expire` remove it, and sync repairs drift. Needs root, iproute2 and nftables; their
# absence is a failure, not a skip.
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || fail "needs root (network namespaces)"
command -v nft >/dev/null || fail "nft is not installed (apt-get install nftables)"
command -v ip >/dev/null || fail "ip is not installed (iproute2)"
unset TR_NOW
ns="trblk-$$"
ip netns add "$ns" || fail "cannot create network namespace"
trap 'ip netns del "$ns" 2>/dev/null; cleanup' EXIT
ip netns exec "$ns" ip link set lo up
cat >"$T/config.yaml" <<CONF
devices:
  host-fw: {type: nftables, netns: $ns, table: tr, set4: block4, set6: block6}
allow_reserved: [127.0.0.2/32]
CONF
export TR_CONFIG="$T/config.yaml"
in_ns() { ip netns exec "$ns" "$@"; }
elements() { in_ns nft -j list set inet tr "$1" | jq -r '[.nftables[].set.elem // empty | .[] | if type=="object" then (.elem.val // .) else . end | if type=="object" then "\(.prefix.addr)/\(.prefix.len)" else . end] | sort | join(" ")'; }
timeout_of() { in_ns nft -j list set inet tr block4 | jq -r --arg v "$1" '.nftables[].set.elem // empty | .[] | select(type=="object" and .elem.val==$v) | .elem.timeout'; }
# A listener on 127.0.0.2 inside the namespace, and a probe that connects to it.
# (ip netns exec execs python directly, so $! is the listener itself; its output is not the
# test's, so ctest does not wait for it.)
ip netns exec "$ns" python3 -c 'import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(("127.0.0.2",8099)); s.listen(64); time.sleep(60)' >/dev/null 2>&1 &
_tr_pids+=($!)
sleep 0.3
reach() { in_ns python3 -c 'import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(0 if s.connect_ex(("127.0.0.2",8099))==0 else 1)'; }
reach || fail "listener not reachable before any block"

tr-block add --device host-fw --ip 203.0.113.7 --ttl 1h --reason C2 >/dev/null
tr-block add --device host-fw --cidr 198.51.100.0/24 --ttl 2h --reason C2 >/dev/null
tr-block add --device host-fw --ip 2001:db8::7 --ttl 1h --reason C2 >/dev/null
assert_eq "$(elements block4)" "198.51.100.0/24 203.0.113.7" "IPv4 set after block"
assert_eq "$(elements block6)" "2001:db8::7" "IPv6 set after block"
assert_eq "$(timeout_of 203.0.113.7)" "3600" "element timeout"
# Renewal with a longer TTL replaces the element's timeout.
tr-block add --device host-fw --ip 203.0.113.7 --ttl 3h --reason C2 | jq -e '.status == "renewed"' >/dev/null || fail "not renewed"
t=$(timeout_of 203.0.113.7); (( t > 10000 && t <= 10800 )) || fail "renewed timeout is $t"

# Real enforcement: traffic to a blocked address is dropped, and flows again after unblock.
tr-block add --device host-fw --ip 127.0.0.2 --ttl 1h --reason test >/dev/null
reach && fail "blocked address still reachable"
tr-block remove --device host-fw --ip 127.0.0.2 >/dev/null
reach || fail "address not reachable after unblock"

# The kernel's own timeout removes an element; sync then finds the store entry (still live in
# the store) missing on the device and re-applies it.
tr-block add --device host-fw --ip 203.0.113.9 --ttl 2s --reason short >/dev/null
[[ " $(elements block4) " == *" 203.0.113.9 "* ]] || fail "short block missing"
sleep 2.5
[[ " $(elements block4) " == *" 203.0.113.9 "* ]] && fail "kernel did not expire the element"
out=$(tr-block expire | jq -r '[.target.value, .status] | join(" ")')
assert_eq "$out" "203.0.113.9 expired" "expire"
# Drift: someone deletes an element by hand, and adds one of their own to our set.
in_ns nft delete element inet tr block4 '{ 203.0.113.7 }'
in_ns nft add element inet tr block4 '{ 192.0.2.99 }'
out=$(tr-block sync --device host-fw | jq -r '[.op, .target.value, .status] | join(" ")' | sort | tr '\n' ';')
assert_eq "$out" "block 203.0.113.7 applied;unblock 192.0.2.99 applied;" "sync repairs drift"
assert_eq "$(elements block4)" "198.51.100.0/24 203.0.113.7" "set after sync"
tr-block remove --device host-fw --ip 203.0.113.7 >/dev/null
assert_eq "$(elements block4)" "198.51.100.0/24" "set after unblock"
# Removing what is already gone is not an error on the device.
tr-block add --device host-fw --ip 203.0.113.7 --reason again >/dev/null
in_ns nft delete element inet tr block4 '{ 203.0.113.7 }'
tr-block remove --device host-fw --ip 203.0.113.7 | jq -e '.status == "applied"' >/dev/null || fail "idempotent unblock"
echo "PASS block_nftables"
