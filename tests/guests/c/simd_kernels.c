/* SIMD kernels: built for Wasm with -msimd128 -O2, natively with gcc -O2.
 *
 * Part 1 is plain C that clang auto-vectorises for Wasm (integer and float element-wise loops,
 * integer reductions, saturating byte arithmetic, min/max, conversions). Part 2 uses
 * wasm_simd128.h intrinsics in the Wasm build and a scalar statement of each intrinsic's
 * semantics natively, so the native run is the specification the Wasm run must match: swizzle
 * with out-of-range indices, shuffles, saturating narrow, q15 multiply, dot product, bitmask,
 * pmin/pmax, lane-wise NaN-propagating min/max, trunc_sat, extended multiplies, lane loads.
 * Every result is printed as an integer checksum (floats by their bits).
 */
#include "wali_test.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

/* sqrt as one instruction natively too: there is no libm to link for the errno path. */
#if defined(__x86_64__)
static inline float sqrt_f(float x) {
    float r;
    __asm__("sqrtss %1, %0" : "=x"(r) : "x"(x));
    return r;
}
#elif defined(__aarch64__)
static inline float sqrt_f(float x) {
    float r;
    __asm__("fsqrt %s0, %s1" : "=w"(r) : "w"(x));
    return r;
}
#else
#define sqrt_f __builtin_sqrtf
#endif

typedef unsigned char u8;
typedef signed char i8;
typedef unsigned short u16;
typedef short i16;
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;

#define N 1024

static u8 ba[N], bb[N], bc[N];
static i16 ha[N], hb[N];
static i32 ia[N], ib[N], ic[N];
static float fa[N], fb[N], fc[N];
static double da[N], db[N], dc[N];

static u32 seed = 12345;
static u32 rnd(void) {
    seed = seed * 1103515245u + 12345u;
    return seed >> 7;
}

static u32 fbits(float f) {
    u32 u;
    __builtin_memcpy(&u, &f, 4);
    return u;
}
static u64 dbits(double d) {
    u64 u;
    __builtin_memcpy(&u, &d, 8);
    return u;
}

/* FNV-1a over bytes: one number per array. */
static u64 hash(const void *p, int n) {
    const u8 *b = (const u8 *)p;
    u64 h = 1469598103934665603ull;
    for (int i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    return h;
}
#define SAYHASH(label, arr) say(label, (long long)(hash(arr, sizeof(arr)) >> 1))

static void fill(void) {
    for (int i = 0; i < N; i++) {
        ba[i] = (u8)rnd();
        bb[i] = (u8)rnd();
        ha[i] = (i16)rnd();
        hb[i] = (i16)rnd();
        ia[i] = (i32)rnd() - (1 << 24);
        ib[i] = (i32)(rnd() % 1000) - 500;
        fa[i] = (float)((i32)(rnd() % 20001) - 10000) / 64.0f;
        fb[i] = (float)((i32)(rnd() % 2001) - 1000) / 16.0f;
        da[i] = (double)((i32)(rnd() % 200001) - 100000) / 128.0;
        db[i] = (double)((i32)(rnd() % 2001) - 1000) / 32.0;
    }
}

/* ---- part 1: auto-vectorised loops ---------------------------------------------------- */

__attribute__((noinline)) static void auto_int(void) {
    for (int i = 0; i < N; i++) ic[i] = ia[i] * ib[i] + (ia[i] >> 3) - (ib[i] << 2);
    SAYHASH("auto_i32_madd", ic);
    i64 sum = 0;
    for (int i = 0; i < N; i++) sum += (i64)ia[i] * ib[i];
    SAY(sum);
    u32 xs = 0;
    for (int i = 0; i < N; i++) xs += (u32)ba[i] * bb[i];
    SAY(xs);
    for (int i = 0; i < N; i++) {
        int s = ba[i] + bb[i];
        bc[i] = s > 255 ? 255 : (u8)s;
    }
    SAYHASH("auto_u8_addsat", bc);
    for (int i = 0; i < N; i++) bc[i] = (u8)((ba[i] + bb[i] + 1) >> 1);
    SAYHASH("auto_u8_avgr", bc);
    i32 mx = -2147483647 - 1, mn = 2147483647;
    for (int i = 0; i < N; i++) {
        mx = ia[i] > mx ? ia[i] : mx;
        mn = ia[i] < mn ? ia[i] : mn;
    }
    SAY(mx);
    SAY(mn);
    int count = 0;
    for (int i = 0; i < N; i++) count += ha[i] > hb[i];
    SAY(count);
    for (int i = 0; i < N; i++) ic[i] = (i32)ha[i] * hb[i];
    SAYHASH("auto_i16_widen_mul", ic);
    for (int i = 0; i < N; i++) ic[i] = ia[i] < 0 ? -ia[i] : ia[i];
    SAYHASH("auto_i32_abs", ic);
}

__attribute__((noinline)) static void auto_float(void) {
    for (int i = 0; i < N; i++) fc[i] = fa[i] * fb[i] + fa[i] / 3.0f - fb[i];
    SAYHASH("auto_f32_arith", fc);
    for (int i = 0; i < N; i++) dc[i] = da[i] * db[i] - da[i] / 7.0;
    SAYHASH("auto_f64_arith", dc);
    for (int i = 0; i < N; i++) ic[i] = (i32)fa[i];
    SAYHASH("auto_f32_to_i32", ic);
    for (int i = 0; i < N; i++) fc[i] = (float)ia[i];
    SAYHASH("auto_i32_to_f32", fc);
    for (int i = 0; i < N; i++) fc[i] = sqrt_f(fa[i] < 0 ? -fa[i] : fa[i]);
    SAYHASH("auto_f32_sqrt_abs", fc);
    for (int i = 0; i < N; i++) dc[i] = __builtin_floor(da[i]) + __builtin_ceil(db[i]);
    SAYHASH("auto_f64_floor_ceil", dc);
    /* matrix multiply, 32x32 floats */
    static float m1[32][32], m2[32][32], m3[32][32];
    for (int i = 0; i < 32; i++)
        for (int j = 0; j < 32; j++) {
            m1[i][j] = fa[i * 32 + j];
            m2[i][j] = fb[i * 32 + j];
            m3[i][j] = 0;
        }
    for (int i = 0; i < 32; i++)
        for (int k = 0; k < 32; k++)
            for (int j = 0; j < 32; j++) m3[i][j] += m1[i][k] * m2[k][j];
    SAYHASH("auto_f32_matmul", m3);
}

/* ---- part 2: intrinsics, each with its scalar meaning -------------------------------- */

typedef struct {
    u8 b[16];
} v16;

static v16 load16(const void *p) {
    v16 v;
    __builtin_memcpy(v.b, p, 16);
    return v;
}

static u64 vhash(v16 v) { return hash(v.b, 16) >> 1; }

#ifdef __wasm_simd128__
static v16 from(v128_t x) {
    v16 v;
    wasm_v128_store(v.b, x);
    return v;
}
static v128_t to(v16 v) { return wasm_v128_load(v.b); }
#endif

static v16 swizzle(v16 a, v16 s) {
#ifdef __wasm_simd128__
    return from(wasm_i8x16_swizzle(to(a), to(s)));
#else
    v16 r;
    for (int i = 0; i < 16; i++) r.b[i] = s.b[i] < 16 ? a.b[s.b[i]] : 0;
    return r;
#endif
}

static v16 shuffle(v16 a, v16 b) {
#ifdef __wasm_simd128__
    return from(wasm_i8x16_shuffle(to(a), to(b), 0, 17, 2, 19, 31, 30, 7, 6, 8, 8, 8, 8, 16, 3, 25, 13));
#else
    static const u8 idx[16] = {0, 17, 2, 19, 31, 30, 7, 6, 8, 8, 8, 8, 16, 3, 25, 13};
    v16 r;
    for (int i = 0; i < 16; i++) r.b[i] = idx[i] < 16 ? a.b[idx[i]] : b.b[idx[i] - 16];
    return r;
#endif
}

static i16 lane16(v16 v, int i) {
    i16 x;
    __builtin_memcpy(&x, v.b + 2 * i, 2);
    return x;
}
static i32 lane32(v16 v, int i) {
    i32 x;
    __builtin_memcpy(&x, v.b + 4 * i, 4);
    return x;
}
static float lanef(v16 v, int i) {
    float x;
    __builtin_memcpy(&x, v.b + 4 * i, 4);
    return x;
}
static void set16(v16 *v, int i, i16 x) { __builtin_memcpy(v->b + 2 * i, &x, 2); }
static void set32(v16 *v, int i, i32 x) { __builtin_memcpy(v->b + 4 * i, &x, 4); }
static void setf(v16 *v, int i, float x) { __builtin_memcpy(v->b + 4 * i, &x, 4); }

static v16 narrow_s(v16 a, v16 b) {
#ifdef __wasm_simd128__
    return from(wasm_i8x16_narrow_i16x8(to(a), to(b)));
#else
    v16 r;
    for (int i = 0; i < 16; i++) {
        int x = i < 8 ? lane16(a, i) : lane16(b, i - 8);
        r.b[i] = (u8)(i8)(x > 127 ? 127 : x < -128 ? -128 : x);
    }
    return r;
#endif
}

static v16 narrow_u(v16 a, v16 b) {
#ifdef __wasm_simd128__
    return from(wasm_u8x16_narrow_i16x8(to(a), to(b)));
#else
    v16 r;
    for (int i = 0; i < 16; i++) {
        int x = i < 8 ? lane16(a, i) : lane16(b, i - 8);
        r.b[i] = (u8)(x > 255 ? 255 : x < 0 ? 0 : x);
    }
    return r;
#endif
}

static v16 q15mulr(v16 a, v16 b) {
#ifdef __wasm_simd128__
    return from(wasm_i16x8_q15mulr_sat(to(a), to(b)));
#else
    v16 r;
    for (int i = 0; i < 8; i++) {
        i32 p = ((i32)lane16(a, i) * lane16(b, i) + 0x4000) >> 15;
        set16(&r, i, (i16)(p > 32767 ? 32767 : p));
    }
    return r;
#endif
}

static v16 dot(v16 a, v16 b) {
#ifdef __wasm_simd128__
    return from(wasm_i32x4_dot_i16x8(to(a), to(b)));
#else
    v16 r;
    for (int i = 0; i < 4; i++) {
        u32 s = (u32)((i32)lane16(a, 2 * i) * lane16(b, 2 * i)) + (u32)((i32)lane16(a, 2 * i + 1) * lane16(b, 2 * i + 1));
        set32(&r, i, (i32)s);
    }
    return r;
#endif
}

static int bitmask(v16 a) {
#ifdef __wasm_simd128__
    return wasm_i8x16_bitmask(to(a));
#else
    int m = 0;
    for (int i = 0; i < 16; i++) m |= (a.b[i] >> 7) << i;
    return m;
#endif
}

static int isnan_f(float x) { return x != x; }

static v16 fminmax(v16 a, v16 b, int max, int pseudo) {
#ifdef __wasm_simd128__
    v128_t x = to(a), y = to(b);
    if (pseudo) return from(max ? wasm_f32x4_pmax(x, y) : wasm_f32x4_pmin(x, y));
    return from(max ? wasm_f32x4_max(x, y) : wasm_f32x4_min(x, y));
#else
    v16 r;
    for (int i = 0; i < 4; i++) {
        float x = lanef(a, i), y = lanef(b, i), z;
        if (pseudo) {
            z = max ? (x < y ? y : x) : (y < x ? y : x);
        } else if (isnan_f(x) || isnan_f(y)) {
            u32 nan = 0x7fc00000;
            __builtin_memcpy(&z, &nan, 4);
        } else if (x == y) {
            /* zeros of different sign: min takes -0, max +0 */
            u32 ux = fbits(x), uy = fbits(y), uz = max ? (ux & uy) : (ux | uy);
            __builtin_memcpy(&z, &uz, 4);
        } else {
            z = max ? (x > y ? x : y) : (x < y ? x : y);
        }
        setf(&r, i, z);
    }
    return r;
#endif
}

/* NaN lanes as the canonical NaN: which NaN min/max return is the engine's choice. */
static v16 canon(v16 v) {
    for (int i = 0; i < 4; i++)
        if (isnan_f(lanef(v, i))) set32(&v, i, 0x7fc00000);
    return v;
}

static v16 trunc_sat(v16 a) {
#ifdef __wasm_simd128__
    return from(wasm_i32x4_trunc_sat_f32x4(to(a)));
#else
    v16 r;
    for (int i = 0; i < 4; i++) {
        float x = lanef(a, i);
        i32 z = isnan_f(x) ? 0 : x >= 2147483648.0f ? 2147483647 : x < -2147483648.0f ? (-2147483647 - 1) : (i32)x;
        set32(&r, i, z);
    }
    return r;
#endif
}

static v16 extmul_high_u8(v16 a, v16 b) {
#ifdef __wasm_simd128__
    return from(wasm_u16x8_extmul_high_u8x16(to(a), to(b)));
#else
    v16 r;
    for (int i = 0; i < 8; i++) set16(&r, i, (i16)(u16)(a.b[8 + i] * b.b[8 + i]));
    return r;
#endif
}

static v16 shifts(v16 a, int n) {
#ifdef __wasm_simd128__
    v128_t x = to(a);
    return from(wasm_v128_xor(wasm_i16x8_shr(x, n), wasm_v128_xor(wasm_u32x4_shr(x, n), wasm_i8x16_shl(x, n))));
#else
    v16 s16, u32v, s8;
    for (int i = 0; i < 8; i++) set16(&s16, i, (i16)(lane16(a, i) >> (n & 15)));
    for (int i = 0; i < 4; i++) set32(&u32v, i, (i32)((u32)lane32(a, i) >> (n & 31)));
    for (int i = 0; i < 16; i++) s8.b[i] = (u8)(a.b[i] << (n & 7));
    v16 r;
    for (int i = 0; i < 16; i++) r.b[i] = s16.b[i] ^ u32v.b[i] ^ s8.b[i];
    return r;
#endif
}

static v16 lane_ops(const u8 *mem, v16 a) {
#ifdef __wasm_simd128__
    v128_t x = to(a);
    x = wasm_v128_load16_lane(mem + 3, x, 5);
    x = wasm_v128_load64_lane(mem + 7, x, 0);
    x = wasm_i32x4_add(x, wasm_v128_load32_splat(mem + 1));
    x = wasm_i16x8_sub(x, wasm_i16x8_load8x8(mem + 9));
    return from(x);
#else
    v16 r = a;
    __builtin_memcpy(r.b + 10, mem + 3, 2);
    __builtin_memcpy(r.b, mem + 7, 8);
    i32 s;
    __builtin_memcpy(&s, mem + 1, 4);
    for (int i = 0; i < 4; i++) set32(&r, i, (i32)((u32)lane32(r, i) + (u32)s));
    for (int i = 0; i < 8; i++) set16(&r, i, (i16)(lane16(r, i) - (i8)mem[9 + i]));
    return r;
#endif
}

__attribute__((noinline)) static void intrinsics(void) {
    u64 acc[12] = {0};
    static const u32 special[8] = {0x7fc00000, 0x80000000, 0, 0x7f800000, 0xff800000, 0x4f000000, 0xcf000001, 0x3f800000};
    for (int k = 0; k + 32 <= N; k += 16) {
        v16 a = load16(ba + k), b = load16(bb + k), h = load16(ha + k / 2), g = load16(hb + k / 2);
        v16 s = a;
        for (int i = 0; i < 16; i++) s.b[i] = (u8)(a.b[i] % 20); /* some indices >= 16 */
        acc[0] ^= vhash(swizzle(b, s)) + k;
        acc[1] ^= vhash(shuffle(a, b)) + k;
        acc[2] ^= vhash(narrow_s(h, g)) + k;
        acc[3] ^= vhash(narrow_u(h, g)) + k;
        acc[4] ^= vhash(q15mulr(h, g)) + k;
        acc[5] ^= vhash(dot(h, g)) + k;
        acc[6] += (u64)bitmask(a);
        v16 f = load16(fa + k / 4), e = load16(fb + k / 4);
        for (int i = 0; i < 4; i++)
            if ((a.b[i] & 7) == 0) setf(&f, i, lanef(e, i)); /* equal lanes, incl. zeros */
        set32(&e, k / 16 % 4, (i32)special[k / 16 % 8]);
        set32(&f, (k / 16 + 1) % 4, (i32)special[(k / 16 + 3) % 8]);
        acc[7] ^= vhash(canon(fminmax(f, e, 0, 0))) + vhash(canon(fminmax(f, e, 1, 0))) * 3 + k;
        acc[8] ^= vhash(fminmax(f, e, 0, 1)) + vhash(fminmax(f, e, 1, 1)) * 3 + k;
        v16 t = f;
        setf(&t, k / 16 % 4, lanef(f, k / 16 % 4) * 1e8f);
        acc[9] ^= vhash(trunc_sat(t)) + vhash(trunc_sat(e)) + k;
        acc[10] ^= vhash(extmul_high_u8(a, b)) + vhash(shifts(h, a.b[0])) + k;
        acc[11] ^= vhash(lane_ops(bb + k, a)) + k;
    }
    static const char *names[12] = {"swizzle", "shuffle", "narrow_s", "narrow_u", "q15mulr", "dot",
                                    "bitmask", "min_max", "pmin_pmax", "trunc_sat", "extmul_shift", "lanes"};
    for (int i = 0; i < 12; i++) say(names[i], (long long)(acc[i] >> 1));
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fill();
    auto_int();
    auto_float();
    intrinsics();
    return 0;
}
