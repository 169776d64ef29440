# Shared helpers for benchmarks: peak memory and wall time of a command, and ratios.
#
#   measure NAME CMD...   runs CMD (stdin/stdout as given), sets ${NAME}_secs and ${NAME}_kb
# Peak memory is the child's maximum resident set (getrusage RUSAGE_CHILDREN via python3),
# which counts the largest process of a pipeline, not their sum.
measure() {
  local name=$1; shift
  local out
  out=$(python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[1:])
dt = time.monotonic() - t
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{dt:.3f} {kb} {rc}")
PY
)
  read -r secs kb rc <<<"$out"
  printf -v "${name}_secs" '%s' "$secs"
  printf -v "${name}_kb" '%s' "$kb"
  return "$rc"
}
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.1f}' if b>0 else 'inf')" "$1" "$2"; }
per_sec() { python3 -c "import sys; n,s=float(sys.argv[1]),float(sys.argv[2]); print(f'{n/s:,.0f}' if s>0 else 'inf')" "$1" "$2"; }
mb_per_sec() { python3 -c "import sys; n,s=float(sys.argv[1]),float(sys.argv[2]); print(f'{n/s/1e6:,.1f}' if s>0 else 'inf')" "$1" "$2"; }
