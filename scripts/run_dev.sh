#!/usr/bin/env bash
# `make run`: the site, its time-driven jobs and, without a WeChat app, a local WeChat
# stand-in, all stopped together when the site stops (Ctrl-C).
#
# Usage: scripts/run_dev.sh PYTHON HOST   (the Makefile passes the venv's python and HOST)
set -euo pipefail
python=$1
host=$2
export DEBUG=${DEBUG:-true}
pids=()

cleanup() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

debug=$(printf '%s' "$DEBUG" | tr '[:upper:]' '[:lower:]')
if [ -z "${WECHAT_APPID:-}" ] && [[ "$debug" =~ ^(1|true|yes|on)$ ]]; then
    port=${WECHAT_STANDIN_PORT:-8765}
    export WECHAT_API_BASE="http://127.0.0.1:$port"
    export WECHAT_APPID=wx-standin-appid WECHAT_SECRET=standin-secret-not-for-production
    "$python" manage.py wechat_standin --port "$port" &
    pids+=("$!")
    echo "WeChat stand-in on $WECHAT_API_BASE; play the mini-program at http://$host/dev/mini-program/"
fi

"$python" manage.py run_jobs --loop --interval 30 &
pids+=("$!")

# Not exec: the traps above must run when the site stops.
"$python" manage.py runserver "$host"
