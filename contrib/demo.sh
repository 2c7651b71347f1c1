#!/usr/bin/env bash
# First run on a fresh Debian machine: install dependencies, build, then
# start two monitors and print their dashboard URLs:
#   - tmon-replay (recorded real provider responses on 127.0.0.1:8480) and
#     tmond probing it with schedules/replay.json (TMON_LISTEN, default
#     127.0.0.1:8080; log TMON_DB, default ./tmon-demo.db);
#   - tmon-sim (a SIMULATED provider with a TEST PKI made at start, in
#     build/demo-pki, on 127.0.0.1:8481) and a second tmond probing it
#     with schedules/demo.json (TMON_SIM_LISTEN, default 127.0.0.1:8081;
#     log TMON_SIM_DB, default ./tmon-demo-sim.db): sim/good passes,
#     sim/wrong-key fails (completions signed by another key),
#     sim/rollout drifts (a new compose after 3 probes: an unexplained
#     change), sim/replicas adds an instance, sim/tinfoil (a Tinfoil v3
#     document) passes.  Its dashboard marks every
#     model "simulated, test PKI".
# The simulated models get their own tmond because the trust anchors and
# the Intel PCS are per tmond: trusting the test PKI in the replay
# monitor would fail its real Intel quotes.  Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
contrib/deps.sh
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
db=${TMON_DB:-./tmon-demo.db}
listen=${TMON_LISTEN:-127.0.0.1:8080}
simdb=${TMON_SIM_DB:-./tmon-demo-sim.db}
simlisten=${TMON_SIM_LISTEN:-127.0.0.1:8081}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
./build/tmon-replay --dir tests/data/replay --listen 127.0.0.1:8480 &
pids+=($!)
mkdir -p build/demo-pki
rm -f build/demo-pki/intel_root.pem build/demo-pki/nvidia_root.pem
./build/tmon-sim --listen 127.0.0.1:8481 --pki-dir build/demo-pki >/dev/null &
pids+=($!)
# tmon-sim writes its roots before it listens
for _ in $(seq 1 50); do
	[ -s build/demo-pki/nvidia_root.pem ] && break
	sleep 0.1
done
sleep 0.5
./build/tmond --config schedules/replay.json --db "$db" --init --listen "$listen" &
tmond=$!
pids+=("$tmond")
./build/tmond --config schedules/demo.json --db "$simdb" --init --listen "$simlisten" &
pids+=($!)
sleep 1
echo
echo "tmon dashboard, recorded real providers: http://$listen/"
echo "tmon dashboard, simulated (test PKI):    http://$simlisten/"
echo "API:                                     http://$listen/api/v1/models"
echo "(replayed responses cannot echo a fresh nonce: nonce.echo fails by design)"
wait $tmond
