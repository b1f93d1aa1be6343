package dev.orpo.model.orpo;

import ai.djl.ndarray.NDArray;
import dev.orpo.model.llama.Attention;

/**
 * One collated ORPO batch in TRL's concatenated layout: rows {@code 0..B-1} are the chosen sequences, rows
 * {@code B..2B-1} the rejected ones, all right-padded to the longest of the 2B sequences. Nothing is shifted here:
 * the loss lets {@code logits[:, :-1]} predict {@code labels[:, 1:]}, as TRL does.
 *
 * @param inputIds      (2B, T) int64 token ids, padding = the collator's pad id
 * @param attentionMask (2B, T) int64, 1 on real tokens, 0 on padding
 * @param positionIds   (2B, T) int64, 0..T-1 in every row (right padding keeps real positions at their index)
 * @param labels        (2B, T) int64 preference labels: completion ids, -100 on prompt and padding
 * @param nllLabels     (B, T) int64 labels of the chosen rows for the SFT term: the whole chosen sequence (prompt
 *                      included, TRL's default) or the completion only, -100 elsewhere
 * @param pairs         B, the number of preference pairs
 */
public record PreferenceBatch(NDArray inputIds, NDArray attentionMask, NDArray positionIds, NDArray labels,
                              NDArray nllLabels, int pairs) implements AutoCloseable {

    /** TRL's {@code label_pad_token_id}: positions with this label take no part in any loss term. */
    public static final long IGNORE_INDEX = -100;

    /** What the model's forward pass reads besides the ids: these positions and the causal mask over real tokens. */
    public Attention attention() {
        return Attention.causal(attentionMask, positionIds);
    }

    /** Padded sequence length T. */
    public int length() {
        return (int) inputIds.getShape().get(1);
    }

    @Override
    public void close() {
        inputIds.close();
        attentionMask.close();
        positionIds.close();
        labels.close();
        nllLabels.close();
    }
}
