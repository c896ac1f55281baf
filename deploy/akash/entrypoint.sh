#!/bin/sh
# Entrypoint of the Akash image variant (deploy/akash/Dockerfile).
#
# Akash providers mount a persistent volume owned by root and let a deployment set neither fsGroup nor the user it
# runs as (akash-network/provider#46), so the image's unprivileged `exporter` user could not write its state file
# there. Started as root, this script gives the state directory to that user, then replaces itself with the exporter
# running as that user, with no capabilities and no way to gain any (no_new_privs). Started as any other user it
# just runs the exporter. EXPORTER_USER and EXPORTER_BIN exist for scripts/check_deploy.py.
set -eu

user="${EXPORTER_USER:-exporter}"
binary="${EXPORTER_BIN:-/usr/local/bin/akash-cost-exporter}"
state_file="${AKASH_EXPORTER_STATE_FILE:-/var/lib/akash-cost-exporter/state.json}"

if [ "$(id -u)" = 0 ]; then
    state_dir="$(dirname "$state_file")"
    mkdir -p "$state_dir"
    chown "$user:$user" "$state_dir"
    chmod 0700 "$state_dir"
    exec setpriv --reuid="$user" --regid="$user" --init-groups --no-new-privs --inh-caps=-all -- "$binary" "$@"
fi
exec "$binary" "$@"
