#!/usr/bin/env bash
# First run on a fresh Debian machine: install dependencies, build, start
# tmon-replay (recorded real provider responses on 127.0.0.1:8480) and
# tmond probing it with schedules/replay.json, then print the dashboard URL.
# Stop with Ctrl-C.  TMON_DB (default ./tmon-demo.db), TMON_LISTEN
# (default 127.0.0.1:8080) override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
contrib/deps.sh
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
db=${TMON_DB:-./tmon-demo.db}
listen=${TMON_LISTEN:-127.0.0.1:8080}
./build/tmon-replay --dir tests/data/replay --listen 127.0.0.1:8480 &
replay=$!
trap 'kill $replay $tmond 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
sleep 0.5
./build/tmond --config schedules/replay.json --db "$db" --init --listen "$listen" &
tmond=$!
sleep 1
echo
echo "tmon dashboard: http://$listen/"
echo "API:            http://$listen/api/v1/models"
echo "(replayed responses cannot echo a fresh nonce: nonce.echo fails by design)"
wait $tmond
