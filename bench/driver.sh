# Sourced by the bench scripts: builds the reference server (the pinned
# temporal CLI) and the load driver (bench/load, into build/bench-load), and
# sets `drive` to the command that runs the driver — pinned to core 0 on a
# machine with two or more cores (the driver pins each server to core 1).
bash "$root/tests/cli/build.sh"
(cd "$root/bench/load" && go build -o "$root/build/bench-load" .)
drive=("$root/build/bench-load")
if [ "$(nproc --all)" -ge 2 ] && command -v taskset >/dev/null; then
  drive=(taskset -c 0 "$root/build/bench-load")
fi
