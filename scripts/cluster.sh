#!/usr/bin/env bash
# Several app servers on one database (README 部署): gunicorn on each port of SSJ_CLUSTER_PORTS, huey job
# consumers on Redis, all against the one PostgreSQL of SSJ_DB_* and sharing SSJ_SECRET_KEY (sessions live in the
# database, so a login on one server is valid on every server).
#
#   scripts/cluster.sh start     migrate, then start the servers and consumers; returns once every server answers
#   scripts/cluster.sh stop      stop what `start` started (pid files in $SSJ_CLUSTER_DIR)
#   scripts/cluster.sh status
#
# Environment (defaults in brackets):
#   SSJ_CLUSTER_PORTS      ports of the gunicorn servers ["8001 8002"]
#   SSJ_CLUSTER_WORKERS    gunicorn processes per server [2], SSJ_CLUSTER_THREADS threads per process [4]
#   SSJ_CLUSTER_CONSUMERS  huey consumers [1]; more (one beside each server) is safe: periodic jobs run once
#   SSJ_CLUSTER_DIR        pid and log files [var/cluster]
#   SSJ_CLUSTER_MIGRATE    run migrations first [1]
#   SSJ_DB_ENGINE must be postgresql; SSJ_REDIS_URL [redis://127.0.0.1:6379/0]; SSJ_SECRET_KEY [one generated
#   once and kept in $SSJ_CLUSTER_DIR/secret_key]; every other SSJ_* variable is passed on unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SSJ_CLUSTER_BIN:-.venv/bin}
DIR=${SSJ_CLUSTER_DIR:-var/cluster}
PORTS=${SSJ_CLUSTER_PORTS:-8001 8002}
WORKERS=${SSJ_CLUSTER_WORKERS:-2}
THREADS=${SSJ_CLUSTER_THREADS:-4}
CONSUMERS=${SSJ_CLUSTER_CONSUMERS:-1}
mkdir -p "$DIR"

stop() {
  # TERM to every process first, then wait for all of them together (at most 10 s), then KILL what is left
  local pidfile pid pids=()
  for pidfile in "$DIR"/*.pid; do
    [ -e "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; pids+=("$pid"); fi
    rm -f "$pidfile"
  done
  [ "${#pids[@]}" -eq 0 ] && return 0
  for _ in $(seq 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}

status() {
  local pidfile running=0
  for pidfile in "$DIR"/*.pid; do
    [ -e "$pidfile" ] || continue
    if kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "$(basename "$pidfile" .pid): 运行中 (pid $(cat "$pidfile"))"; running=1
    else
      echo "$(basename "$pidfile" .pid): 已停止"
    fi
  done
  [ "$running" = 1 ]
}

start() {
  if [ "${SSJ_DB_ENGINE:-sqlite}" != "postgresql" ]; then
    echo "多台应用服务器须共用一个 PostgreSQL 数据库：请设置 SSJ_DB_ENGINE=postgresql 及 SSJ_DB_*（见 README 部署）" >&2
    exit 2
  fi
  export SSJ_REDIS_URL=${SSJ_REDIS_URL:-redis://127.0.0.1:6379/0}
  if [ -z "${SSJ_SECRET_KEY:-}" ]; then
    # every server must sign sessions and CSRF tokens with the same key
    [ -s "$DIR/secret_key" ] || "$BIN/python" -c "import secrets; print(secrets.token_urlsafe(50))" > "$DIR/secret_key"
    SSJ_SECRET_KEY=$(cat "$DIR/secret_key")
    export SSJ_SECRET_KEY
  fi
  stop
  if [ "${SSJ_CLUSTER_MIGRATE:-1}" = "1" ]; then
    "$BIN/python" -m shuangsuiji.manage migrate --noinput >"$DIR/migrate.log" 2>&1 || { cat "$DIR/migrate.log" >&2; exit 1; }
  fi
  local port n
  for port in $PORTS; do
    "$BIN/gunicorn" shuangsuiji.wsgi -w "$WORKERS" --threads "$THREADS" -b "127.0.0.1:$port" --graceful-timeout 5 \
      --pid "$DIR/server-$port.pid" --error-logfile "$DIR/server-$port.log" --log-level warning --daemon
  done
  for n in $(seq "$CONSUMERS"); do
    nohup "$BIN/python" -m shuangsuiji.manage run_huey >"$DIR/huey-$n.log" 2>&1 &
    echo $! > "$DIR/huey-$n.pid"
  done
  for port in $PORTS; do
    if ! "$BIN/python" - "$port" <<'EOF'
import sys, time, urllib.request
deadline = time.time() + 60
while True:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/gs/", timeout=5).read()
        break
    except OSError:
        if time.time() > deadline:
            sys.exit(1)
        time.sleep(0.2)
EOF
    then
      echo "服务器 127.0.0.1:$port 没有启动，日志：$DIR/server-$port.log" >&2; cat "$DIR/server-$port.log" >&2; stop; exit 1
    fi
    echo "应用服务器 http://127.0.0.1:$port/ 已启动"
  done
  echo "huey 任务进程 $CONSUMERS 个已启动（Redis：$SSJ_REDIS_URL）；停止：scripts/cluster.sh stop"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "用法：scripts/cluster.sh start|stop|status" >&2; exit 2 ;;
esac
