# Sourced by the scripts that start an exporter of their own (soak.sh, bench_bodies.sh, demo.sh, bench.sh,
# bench_auth.sh).
#
#   free_port                         a free TCP port on 127.0.0.1
#   wait_exporter_ready PORT PID LOG  until http://127.0.0.1:PORT/-/ready answers 200 (every source polled once);
#                                     returns 1, with LOG printed, when PID exits first or after 60 s
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_exporter_ready() {
  local port="$1" pid="$2" log="$3"
  for _ in $(seq 6000); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/-/ready" 2>/dev/null && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "the exporter exited before it was ready:" >&2; cat "$log" >&2; return 1
    fi
    sleep 0.01
  done
  echo "the exporter was not ready within 60 s:" >&2; cat "$log" >&2; return 1
}
