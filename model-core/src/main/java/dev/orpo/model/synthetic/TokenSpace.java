package dev.orpo.model.synthetic;

import dev.orpo.model.orpo.PreferencePair;

import java.util.Arrays;

/**
 * Maps {@link DigitExample}s to token ids: prompt = {@code [BOS, d₁ … dₙ, SEP]}, each answer = {@code [a₁ … aₙ, EOS]}.
 * {@link #tiny()} is the id layout of {@link SyntheticLlama} models; a real tokenizer's ids for BOS, EOS, a separator
 * and the ten digit characters give a space for that tokenizer's model.
 *
 * @param bos      beginning-of-sequence id, first token of every prompt
 * @param eos      end-of-sequence id, last token of every answer
 * @param sep      separator id closing the prompt (the "answer starts here" marker)
 * @param digitIds {@code digitIds[d]} is the id of digit {@code d}; its length is the task's alphabet size
 */
public record TokenSpace(int bos, int eos, int sep, int[] digitIds) {
    public static final int PAD = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    public static final int SEP = 3;
    /** The first digit's id in {@link #tiny()}; digits are consecutive from here. */
    public static final int FIRST_DIGIT = 4;

    public TokenSpace {
        if (digitIds == null || digitIds.length < 2) {
            throw new IllegalArgumentException("digitIds must map at least 2 digits");
        }
        digitIds = digitIds.clone();
        for (int i = 0; i < digitIds.length; i++) {
            if (digitIds[i] < 0) {
                throw new IllegalArgumentException("digitIds[" + i + "] = " + digitIds[i] + " is not a token id");
            }
        }
        if (Arrays.stream(digitIds).distinct().count() != digitIds.length) {
            throw new IllegalArgumentException("digitIds must be distinct: " + Arrays.toString(digitIds));
        }
    }

    /** Ids 0 pad, 1 BOS, 2 EOS, 3 SEP, then {@code alphabet} digits from 4 (vocab of at least 4 + alphabet). */
    public static TokenSpace tiny(int alphabet) {
        int[] ids = new int[alphabet];
        for (int d = 0; d < alphabet; d++) {
            ids[d] = FIRST_DIGIT + d;
        }
        return new TokenSpace(BOS, EOS, SEP, ids);
    }

    /** {@link #tiny(int)} with the ten decimal digits (fits the 64-token {@link SyntheticLlama#tiny()}). */
    public static TokenSpace tiny() {
        return tiny(10);
    }

    /** Number of digits this space can encode. */
    public int alphabet() {
        return digitIds.length;
    }

    /** Smallest vocabulary holding every id of this space. */
    public int minVocabSize() {
        return Math.max(Math.max(bos, eos), Math.max(sep, Arrays.stream(digitIds).max().orElse(0))) + 1;
    }

    @Override
    public int[] digitIds() {
        return digitIds.clone();
    }

    /** {@code [BOS, d₁ … dₙ, SEP]}. */
    public int[] promptIds(int[] digits) {
        int[] out = new int[digits.length + 2];
        out[0] = bos;
        for (int i = 0; i < digits.length; i++) {
            out[i + 1] = id(digits[i]);
        }
        out[out.length - 1] = sep;
        return out;
    }

    /** {@code [a₁ … aₙ, EOS]}. */
    public int[] answerIds(int[] digits) {
        int[] out = new int[digits.length + 1];
        for (int i = 0; i < digits.length; i++) {
            out[i] = id(digits[i]);
        }
        out[out.length - 1] = eos;
        return out;
    }

    /** The example as a tokenized preference pair (prompt shared by both sides). */
    public PreferencePair pair(DigitExample example) {
        return PreferencePair.ofIds(promptIds(example.prompt()), answerIds(example.chosen()),
                answerIds(example.rejected()));
    }

    private int id(int digit) {
        if (digit < 0 || digit >= digitIds.length) {
            throw new IllegalArgumentException("digit " + digit + " is outside this token space's alphabet of "
                    + digitIds.length);
        }
        return digitIds[digit];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenSpace t && bos == t.bos && eos == t.eos && sep == t.sep
                && Arrays.equals(digitIds, t.digitIds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * bos + eos) + sep) + Arrays.hashCode(digitIds);
    }

    @Override
    public String toString() {
        return "TokenSpace[bos=" + bos + ", eos=" + eos + ", sep=" + sep + ", digitIds=" + Arrays.toString(digitIds)
                + "]";
    }
}
