package dev.orpo.model.generate;

import dev.orpo.model.generate.GenerationResult.StopReason;

import java.util.Arrays;
import java.util.function.IntConsumer;

/** The decoding loop: prefill the prompt, then pick, stream and feed back one token at a time until a stop. */
public final class Generator {
    private Generator() {
    }

    /**
     * Generates after {@code promptIds} on a fresh {@code decoder}.
     *
     * @param onToken called with each new token as soon as it is picked (not for the stop token)
     */
    public static GenerationResult generate(Decoder decoder, int[] promptIds, GenerationConfig config,
                                            IntConsumer onToken) {
        if (promptIds.length >= decoder.maxLength()) {
            throw new IllegalArgumentException("prompt of " + promptIds.length + " tokens leaves no room in the "
                    + "model's " + decoder.maxLength() + " positions");
        }
        TokenSampler sampler = new TokenSampler(config.sampling());
        int[] out = new int[config.maxNewTokens()];
        int n = 0;
        float[] logits = decoder.prefill(promptIds);
        while (true) {
            int next = sampler.pick(logits);
            if (config.stopIds().contains(next)) {
                return new GenerationResult(Arrays.copyOf(out, n), StopReason.STOP_TOKEN, next);
            }
            out[n++] = next;
            onToken.accept(next);
            if (n == config.maxNewTokens()) {
                return new GenerationResult(Arrays.copyOf(out, n), StopReason.MAX_NEW_TOKENS, -1);
            }
            if (decoder.length() + 1 >= decoder.maxLength()) { // the sequence now fills every position
                return new GenerationResult(Arrays.copyOf(out, n), StopReason.CONTEXT_FULL, -1);
            }
            logits = decoder.next(next);
        }
    }
}
