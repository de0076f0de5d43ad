#!/usr/bin/env python3
"""Fits the two polynomials that src/backends/cpu/gelu_f32.c uses for float32 gelu.

Central part, |x| <= XS: gelu(x) = x / 2 + x^2 Q(x^2), Q(u) = erf(sqrt(u / 2)) / (2 sqrt u), a
polynomial in u (degree 5: 2.4e-11 relative). Elsewhere:

erfc(z) = exp(-z^2) * R(t), t = 1 / (1 + z / 2), z in [0, ZMAX]. R is smooth in t, so a low-degree
polynomial in t carries erfc to float32 accuracy without cancellation anywhere. The fit minimises
the largest relative error (least squares on Chebyshev nodes, reweighted by Lawson's iteration
towards the minimax fit), in float64 against math.erfc; printed highest power first, as the C
Horner loop reads them, with the worst relative error of the float32 evaluation.

    python3 tools/fit_gelu_erfc.py [DEGREE]
"""
import math
import sys

import numpy as np

ZMAX = 10.2  # |x| = 14.4: beyond it float32's gelu(x < 0) rounds to -0 (gelu_f32.c)
XS = 0.75  # the central part's end


def r_exact(z):
    return np.array([math.erfc(v) * math.exp(v * v) for v in z])


def minimax(basis, want, iterations):
    """least squares in relative error, reweighted towards the minimax fit (Lawson)"""
    weight = np.ones(len(want))
    for _ in range(iterations):
        w = weight / want
        coef, *_ = np.linalg.lstsq(basis * w[:, None], want * w, rcond=None)
        err = np.abs(basis @ coef - want) / want
        weight *= err / err.max() + 1e-3
        weight /= weight.sum()
    return coef, err.max()


def fit_central(degree=5):
    k = np.arange(3000)
    u = XS * XS * (1 + np.cos(np.pi * (k + 0.5) / len(k))) / 2
    want = np.array([math.erf(math.sqrt(v / 2)) / (2 * math.sqrt(v)) if v > 0 else 1 / math.sqrt(2 * math.pi) for v in u])
    return minimax(np.vander(u, degree + 1), want, 40)


def fit(degree, iterations=60):
    tmin = 1.0 / (1.0 + ZMAX / 2)
    k = np.arange(4000)
    t = (tmin + 1) / 2 + (1 - tmin) / 2 * np.cos(np.pi * (k + 0.5) / len(k))
    z = 2.0 * (1.0 / t - 1.0)
    coef, _ = minimax(np.vander(t, degree + 1), r_exact(z), iterations)  # highest power first
    return coef


def float32_error(coef):
    z = np.linspace(0, ZMAX, 200001)
    t = (np.float32(1) / (np.float32(1) + np.float32(0.5) * z.astype(np.float32))).astype(np.float32)
    acc = np.full_like(t, np.float32(coef[0]))
    for c in coef[1:]:
        acc = (acc * t + np.float32(c)).astype(np.float32)
    want = r_exact(2.0 * (1.0 / t.astype(np.float64) - 1.0))
    return float(np.max(np.abs(acc.astype(np.float64) - want) / want))


def main():
    degree = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    coef = fit(degree)
    print(f"degree {degree}: float32 evaluation within {float32_error(coef):.3g} relative (2^-24 = {2**-24:.3g})")
    print(",\n".join(f"    {float(c):.9g}f" for c in coef))
    coef, err = fit_central()
    print(f"central Q(u), degree 5, |x| <= {XS}: within {err:.3g} relative (float64)")
    print(",\n".join(f"    {float(c):.9g}f" for c in coef))


if __name__ == "__main__":
    main()
