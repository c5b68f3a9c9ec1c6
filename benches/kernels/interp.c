/* A bytecode interpreter: a small register machine with a switch-dispatch loop, running a program
 * that sums the Collatz stopping times of 1..n-1 and folds each value into a hash. */
#include "bench.h"

enum op { LI, MOV, ADD, ADDI, ANDI, SHRI, MULI, XOR, SHLI, JEQI, JNEI, JLT, JMP, HALT };

struct insn {
    uint8_t op, a, b, c;
    int32_t imm;
};

static struct insn prog[32];
static int plen;

static void emit(int op, int a, int b, int c, int32_t imm) {
    prog[plen].op = (uint8_t)op;
    prog[plen].a = (uint8_t)a;
    prog[plen].b = (uint8_t)b;
    prog[plen].c = (uint8_t)c;
    prog[plen].imm = imm;
    plen++;
}

/* registers: r0 steps, r1 i, r2 n, r3 x, r4 tmp, r5 hash */
static void assemble(int n) {
    plen = 0;
    emit(LI, 0, 0, 0, 0);      /* 0: r0 = 0 */
    emit(LI, 1, 0, 0, 1);      /* 1: r1 = 1 */
    emit(LI, 2, 0, 0, n);      /* 2: r2 = n */
    emit(LI, 5, 0, 0, 0);      /* 3: r5 = 0 */
    emit(MOV, 3, 1, 0, 0);     /* 4: loop: r3 = r1 */
    emit(JEQI, 3, 0, 0, 13);   /* 5: inner: if r3 == 1 goto next (imm: target, c: compare 1) */
    emit(ANDI, 4, 3, 0, 1);    /* 6: r4 = r3 & 1 */
    emit(JNEI, 4, 0, 0, 10);   /* 7: if r4 != 0 goto odd */
    emit(SHRI, 3, 3, 0, 1);    /* 8: r3 >>= 1 */
    emit(JMP, 0, 0, 0, 12);    /* 9: goto count */
    emit(MULI, 3, 3, 0, 3);    /* 10: odd: r3 *= 3 */
    emit(ADDI, 3, 3, 0, 1);    /* 11: r3 += 1 */
    emit(ADDI, 0, 0, 0, 1);    /* 12: count: r0 += 1; falls into the loop test */
    emit(JNEI, 3, 0, 1, 6);    /* 13: next/test: if r3 != 1 goto 6 (c = 1: compare with 1) */
    emit(SHLI, 4, 5, 0, 5);    /* 14: r4 = r5 << 5 */
    emit(XOR, 5, 4, 0, 0);     /* 15: r5 = r4 ^ r0 */
    emit(ADDI, 1, 1, 0, 1);    /* 16: r1 += 1 */
    emit(JLT, 1, 2, 0, 4);     /* 17: if r1 < r2 goto loop */
    emit(HALT, 0, 0, 0, 0);    /* 18 */
}

static NOINLINE uint32_t execute(const struct insn *code) {
    uint32_t r[8] = {0};
    int pc = 0;
    for (;;) {
        const struct insn *in = &code[pc++];
        switch (in->op) {
        case LI: r[in->a] = (uint32_t)in->imm; break;
        case MOV: r[in->a] = r[in->b]; break;
        case ADD: r[in->a] = r[in->b] + r[in->c]; break;
        case ADDI: r[in->a] = r[in->b] + (uint32_t)in->imm; break;
        case ANDI: r[in->a] = r[in->b] & (uint32_t)in->imm; break;
        case SHRI: r[in->a] = r[in->b] >> (in->imm & 31); break;
        case MULI: r[in->a] = r[in->b] * (uint32_t)in->imm; break;
        case XOR: r[in->a] = r[in->b] ^ r[0]; break;
        case SHLI: r[in->a] = r[in->b] << (in->imm & 31); break;
        case JEQI: if (r[in->a] == 1u) pc = in->imm; break;
        case JNEI: if (r[in->a] != (uint32_t)in->c) pc = in->imm; break;
        case JLT: if (r[in->a] < r[in->b]) pc = in->imm; break;
        case JMP: pc = in->imm; break;
        case HALT: return r[0] ^ (r[5] * 2654435761u);
        default: return 0;
        }
    }
}

int run(int n) {
    assemble(n);
    return (int)execute(prog);
}
