package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.orpo.model.tensor.ComputeDType;

/**
 * Where each token of a forward pass sits and which keys it may attend to: the rotary positions and an additive bias
 * over the keys (0 where allowed, {@link #MASKED} where not). Every layout of the model's input is one of these:
 * <ul>
 *   <li>{@link #causal}: one sequence per row, right- or left-padded (HF's default causal mask);</li>
 *   <li>{@link #segments}: several sequences per row that may share a prefix: a preference pair laid out as
 *       {@code [prompt, chosen, rejected]} (prefix sharing), and several such pairs packed into one row;</li>
 *   <li>{@link #cached}: new tokens after P cached ones (incremental decoding).</li>
 * </ul>
 *
 * @param positionIds (B, T) int64 rotary position of each token
 * @param bias        (B or 1, 1, T, S) additive bias of query t over key s, in {@link ComputeDType#TYPE}
 */
public record Attention(NDArray positionIds, NDArray bias) {
    /** Added to disallowed scores; finite, so a query that may see no key gets a uniform softmax instead of NaN. */
    public static final float MASKED = -1e9f;
    /** {@link #segments} branch of a token every sequence of its pair reads: the shared prompt. */
    public static final long SHARED = 0;
    /** {@link #segments} branch of a chosen-answer token. */
    public static final long CHOSEN = 1;
    /** {@link #segments} branch of a rejected-answer token. */
    public static final long REJECTED = 2;

    /**
     * HF's causal mask: query i sees key j iff j ≤ i and key j is a real token. Padding queries see the real keys
     * before them (outputs finite, meaningless; callers ignore them).
     *
     * @param attentionMask (B, T) 1 for real tokens, 0 for padding
     * @param positionIds   (B, T) rotary positions
     */
    public static Attention causal(NDArray attentionMask, NDArray positionIds) {
        NDArray keyIsReal = attentionMask.gt(0).expandDims(1).expandDims(1); // (B, 1, 1, T)
        return new Attention(positionIds, bias(causalOrder(attentionMask).logicalAnd(keyIsReal)));
    }

    /** {@link #causal} with positions 0, 1, … counted over real tokens only (cumsum − 1): right or left padding. */
    public static Attention padded(NDArray attentionMask) {
        NDArray positions = attentionMask.toType(DataType.INT64, false).cumSum(1).sub(1).maximum(0); // (B, T)
        return causal(attentionMask, positions);
    }

    /**
     * Sequences laid out side by side in a row, possibly sharing a prefix (arXiv 2410.20305). Query i sees key j iff
     * j ≤ i, both belong to the same pair, and key j is {@link #SHARED} or on query i's own branch: a rejected token
     * sees its pair's prompt and the rejected tokens before it, never the chosen ones. Padding (pair −1) is never a
     * key; a padding query sees the real keys before it, as in {@link #causal}.
     *
     * @param pairIds     (B, T) int64 pair of each token within its row, −1 for padding
     * @param branchIds   (B, T) int64 {@link #SHARED}, {@link #CHOSEN} or {@link #REJECTED}
     * @param positionIds (B, T) rotary positions: each sequence counts on from the end of the prefix it reads
     */
    public static Attention segments(NDArray pairIds, NDArray branchIds, NDArray positionIds) {
        NDArray queryPair = pairIds.expandDims(2); // (B, T, 1)
        NDArray keyPair = pairIds.expandDims(1); // (B, 1, T)
        NDArray keyBranch = branchIds.expandDims(1); // (B, 1, T)
        NDArray branchVisible = keyBranch.eq(SHARED).logicalOr(keyBranch.eq(branchIds.expandDims(2))); // (B, T, T)
        NDArray visible = queryPair.eq(keyPair).logicalAnd(branchVisible) // (B, T, T)
                .logicalOr(queryPair.lt(0)) // padding queries: every earlier real key
                .logicalAnd(keyPair.gte(0)) // padding is never a key
                .expandDims(1); // (B, 1, T, T)
        return new Attention(positionIds, bias(causalOrder(pairIds).logicalAnd(visible)));
    }

    /**
     * Incremental decoding of one sequence: T new tokens at positions P … P+T−1 see every cached key and the new
     * keys up to their own.
     */
    public static Attention cached(NDManager manager, int past, int t) {
        NDArray keys = manager.arange(0, past + t, 1, DataType.INT64).reshape(1, past + t); // (1, P+T)
        NDArray queries = manager.arange(past, past + t, 1, DataType.INT64).reshape(t, 1); // (T, 1)
        NDArray allowed = keys.lte(queries).reshape(1, 1, t, past + t); // (1, 1, T, P+T)
        return new Attention(queries.reshape(1, t), bias(allowed));
    }

    /** (T, T) key j ≤ query i, for a (B, T) array's T. */
    private static NDArray causalOrder(NDArray rows) {
        long t = rows.getShape().get(1);
        NDArray idx = rows.getManager().arange(0, (int) t, 1, DataType.INT64);
        return idx.reshape(1, t).lte(idx.reshape(t, 1)); // (T, T)
    }

    /** allowed (…, T, S) boolean → 0 / {@link #MASKED}. */
    private static NDArray bias(NDArray allowed) {
        return allowed.toType(ComputeDType.TYPE, false).sub(1f).mul(-MASKED);
    }
}
