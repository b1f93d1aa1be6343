package dev.orpo.model.orpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

import static dev.orpo.model.tensor.HostArrays.scalar;

/**
 * Numerically stable element-wise functions for the odds-ratio term, built from DJL ops that PyTorch autograd can
 * differentiate (DJL has no {@code log1p}/{@code expm1}). Every branch is fed a clamped input, so the branch that
 * {@code where} discards never produces an infinity whose zero-weighted gradient would turn into NaN.
 */
public final class OrpoMath {

    private static final double LN2 = Math.log(2.0);

    /**
     * Largest input fed to {@link #log1mexp}: an average log-prob of exactly 0 (a chosen answer with probability 1, which
     * float32 log-softmax can round to) would give {@code log(0) = -inf}; clamped, it gives {@code log(1e-30) ≈ -69},
     * a large but finite log odds. Any input below it (every value float64 distinguishes from 0 in our tests) is
     * untouched.
     */
    static final double LOG1MEXP_MAX_INPUT = -1e-30;

    private OrpoMath() {
    }

    /**
     * {@code log(1 - exp(x))} for {@code x <= 0} (Mächler's split at {@code -ln 2}):
     * {@code x < -ln2: log1p(-exp(x))}; otherwise {@code log(-expm1(x))}, with {@code -expm1(x) = -2 sinh(x/2) e^{x/2}}
     * so {@code log(-expm1(x)) = x/2 + log(-2 sinh(x/2))}, free of the cancellation in {@code 1 - exp(x)} near 0.
     */
    public static NDArray log1mexp(NDArray x) {
        // scalars are native-owned (HostArrays.scalar): autograd keeps them for the backward pass
        NDArray xs = x.minimum(scalar(x, LOG1MEXP_MAX_INPUT));
        // far branch: exp(x) < 1/2, so 1 - exp(x) loses no relative accuracy
        NDArray far = xs.minimum(scalar(x, -LN2));
        NDArray farValue = far.exp().neg().add(scalar(x, 1)).log();
        // near branch: x in [-ln2, 0), via sinh
        NDArray near = xs.maximum(scalar(x, -LN2));
        NDArray half = near.div(scalar(x, 2));
        NDArray nearValue = half.add(half.sinh().mul(scalar(x, -2)).log());
        return NDArrays.where(xs.lt(-LN2), farValue, nearValue);
    }

    /** {@code log σ(x) = min(x, 0) - log(1 + exp(-|x|))}: no overflow for any finite {@code x}. */
    public static NDArray logSigmoid(NDArray x) {
        return x.minimum(scalar(x, 0)).sub(x.abs().neg().exp().add(scalar(x, 1)).log());
    }
}
