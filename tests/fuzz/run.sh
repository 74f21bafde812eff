#!/usr/bin/env bash
# Build a fuzz target with clang's libFuzzer, ASan and UBSan, and run it for
# a bounded time.
#
#   bash tests/fuzz/run.sh [SECONDS] [TARGET]     (default 30 seconds, insn)
#
# TARGET is one of:
#   insn    the instruction decoder (tests/fuzz/fuzz_insn.c)
#   config  the configuration parser and plan checker (tests/fuzz/fuzz_config.c),
#           seeded from tests/configs/*.toml with a dictionary of its keywords
#
# Corpus: build/fuzz/corpus/TARGET (kept between runs). Log: build/fuzz/fuzz_TARGET.log.
# A crash leaves build/fuzz/crash-* for insn, build/fuzz/config-crash-* for
# config (replay: build/fuzz/fuzz_TARGET FILE).
# Prints one summary line; exits non-zero if the target crashed or failed to build.
#
# Needs clang and its libFuzzer runtime (Debian 12: packages clang and
# libclang-rt-14-dev); as root this script installs them when missing.
set -u
cd "$(dirname "$0")/../.." || exit 2

secs=${1:-30}
target=${2:-insn}
case $secs in
'' | *[!0-9]*) echo "usage: $0 [seconds] [insn|config]" >&2; exit 2 ;;
esac
out=build/fuzz
case $target in
insn)
	srcs=(tests/fuzz/fuzz_insn.c arch/x86/insn_decode.c arch/x86/insn_alu.c)
	max_len=32 build_log=$out/build.log prefix=$out/ ;;
config)
	srcs=(tests/fuzz/fuzz_config.c kernel/config.c kernel/config_plan.c kernel/format.c)
	max_len=4096 build_log=$out/build-config.log prefix=$out/config- ;;
*) echo "usage: $0 [seconds] [insn|config]" >&2; exit 2 ;;
esac
corpus=$out/corpus/$target
log=$out/fuzz_$target.log
cc=${CLANG:-clang}
mkdir -p "$corpus"

# Can clang link a -fsanitize=fuzzer program?
have_libfuzzer() {
	command -v "$cc" >/dev/null 2>&1 || return 1
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' \
		>"$out/probe.c"
	"$cc" -fsanitize=fuzzer,address,undefined "$out/probe.c" -o "$out/probe" >/dev/null 2>&1
}

if ! have_libfuzzer; then
	# The runtime (libclang_rt.fuzzer-x86_64.a) is in libclang-rt-N-dev, N = clang's major version.
	if command -v "$cc" >/dev/null 2>&1; then
		pkgs=("libclang-rt-$("$cc" -dumpversion | cut -d. -f1)-dev")
	else
		pkgs=(clang libclang-rt-dev)
	fi
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "fuzz: installing ${pkgs[*]}" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q "${pkgs[@]}" >&2 ||
			{ apt-get update -q >&2 && apt-get install -y -q "${pkgs[@]}" >&2; }
	fi
	if ! have_libfuzzer; then
		echo "fuzz: FAILED: clang's libFuzzer runtime is missing; install it with: sudo apt-get install -y ${pkgs[*]}"
		exit 2
	fi
fi

if ! "$cc" -std=gnu11 -Wall -Wextra -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I. -Iinclude "${srcs[@]}" \
	-o "$out/fuzz_$target" 2>"$build_log"; then
	cat "$build_log" >&2
	echo "fuzz: FAILED: fuzz_$target does not build"
	exit 1
fi

extra=()
if [ "$target" = config ]; then
	# Seeds: every example configuration, good and bad. Dictionary: the
	# keywords, so mutations produce keys, tables and values the parser knows.
	if [ -z "$(ls -A "$corpus")" ]; then
		cp tests/configs/*.toml "$corpus"/
	fi
	dict=$out/config.dict
	{
		for w in '[[partition]]' '[global]' ' = ' '"' "'" '[' ']' '{' '}' ', ' '#' '\n' \
			'\u00e9' '0x' '0o' '0b' '_' '-' '"2M"' '"4K"' '"1G"' 'KiB' 'MB' \
			true false name cpus memory memory_base image format entry load initrd \
			cmdline modules console emulated passthrough on_fault on_reboot weight cap \
			mem_shared size gpa log_level raw linux multiboot shared com1 com2 stop \
			restart halt-system uart rtc pit pci-host virtio-console 0000:00:1f.2 \
			'[[cpu]]' id policy dedicated cyclic slice frame windows partition vcpu start \
			length '"10ms"' '"500us"' '"2ms"' '"1s"' ns us ms; do
			printf '"%s"\n' "$(printf '%s' "$w" | sed 's/\\/\\\\/g; s/"/\\"/g')"
		done
		printf '"\\x0a"\n"\\x0d\\x0a"\n"\\x09"\n'
	} >"$dict"
	extra=(-dict="$dict")
fi

# Seeds: one instruction per family, so the fuzzer starts from valid encodings.
if [ "$target" = insn ] && [ -z "$(ls -A "$corpus")" ]; then
	i=0
	for hex in 8908 66488908 8b0578563412 4c8b84c878563412 8820 408820 c600ab \
		48c70000000080 a10010e0fe00000000 67a001020304 0fb600 480fbf08 486308 \
		f0830001 6681383412 f70000000080 f348ab f3a4 648b00 2e448820 80380f \
		8b042500100000 f38908 668b46fe; do
		i=$((i + 1))
		printf '%b' "$(printf '%s' "$hex" | sed 's/../\\x&/g')" >"$corpus/seed$i"
	done
fi

before=$(find "$corpus" -type f | wc -l)
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
	"$out/fuzz_$target" -max_total_time="$secs" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$prefix" "${extra[@]}" "$corpus" >"$log" 2>&1
rc=$?
after=$(find "$corpus" -type f | wc -l)

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
if [ "$rc" -ne 0 ]; then
	# The report from its first line (the tail is mostly the crashing input and stack).
	sed -n '/ERROR: \|runtime error: \|invariant failed/,$p' "$log" | head -n 40 >&2
	why=$(grep -m 1 -E 'invariant failed|runtime error: |SUMMARY: ' "$log" | sed 's/^==[0-9]*==//')
	artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	echo "fuzz: FAILED: fuzz_$target exited $rc after ${execs:-?} execs: ${why:-see log}; artifact ${artifact:-none}; log $log"
	exit 1
fi
echo "fuzz: ok: fuzz_$target ${execs:-?} execs in ${secs}s (${rate:-?}/s), corpus $before -> $after inputs"
