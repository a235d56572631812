#!/bin/bash
# The terminal UI opened on every case of the bad-input corpus in tmux and
# quit: a model that loads shows its first frame within 10 seconds and `q`
# ends it with exit 0 (1 for --max-memory 16 cases: none here); a model that
# cannot be loaded ends by itself with exit 2 and its one-line error. Either
# way the shell reads lines again. Exit 77 (skipped) without tmux.
#   tui_corpus.sh ONNXSCOPE MAKE_BAD_INPUTS [CASE_GLOB]
set -u
command -v tmux >/dev/null 2>&1 || { echo "tmux is not installed: skipped (make test installs it)"; exit 77; }
BIN=$(realpath "$1")
GEN=$(realpath "$2")
WORK=$(mktemp -d)
SOCK="$WORK/tmux.sock"
T() { tmux -S "$SOCK" "$@"; }
cleanup() { T kill-server >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
"$GEN" "$WORK/corpus" || { echo "cannot generate the corpus"; exit 1; }

screen() { T capture-pane -p -t t; }
FAILED=0
fail() {
  echo "FAIL: $*"
  echo "--- screen:"
  screen
  FAILED=$((FAILED + 1))
}
keys() { T send-keys -t t "$@"; }
# wait_for TEXT TENTHS: until the screen shows TEXT; 1 when it never does.
wait_for() {
  for _ in $(seq 1 "$2"); do
    screen | grep -qF -- "$1" && return 0
    sleep 0.1
  done
  return 1
}

T -f /dev/null new-session -d -s t -x 100 -y 30 \
  "env -u NO_COLOR -u TMUX TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 PS1='$ ' bash --norc --noprofile"
T set-option -g window-size manual >/dev/null
T set-option -g status off >/dev/null
keys "cd '$WORK/corpus'" Enter

CAP="ulimit -v 2097152"
if grep -aqm1 __asan_init "$BIN"; then
  CAP="export ASAN_OPTIONS=\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}max_allocation_size_mb=2048:allocator_may_return_null=1"
fi
N=0
ONLY=${3:-*}
for dir in "$WORK"/corpus/$ONLY/; do
  name=$(basename "$dir")
  model=$(ls "$dir" | grep -m1 '^model\.onnx') || model=model.onnx
  [ -e "$dir/model.onnxtxt" ] && model=model.onnxtxt
  N=$((N + 1))
  keys "clear" Enter
  sleep 0.1
  start=$(date +%s)
  # ulimit -v: the same address-space cap as commands_test.cc (2 GiB); a
  # sanitized build cannot start under it, and gets the sanitizer's cap on
  # an allocation instead (as commands_test.cc does).
  # (The marker is quoted in two words, so the typed line never matches it.)
  keys "($CAP; '$BIN' '$name/$model'); echo \"done-$N\" \"exit=\$?\"" Enter
  # Ends by itself (a load error) or shows the frame's node list.
  for _ in $(seq 1 100); do
    s=$(screen)
    echo "$s" | grep -qF "done-$N exit=" && break
    echo "$s" | grep -qE "Nodes [0-9]+/[0-9]+" && break
    sleep 0.1
  done
  if screen | grep -qF "done-$N exit="; then
    screen | grep -qF "done-$N exit=2" || fail "$name: ended by itself, but not with exit 2"
    screen | grep -qF "error[" || fail "$name: ended without its error"
  elif screen | grep -qE "Nodes [0-9]+/[0-9]+"; then
    keys q
    wait_for "done-$N exit=0" 50 || fail "$name: q did not end it with exit 0"
  else
    fail "$name: neither a frame nor an error within 10 seconds"
    keys q
    wait_for "done-$N exit=" 50 || { keys C-c; wait_for "done-$N exit=" 50; }
  fi
  took=$(($(date +%s) - start))
  [ "$took" -le 15 ] || fail "$name: took ${took}s"
  # The terminal is usable again: canonical mode and echo.
  # (The shell computes the marker, so the typed line never matches it.)
  keys "clear; stty -a | tr ' ' '\n' | grep -x -e icanon -e echo | tr '\n' ' '; echo; echo alive-\$((1000+$N))" Enter
  wait_for "alive-$((1000 + N))" 50 || fail "$name: the shell does not answer"
  screen | grep -q "icanon echo" || fail "$name: terminal modes not restored"
done
echo "$N cases opened and quit, $FAILED failed"
[ "$ONLY" != "*" ] || [ "$N" -ge 70 ] || { echo "FAIL: only $N cases"; exit 1; }
[ "$FAILED" -eq 0 ]
