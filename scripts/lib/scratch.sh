# Sourced by the scripts that start background processes (bench.sh, bench_auth.sh, bench_bodies.sh, soak.sh,
# early_sigterm.sh): a temporary directory, $work, and the processes started, $pids, both cleaned up on exit. Each
# pid is signalled (SCRATCH_SIGNAL, default TERM; KILL where a clean shutdown is not wanted) and waited for, then
# $work is removed. A script with something else to stop defines scratch_cleanup_extra, which runs first.
#
#   . scripts/lib/scratch.sh
#   some_server & pids+=("$!")
work="$(mktemp -d)"
pids=()
scratch_cleanup() {
  if declare -F scratch_cleanup_extra >/dev/null; then scratch_cleanup_extra || true; fi
  for pid in "${pids[@]}"; do
    kill -"${SCRATCH_SIGNAL:-TERM}" "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # A process started in a command substitution is not this shell's child, so `wait` cannot wait for it: give it
    # up to 5 s to go before its files are removed.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  rm -rf "$work"
}
trap scratch_cleanup EXIT
