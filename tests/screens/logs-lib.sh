# SPDX-License-Identifier: MIT
# tests/screens/logs-lib.sh - the logs pane's screen tests: console-lib.sh plus the Loki double
# (sim/lokisim.py) on loopback, on the console's injected clock.
#
#   . "${top_srcdir:-.}/tests/screens/logs-lib.sh"
#   logs_sim_start [lokisim options]   the seed platform and the Loki double; $LOKI_URL
#   console_run --loki "$LOKI_URL"

. "${top_srcdir:-.}/tests/screens/console-lib.sh"

logs_loki_pid=

logs_cleanup() {
    if [ -n "$logs_loki_pid" ]; then
        kill "$logs_loki_pid" 2>/dev/null
        wait "$logs_loki_pid" 2>/dev/null
        logs_loki_pid=
    fi
    console_cleanup
}
trap 'logs_cleanup' EXIT
trap 'logs_cleanup; trap - EXIT; exit 129' HUP
trap 'logs_cleanup; trap - EXIT; exit 130' INT
trap 'logs_cleanup; trap - EXIT; exit 143' TERM

# logs_sim_start [lokisim options]: the API sim, then lokisim on a free port (its port file
# polled for at most 10 s).
logs_sim_start() {
    console_sim_start
    _pf=$screen_tmp/loki.port
    "${PYTHON3:-python3}" "${top_srcdir:-.}/sim/lokisim.py" --port-file "$_pf" \
        --clock "$OPSDECK_CLOCK" "$@" >"$screen_tmp/lokisim.log" 2>&1 &
    logs_loki_pid=$!
    _i=0
    while [ ! -s "$_pf" ] && [ $_i -lt 200 ]; do
        kill -0 "$logs_loki_pid" 2>/dev/null || break
        sleep 0.05
        _i=$((_i + 1))
    done
    [ -s "$_pf" ] || { cat "$screen_tmp/lokisim.log" >&2; bail "the Loki double did not start"; }
    LOKI_URL=http://127.0.0.1:$(cat "$_pf")
}
