package dev.orpo.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.util.Collection;

/** Global-norm gradient clipping as {@code torch.nn.utils.clip_grad_norm_} (what HF's Trainer calls). */
public final class GradientClipping {

    /** PyTorch adds this to the norm before dividing, so a zero gradient never divides by zero. */
    static final double EPS = 1e-6;

    private GradientClipping() {
    }

    /** L2 norm of all gradients of {@code params} taken together. */
    public static double globalNorm(Collection<NDArray> params) {
        double sumSquares = 0;
        for (NDArray p : params) {
            // every intermediate is closed here: callers run this outside any per-step NDScope
            try (NDArray g = p.getGradient(); NDArray squares = g.square(); NDArray sum = squares.sum();
                 NDArray wide = sum.toType(DataType.FLOAT64, false)) {
                sumSquares += wide.getDouble();
            }
        }
        return Math.sqrt(sumSquares);
    }

    /**
     * Scales all gradients in place by {@code min(1, maxNorm / (norm + 1e-6))} and returns the norm measured
     * <em>before</em> clipping (HF logs it as {@code grad_norm}). Call after the GradientCollector has closed.
     */
    public static double clipByGlobalNorm(Collection<NDArray> params, double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("max_grad_norm must be a finite value > 0, got " + maxNorm);
        }
        double norm = globalNorm(params);
        double coef = maxNorm / (norm + EPS);
        if (coef < 1.0) {
            for (NDArray p : params) {
                try (NDArray g = p.getGradient()) {
                    g.muli(coef);
                }
            }
        }
        return norm;
    }
}
