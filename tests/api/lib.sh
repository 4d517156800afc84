# Helpers for tests/api: starting and stopping servers on loopback.
# Needs MAGNET_BIN and WORK (set by tests/api/run.sh); a server's log is
# $WORK/NAME.log, its pid $WORK/NAME.pid, its port $WORK/NAME.port.

# start_server NAME [magnet serve options...]: start on 127.0.0.1, any
# free port; returns once it listens (or 1 after 60 s, or if it exited).
start_server() {
    local name=$1 i pid
    shift
    rm -f "$WORK/$name.port"
    "$MAGNET_BIN" serve --listen 127.0.0.1:0 --port-file "$WORK/$name.port" "$@" \
        >>"$WORK/$name.log" 2>&1 &
    pid=$!
    echo "$pid" >"$WORK/$name.pid"
    for i in $(seq 600); do
        [ -s "$WORK/$name.port" ] && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

server_port() { cat "$WORK/$1.port"; }
server_pid() { cat "$WORK/$1.pid"; }
server_alive() { [ -f "$WORK/$1.pid" ] && kill -0 "$(cat "$WORK/$1.pid")" 2>/dev/null; }

# stop_server NAME [SIGNAL]: send the signal (TERM), wait up to 60 s for the
# exit and return its status (124 when it did not stop).
stop_server() {
    local pid i
    pid=$(cat "$WORK/$1.pid" 2>/dev/null) || return 0
    kill -"${2:-TERM}" "$pid" 2>/dev/null
    for i in $(seq 600); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        return 124
    fi
    wait "$pid" 2>/dev/null
    local rc=$?
    rm -f "$WORK/$1.pid"
    return $rc
}

stop_all_servers() {
    local f
    for f in "$WORK"/*.pid; do
        [ -f "$f" ] || continue
        stop_server "$(basename "$f" .pid)"
    done
}
