/* Fannkuch-redux on permutations of n elements (n <= 12): the maximum number of pancake flips and
 * the alternating checksum, combined. */
#include "bench.h"

int run(int n) {
    if (n > 12) n = 12;
    if (n < 3) n = 3;
    int perm[16], perm1[16], count[16];
    int maxflips = 0, checksum = 0, permcount = 0;
    for (int i = 0; i < n; i++) perm1[i] = i;
    int r = n;
    for (;;) {
        while (r != 1) {
            count[r - 1] = r;
            r--;
        }
        for (int i = 0; i < n; i++) perm[i] = perm1[i];
        int flips = 0;
        int k;
        while ((k = perm[0]) != 0) {
            int k2 = (k + 1) >> 1;
            for (int i = 0; i < k2; i++) {
                int t = perm[i];
                perm[i] = perm[k - i];
                perm[k - i] = t;
            }
            flips++;
        }
        if (flips > maxflips) maxflips = flips;
        checksum += (permcount % 2 == 0) ? flips : -flips;
        /* next permutation */
        for (;;) {
            if (r == n) return checksum * 100 + maxflips;
            int p0 = perm1[0];
            for (int i = 0; i < r; i++) perm1[i] = perm1[i + 1];
            perm1[r] = p0;
            count[r]--;
            if (count[r] > 0) break;
            r++;
        }
        permcount++;
    }
}
