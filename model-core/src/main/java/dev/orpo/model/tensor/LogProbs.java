package dev.orpo.model.tensor;

import ai.djl.ndarray.NDArray;

/** Log-probabilities of given next tokens. */
public final class LogProbs {
    private LogProbs() {
    }

    /**
     * {@code log_softmax(logits)[..., target]}: logits (..., V), targets (...) int64 ids in [0, V) → (...). Callers
     * that mark ignored positions (TRL's −100) replace them with a valid id first and mask the result.
     */
    public static NDArray ofTargets(NDArray logits, NDArray targets) {
        return logits.logSoftmax(-1).gather(targets.expandDims(-1), -1).squeeze(-1);
    }
}
