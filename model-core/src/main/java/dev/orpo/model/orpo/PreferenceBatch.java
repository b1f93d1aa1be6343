package dev.orpo.model.orpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.orpo.model.llama.Attention;

/**
 * One collated ORPO micro-batch: B preference pairs laid out in R rows of T tokens ({@link BatchLayout}). Sequence
 * {@code s} of the batch is the chosen sequence of pair {@code s} for s &lt; B and the rejected one of pair s − B
 * otherwise, whatever the layout. Position t of a row predicts the token at t + 1 of the same row (the first token
 * of every sequence part that starts a segment is never a label, so this holds across segment boundaries); the
 * {@code (R, T-1)} arrays say, per predicting position, which sequence's quantities it contributes to, −1 for none.
 *
 * @param inputIds         (R, T) int64 token ids, padding = the collator's pad id
 * @param positionIds      (R, T) int64 rotary positions: each sequence counts 0, 1, … from its own start
 * @param pairIds          (R, T) int64 the pair (0 … B−1) of each token, −1 for padding
 * @param branchIds        (R, T) int64 {@link Attention#SHARED} (a prompt both sequences read), {@link Attention#CHOSEN}
 *                         or {@link Attention#REJECTED}
 * @param answerOf         (R, T-1) int64 sequence s whose answer token (a preference label) position t predicts
 * @param sftOf            (R, T-1) int64 pair whose chosen SFT label (the NLL term: the whole chosen sequence, or
 *                         its answer only without prompt loss) position t predicts
 * @param chosenLogitsOf   (R, T-1) int64 pair whose chosen sequence has position t as a predicting position (one
 *                         followed by a token of that sequence), for the logits metrics
 * @param rejectedLogitsOf (R, T-1) int64 likewise for the rejected sequences; a shared prompt position predicts for
 *                         both
 * @param pairs            B, the number of preference pairs
 * @param layout           how the rows were laid out
 */
public record PreferenceBatch(NDArray inputIds, NDArray positionIds, NDArray pairIds, NDArray branchIds,
                              NDArray answerOf, NDArray sftOf, NDArray chosenLogitsOf, NDArray rejectedLogitsOf,
                              int pairs, BatchLayout layout) implements AutoCloseable {

    /** TRL's {@code label_pad_token_id}: positions with this label take no part in any loss term. */
    public static final long IGNORE_INDEX = -100;

    /** What the model's forward pass reads besides the ids: positions and the mask of {@link Attention#segments}. */
    public Attention attention() {
        return Attention.segments(pairIds, branchIds, positionIds);
    }

    /** Padded row length T. */
    public int length() {
        return (int) inputIds.getShape().get(1);
    }

    /** R, the number of rows. */
    public int rows() {
        return (int) inputIds.getShape().get(0);
    }

    /** (R, T) int64, 1 on real tokens, 0 on padding. */
    public NDArray attentionMask() {
        return pairIds.gte(0).toType(DataType.INT64, false);
    }

    /** (R, T) TRL-style preference labels: the token where the position before predicts an answer, else −100. */
    public NDArray labels() {
        return labelsWhere(answerOf);
    }

    /**
     * (R, T) TRL-style SFT labels of the NLL term, −100 elsewhere; in the {@link BatchLayout#TWO_ROWS} layout rows
     * 0 … B−1 are TRL's chosen labels and the rejected rows have none.
     */
    public NDArray nllLabels() {
        return labelsWhere(sftOf);
    }

    private NDArray labelsWhere(NDArray predictedFor) {
        NDArray next = inputIds.get(new NDIndex(":, 1:")); // (R, T-1)
        NDArray ignored = next.onesLike().mul(IGNORE_INDEX); // (R, T-1)
        NDArray shifted = NDArrays.where(predictedFor.gte(0), next, ignored); // (R, T-1)
        NDArray first = inputIds.get(new NDIndex(":, :1")).onesLike().mul(IGNORE_INDEX); // (R, 1)
        return NDArrays.concat(new NDList(first, shifted), 1); // (R, T)
    }

    @Override
    public void close() {
        inputIds.close();
        positionIds.close();
        pairIds.close();
        branchIds.close();
        answerOf.close();
        sftOf.close();
        chosenLogitsOf.close();
        rejectedLogitsOf.close();
    }
}
