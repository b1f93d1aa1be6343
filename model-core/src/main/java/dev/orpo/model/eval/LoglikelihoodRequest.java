package dev.orpo.model.eval;

/**
 * One lm-eval {@code loglikelihood} request at the id level: log p(continuation | context), summed over the
 * continuation's tokens.
 *
 * @param context      token ids before the continuation (not empty: lm-eval puts a prefix token there when the text
 *                     context is empty)
 * @param continuation token ids scored (not empty)
 */
public record LoglikelihoodRequest(int[] context, int[] continuation) {
    public LoglikelihoodRequest {
        if (context == null || context.length == 0) {
            throw new IllegalArgumentException("loglikelihood request needs at least one context token");
        }
        if (continuation == null || continuation.length == 0) {
            throw new IllegalArgumentException("loglikelihood request has an empty continuation");
        }
        context = context.clone();
        continuation = continuation.clone();
    }
}
