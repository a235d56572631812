#!/bin/bash
# End-to-end test of the terminal UI: drives the real binary in tmux
# (new-session, send-keys, capture-pane) at 80x24 and wider, and checks that
# the shell is usable afterwards. Exit 77 (skipped) without tmux.
#   tmux_e2e.sh ONNXSCOPE MAKE_TUI_FIXTURES SOURCE_DIR
set -u
command -v tmux >/dev/null 2>&1 || { echo "tmux is not installed: skipped (make test installs it)"; exit 77; }
BIN=$1
GEN=$2
SRC=$3
WORK=$(mktemp -d)
SOCK="$WORK/tmux.sock"
T() { tmux -S "$SOCK" "$@"; }
cleanup() { T kill-server >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
"$GEN" "$WORK" || { echo "cannot generate the fixtures"; exit 1; }
DEMO="$SRC/share/demo/broken_export.onnx"

screen() { T capture-pane -p -t t; }
fail() {
  echo "FAIL: $*"
  echo "--- screen:"
  screen
  exit 1
}
# wait_for TEXT [TENTHS]: until the screen shows TEXT.
wait_for() {
  local n=${2:-80}
  for _ in $(seq 1 "$n"); do
    screen | grep -qF -- "$1" && return 0
    sleep 0.1
  done
  fail "waited for '$1'"
}
wait_gone() {
  for _ in $(seq 1 80); do
    screen | grep -qF -- "$1" || return 0
    sleep 0.1
  done
  fail "'$1' stayed on the screen"
}
keys() { T send-keys -t t "$@"; }
CHECKS=0
shell_ok() {
  # The shell reads lines again, echoes, and runs commands.
  CHECKS=$((CHECKS + 1))
  keys "clear; stty -a | tr ' ' '\n' | grep -x -e icanon -e echo | tr '\n' ' '; echo; echo alive-\$((1000+$CHECKS))" Enter
  wait_for "alive-$((1000 + CHECKS))"
  screen | grep -q "icanon echo" || fail "terminal modes not restored (want icanon and echo)"
}

T -f /dev/null new-session -d -s t -x 80 -y 24 \
  "env -u NO_COLOR -u TMUX TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 PS1='$ ' bash --norc --noprofile"
T set-option -g window-size manual >/dev/null
T set-option -g status off >/dev/null
keys "cd '$WORK'" Enter

echo "open at 80x24: the failure is on the first frame"
keys "'$BIN' '$DEMO'" Enter
wait_for "LOAD-ERROR"
wait_for "dtype-mismatch"
screen | grep -q "✗ /Sub" || fail "the first error's node is not marked"

echo "move"
keys j
wait_for "Nodes 2/9"
keys k
wait_for "Nodes 1/9"

echo "search"
keys / G e m m
wait_for "Nodes 9/9"
keys Enter
wait_for "1 match"

echo "jump to the next error"
keys e
wait_for "Node /Div"
wait_for "error 2/7"

echo "help"
keys '?'
wait_for "Keys (any other key closes this)"
wait_for "next finding (errors)"
keys Escape
wait_gone "Keys (any other key closes this)"

echo "resize to 120x40 and back"
T resize-window -t t -x 120 -y 40
wait_for "Diagnostics 7"
T resize-window -t t -x 80 -y 24
wait_gone "Diagnostics 7"

echo "export"
keys x
wait_for "export Markdown to:"
for _ in $(seq 1 30); do keys BSpace; done
keys "$WORK/report.md" Enter
wait_for "wrote"
head -1 "$WORK/report.md" | grep -q "^# onnxscope report: broken" || fail "report.md is not the issue report"
grep -q "^### 1. error \`dtype-mismatch\` at \`/Sub\`" "$WORK/report.md" || fail "the report lacks the first finding"
grep -q "onnxscope check .*broken_export.onnx -t 1.30" "$WORK/report.md" || fail "the report lacks the command that reproduces it"

echo "quit, and the shell works"
keys q
wait_for "$ "
shell_ok

echo "export with the sizes bound: the report and the repro of the failure"
keys "'$BIN' '$DEMO' --bind batch=2" Enter
wait_for "LOAD-ERROR"
keys x
wait_for "export Markdown to:"
for _ in $(seq 1 30); do keys BSpace; done
keys "$WORK/bound.md" Enter
wait_for "repro of /Sub"
[ -s "$WORK/bound-repro/model.onnx" ] || fail "the export wrote no repro model"
[ -s "$WORK/bound.md" ] || fail "the export wrote no report"
keys q
shell_ok

echo "Ctrl-Z suspends, fg resumes"
keys "'$BIN' '$DEMO'" Enter
wait_for "LOAD-ERROR"
keys C-z
wait_for "Stopped"
keys "fg" Enter
wait_for "LOAD-ERROR"
keys q
shell_ok

echo "SIGTERM restores the terminal"
keys "'$BIN' '$DEMO'" Enter
wait_for "LOAD-ERROR"
SHELL_PID=$(T display-message -p -t t '#{pane_pid}')
UI_PID=$(pgrep -P "$SHELL_PID" -x onnxscope)
[ -n "$UI_PID" ] || fail "no onnxscope process under the shell"
kill -TERM "$UI_PID"
shell_ok

echo "Ctrl-C restores the terminal"
keys "'$BIN' '$DEMO'" Enter
wait_for "LOAD-ERROR"
keys C-c
shell_ok

echo "NO_COLOR and LANG=C: ASCII frames"
keys "NO_COLOR=1 LANG=C LC_ALL=C '$BIN' '$DEMO'" Enter
wait_for "LOAD-ERROR"
screen | grep -q "│" && fail "box-drawing characters without UTF-8"
screen | grep -q "X /Sub" || fail "the ASCII error mark is missing"
keys q
shell_ok

echo "hostile names draw without disturbing the terminal"
keys "'$BIN' '$WORK/hostile.onnx'" Enter
wait_for "onnxscope"
wait_for "Nodes 1/4"
screen | head -1 | grep -q "onnxscope" || fail "the title line was overwritten"
keys G
wait_for "Nodes 4/4"
keys Tab j j q
shell_ok

echo "a trial run: r fails at the dtype mismatch; a long one shows progress and Esc stops it"
keys "'$BIN' '$DEMO' --bind batch=2" Enter
wait_for "LOAD-ERROR"
keys r
wait_for "trial run failed at 0/9 nodes"
keys q
shell_ok
cat >"$WORK/long.onnxtxt" <<'MODEL'
<ir_version: 8, opset_import: ["" : 17]>
g (float[1] x) => (float[1] sum) {
  n = Constant <value = int64 {900000}> ()
  go = Constant <value = bool {1}> ()
  sum = Loop(n, go, x) <body = b (int64 i, bool c, float[1] acc) => (bool co, float[1] next) {
    co = Identity(c)
    next = Add(acc, acc)
  }>
}
MODEL
keys "NO_COLOR=1 LANG=C LC_ALL=C '$BIN' '$WORK/long.onnxtxt'" Enter
wait_for "Nodes 1/3"
keys r
wait_for "running 2/3 Loop"
wait_for "body nodes"
keys Escape
wait_for "trial run stopped (Esc) before @Loop_2"
keys q
shell_ok

echo "--input describes feeds as check does: a baked batch fails in a run, the symbols view says what is fed"
BAKED="$SRC/tests/fixtures/torch/baked_batch.onnx"
keys "NO_COLOR=1 LANG=C LC_ALL=C '$BIN' '$BAKED' --input 'x=float32[4,4,6]'" Enter
wait_for "RUN-ERROR"
wait_for "matmul-inner"
keys 4
wait_for "Feeds described (--input)"
wait_for "x=float32[4,4,6]"
screen | grep -q "batch *= 4  (fed)" || fail "the symbol the feed binds is not shown as fed"
keys q
shell_ok
keys "NO_COLOR=1 LANG=C LC_ALL=C '$BIN' '$BAKED' --input 'x=int32[4,4,6]'" Enter
wait_for "RUN-ERROR"
keys 2
wait_for "feed-dtype"
wait_for 'onnxruntime: "Unexpected input data'
keys q
shell_ok

echo "not a terminal: check's report and its status"
keys "'$BIN' '$DEMO' | head -3; echo status=\${PIPESTATUS[0]}" Enter
wait_for "status=1"
screen | grep -q "Verdict load-error" || fail "no check report when piped"

echo "all end-to-end checks passed"
