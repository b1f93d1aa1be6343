package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import dev.orpo.model.tensor.LogProbs;

/** Test helper: log p(ids[t+1] | ids[≤t]) of a forward pass. */
final class NextTokens {
    private NextTokens() {
    }

    /** (B, T−1) for t = 0 … T−2; entries after padding are meaningless (callers mask them). */
    static NDArray logProbs(LlamaModel model, NDArray ids, Attention attention) {
        NDArray logits = model.logits(ids, attention); // (B, T, V)
        long t = ids.getShape().get(1);
        return LogProbs.ofTargets(logits.get(":, :{}, :", t - 1), ids.get(":, 1:")); // (B, T-1)
    }
}
