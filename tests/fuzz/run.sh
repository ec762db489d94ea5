#!/bin/sh
# make fuzz: build tests/fuzz/fuzz-query and run it for FUZZ_TIME seconds
# (default 60).  With clang and its libFuzzer it is a libFuzzer target
# (ASan and UBSan too) that grows a corpus in the build folder from the
# seeds in tests/fuzz/corpus-query; without, the same file with
# -DFUZZ_STANDALONE replays the seeds and mutates them at random.
# Environment from make: top_srcdir, top_builddir, CC, FUZZ_CFLAGS,
# FUZZ_LIBS (the libraries the parser needs).
set -eu
src=$top_srcdir
out=$top_builddir/tests/fuzz
mkdir -p "$out/corpus"
time=${FUZZ_TIME:-60}
incs="-I$top_builddir -I$src/src -DHAVE_CONFIG_H -DTOP_SRCDIR=\"$src\""
# Every part of the engine the parser's callers reach (the report forms
# apart), compiled here so libFuzzer instruments them.
query_src=""
for f in parse eval plan run sort group; do
	query_src="$query_src $src/src/query/$f.c"
done
export CLERK_FORMS="$src/forms"

fuzzer=no
# FUZZ_DRIVER=standalone: the standalone driver even where clang is
# (tests/check-fuzz.sh: built with the compiler and flags of the
# libraries, a sanitizer build's too).
if [ "${FUZZ_DRIVER:-}" != standalone ] && command -v clang >/dev/null 2>&1
then
	tmp=$(mktemp -d)
	printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' \
	    >"$tmp/t.c"
	if clang -fsanitize=fuzzer "$tmp/t.c" -o "$tmp/t" 2>/dev/null; then
		fuzzer=yes
	fi
	rm -rf "$tmp"
fi

if [ $fuzzer = yes ]; then
	echo "fuzz: libFuzzer (clang), $time s"
	# shellcheck disable=SC2086
	clang -g -O1 -std=gnu17 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined $incs \
	    "$src/tests/fuzz/fuzz-query.c" $query_src $FUZZ_LIBS \
	    -o "$out/fuzz-query"
	"$out/fuzz-query" -max_total_time="$time" -max_len=512 \
	    -artifact_prefix="$out/" \
	    -dict="$src/tests/fuzz/query.dict" -print_final_stats=1 \
	    "$out/corpus" "$src/tests/fuzz/corpus-query"
else
	echo "fuzz: no libFuzzer, the standalone driver, $time s"
	# shellcheck disable=SC2086
	${CC:-cc} -g -O1 -std=gnu17 $FUZZ_CFLAGS -DFUZZ_STANDALONE $incs \
	    "$src/tests/fuzz/fuzz-query.c" $query_src $FUZZ_LIBS \
	    -o "$out/fuzz-query"
	FUZZ_TIME=$time "$out/fuzz-query" "$src"/tests/fuzz/corpus-query/*
fi
