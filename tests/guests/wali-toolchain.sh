# Sourced by build-libc.sh and tests/apps/build.sh: find a WALI toolchain (clang for
# wasm32-linux-muslwali + the wali-musl sysroot) and set
#   WCC   "compiler + WALI compile and link flags" for C
#   WCXX  the same for C++
# Where it comes from, first match wins:
#   1. WALI_CC (and WALI_CXX) set: with WALI_COMMON_CFLAGS/WALI_COMMON_LDFLAGS (the variables of
#      the WALI repo's toolchains/wali.sh, or of wali-env.sh) they are plain clang, else complete
#      drivers such as wali-cc/wali-c++ that add the flags themselves;
#   2. WALI_ENV=/path/to/wali-env.sh, or wali-env.sh on the PATH: sourced for those variables.
# No path of ours is hard-coded: /work/shared/wali-toolchain/install.sh DIR gives DIR/bin/wali-env.sh.
if [ -z "${WALI_CC:-}" ]; then
    env_sh=${WALI_ENV:-$(command -v wali-env.sh || true)}
    if [ -z "$env_sh" ] || [ ! -r "$env_sh" ]; then
        echo "error: no WALI toolchain: set WALI_CC (e.g. DIR/bin/wali-cc) or WALI_ENV=DIR/bin/wali-env.sh" >&2
        exit 1
    fi
    . "$env_sh"
fi
if [ -n "${WALI_COMMON_CFLAGS:-}" ]; then
    WCC="$WALI_CC $WALI_COMMON_CFLAGS ${WALI_COMMON_LDFLAGS:-}"
    WCXX="${WALI_CXX:-} ${WALI_COMMON_CXXFLAGS:-$WALI_COMMON_CFLAGS} ${WALI_COMMON_LDFLAGS:-}"
else
    WCC="$WALI_CC"
    WCXX="${WALI_CXX:-}"
fi
