#!/bin/sh
# Runs a broker JVM so that it cannot outlive the Node process that started it.
#
#   guard.sh <dir> <command> [args...]      (fd 3: the lifeline pipe from Node)
#
# broker.ts spawns this with fd 3 a pipe whose only writer is the Node process. The script forks
# a watcher that reads that pipe, then execs <command> in its own place, so the JVM keeps this
# pid and Node signals and reaps the JVM directly. When the pipe reaches EOF (Node closed it at
# the end of stop(), or Node died, even by SIGKILL), the watcher sends SIGTERM to the JVM if it
# still runs, waits up to 15 s, sends SIGKILL, and removes <dir>. The JVM's output goes to
# <dir>/broker.log. (Not stdin: Node closes a child's stdin as soon as the child exits, which
# would remove the log before Node could show why a broker died.)
set -u

dir=$1
shift
case $dir in
  */specgate-kafka-*) ;;
  *)
    echo "guard.sh: refusing to manage '$dir' (not a specgate-kafka temp dir)" >&2
    exit 2
    ;;
esac

if ! { true <&3; } 2>/dev/null; then
  echo "guard.sh: fd 3 (the lifeline pipe) is not open" >&2
  exit 2
fi

jvm=$$

# Only the watcher keeps the lifeline; the JVM gets neither it nor a stdin.
exec </dev/null

# The JVM is "ours" while its command line names our dir; this guards against a reused pid.
is_ours() {
  kill -0 "$jvm" 2>/dev/null || return 1
  [ -r "/proc/$jvm/cmdline" ] || return 0
  tr '\0' ' ' <"/proc/$jvm/cmdline" | grep -qF -- "$dir" || return 1
  # A zombie (dead, not yet reaped by its new parent) holds no port; treat it as gone.
  state=$(sed 's/.*) //' "/proc/$jvm/stat" 2>/dev/null | cut -c1)
  [ "$state" != Z ]
}

(
  trap '' INT HUP TERM
  cat <&3 >/dev/null 2>&1
  if is_ours; then
    kill -TERM "$jvm" 2>/dev/null
    waited=0
    while is_ours && [ "$waited" -lt 150 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if is_ours; then
      kill -KILL "$jvm" 2>/dev/null
      sleep 0.2
    fi
  fi
  rm -rf -- "$dir"
) &

exec "$@" 3<&- >>"$dir/broker.log" 2>&1
