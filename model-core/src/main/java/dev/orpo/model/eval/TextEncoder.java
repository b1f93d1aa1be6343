package dev.orpo.model.eval;

/** Text → token ids with no special tokens added ({@code HfTokenizer::encode} fits). */
@FunctionalInterface
public interface TextEncoder {
    int[] encode(String text);
}
