/* Mandelbrot set on an n x n grid over [-2, 0.5] x [-1.25, 1.25], at most 255 iterations per
 * point; the checksum mixes the iteration counts. */
#include "bench.h"

int run(int n) {
    uint32_t c = 0;
    uint32_t inside = 0;
    for (int py = 0; py < n; py++) {
        double ci = -1.25 + 2.5 * (double)py / (double)n;
        uint32_t row = 0;
        for (int px = 0; px < n; px++) {
            double cr = -2.0 + 2.5 * (double)px / (double)n;
            double zr = 0.0, zi = 0.0, zr2 = 0.0, zi2 = 0.0;
            int it = 0;
            while (it < 255 && zr2 + zi2 <= 4.0) {
                zi = 2.0 * zr * zi + ci;
                zr = zr2 - zi2 + cr;
                zr2 = zr * zr;
                zi2 = zi * zi;
                it++;
            }
            if (it == 255) inside++;
            row = row * 33u + (uint32_t)it;
        }
        c = mix32(c, row);
    }
    return (int)(c ^ inside);
}
