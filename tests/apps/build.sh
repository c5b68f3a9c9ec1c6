#!/bin/sh
# Builds the applications of tests/apps from their crates.io sources (never copied here):
#   lua (Lua 5.4, crate lua-src), sqlite (SQLite amalgamation, libsqlite3-sys), zstd (zstd-sys),
#   zlib (libz-sys), each linked with our own driver from drivers/.
#
#   wasm/NAME.wasm          WALI toolchain, -O2 (committed, so `cargo test` needs no toolchain)
#   $NATIVE/musl/NAME       the same clang through `zig cc -target x86_64-linux-musl`, -O2, static:
#                           the fair native baseline of the app benchmarks
#   $NATIVE/gcc/NAME        gcc and glibc, -O2: the usual native build, a second reference
#
# usage: tests/apps/build.sh [--wasm-only | --native-only] [NAME...]
#   NATIVE defaults to target/apps-native (the benchmarks look there).
# Needs: cargo (fetches the source crates), a WALI toolchain (WALI_CC or wali-env.sh, see
# tests/guests/wali-toolchain.sh), zig (ZIG, else the toolchain's zig-venv, else on the PATH), gcc.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
NATIVE=${NATIVE:-$repo/target/apps-native}
do_wasm=1
do_native=1
case "${1:-}" in
    --wasm-only) do_native=0; shift ;;
    --native-only) do_wasm=0; shift ;;
esac

if [ $do_wasm = 1 ] || [ -z "${ZIG:-}" ]; then
    . "$repo/tests/guests/wali-toolchain.sh"
fi
if [ -z "${ZIG:-}" ]; then
    # The toolchain's zig-venv: next to its sysroot (wali-env.sh), or to the wali-cc driver.
    cc_dir=$(dirname "$(command -v "${WALI_CC%% *}" 2>/dev/null || echo .)")
    if [ -n "${WALI_SYSROOT_DIR:-}" ] && [ -x "$(dirname "$WALI_SYSROOT_DIR")/zig-venv/bin/zig" ]; then
        ZIG="$(dirname "$WALI_SYSROOT_DIR")/zig-venv/bin/zig"
    elif [ -x "$cc_dir/../zig-venv/bin/zig" ]; then
        ZIG="$cc_dir/../zig-venv/bin/zig"
    else
        ZIG=zig
    fi
fi
GCC=${GCC:-gcc}

# Where cargo put each crate's sources.
manifest="$here/sources/Cargo.toml"
cargo fetch --manifest-path "$manifest" >/dev/null
crate_dir() {
    cargo metadata --format-version 1 --manifest-path "$manifest" 2>/dev/null |
        python3 -c 'import json,sys,os; m=json.load(sys.stdin); print([os.path.dirname(p["manifest_path"]) for p in m["packages"] if p["name"]==sys.argv[1]][0])' "$1"
}
LUA=$(crate_dir lua-src)/lua-5.4.9
SQLITE=$(crate_dir libsqlite3-sys)/sqlite3
ZSTD=$(crate_dir zstd-sys)/zstd/lib
ZLIB=$(crate_dir libz-sys)/src/zlib
D=$here/drivers

# Sources and flags of each application; the same for all three builds.
app_srcs() {
    case $1 in
        lua) echo "$D/lua_main.c $(ls "$LUA"/*.c | grep -v -e '/lua\.c$' -e '/luac\.c$' -e '/onelua\.c$')" ;;
        sqlite) echo "$D/sqlite_main.c $SQLITE/sqlite3.c" ;;
        zstd) echo "$D/zstd_main.c $(ls "$ZSTD"/common/*.c "$ZSTD"/compress/*.c "$ZSTD"/decompress/*.c)" ;;
        zlib) echo "$D/zlib_main.c $(for f in adler32 compress crc32 deflate infback inffast inflate inftrees trees uncompr zutil; do printf '%s ' "$ZLIB/$f.c"; done)" ;;
    esac
}
app_flags() {
    case $1 in
        lua) echo "-DLUA_USE_POSIX -I$LUA" ;;
        sqlite) echo "-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -I$SQLITE" ;;
        zstd) echo "-DZSTD_DISABLE_ASM -DZSTD_MULTITHREAD=0 -I$ZSTD -I$ZSTD/common" ;;
        zlib) echo "-I$ZLIB" ;;
    esac
}

# `all`: the four in one program (drivers/all_main.c), each driver compiled on its own with
# -Dmain=NAME_main (their static helpers share names), the libraries together. SQLite gets
# FTS5, R*Tree and the math functions here: real features, and a module of about 2 MB.
all_flags="$(for a in lua sqlite zstd zlib; do app_flags $a; done) -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_MATH_FUNCTIONS"
all_libs() { for a in lua sqlite zstd zlib; do app_srcs $a | tr ' ' '\n' | grep -v "^$D/"; done | tr '\n' ' '; }
build_all() { # CC OUT EXTRA...
    cc=$1 out=$2
    shift 2
    objs=$(mktemp -d)
    for a in lua sqlite zstd zlib; do
        $cc -O2 -g0 -w $(app_flags $a) -Dmain=${a}_main -c -o "$objs/${a}_main.o" "$D/${a}_main.c"
    done
    $cc -O2 -g0 -w $all_flags -o "$out" "$D/all_main.c" "$objs"/*.o $(all_libs) -lm "$@"
    rm -rf "$objs"
}

apps=${*:-lua sqlite zstd zlib all}
mkdir -p "$here/wasm" "$NATIVE/musl" "$NATIVE/gcc"
for app in $apps; do
    if [ "$app" = all ]; then
        if [ $do_wasm = 1 ]; then
            echo "wasm  all"
            build_all "$WCC" "$here/wasm/all.wasm" "$repo/tests/guests/libc-support/exit_on_return.c" -Wl,--wrap=__main_void
        fi
        if [ $do_native = 1 ]; then
            echo "musl  all"
            build_all "$ZIG cc -target x86_64-linux-musl -static" "$NATIVE/musl/all"
            echo "gcc   all"
            build_all "$GCC" "$NATIVE/gcc/all"
        fi
        continue
    fi
    srcs=$(app_srcs "$app")
    flags=$(app_flags "$app")
    if [ $do_wasm = 1 ]; then
        echo "wasm  $app"
        # -g0: no DWARF in the committed file; the name section stays (perf maps, backtraces).
        # exit_on_return.c: returning from main calls exit(), so stdio is flushed as natively.
        $WCC -O2 -g0 -w $flags -o "$here/wasm/$app.wasm" $srcs -lm \
            "$repo/tests/guests/libc-support/exit_on_return.c" -Wl,--wrap=__main_void
    fi
    if [ $do_native = 1 ]; then
        echo "musl  $app"
        "$ZIG" cc -target x86_64-linux-musl -O2 -g0 -w -static $flags -o "$NATIVE/musl/$app" $srcs -lm
        echo "gcc   $app"
        $GCC -O2 -w $flags -o "$NATIVE/gcc/$app" $srcs -lm
    fi
done
