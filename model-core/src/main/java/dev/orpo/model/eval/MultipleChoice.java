package dev.orpo.model.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * lm-evaluation-harness multiple choice: each choice is scored as loglikelihood(context, {@code " " + choice});
 * {@code acc} takes the argmax, {@code acc_norm} the argmax of the log-likelihood per character of the choice.
 */
public final class MultipleChoice {
    /** lm-eval's {@code target_delimiter}. */
    public static final String TARGET_DELIMITER = " ";
    /** lm-eval's {@code fewshot_delimiter}. */
    public static final String FEWSHOT_DELIMITER = "\n\n";

    private final LoglikelihoodScorer scorer;

    public MultipleChoice(LoglikelihoodScorer scorer) {
        this.scorer = scorer;
    }

    /** Scores tokenized questions (all choices of all questions go through the scorer's batches). */
    public TaskResult scoreIds(String task, List<IdMcDoc> docs) {
        List<LoglikelihoodRequest> requests = new ArrayList<>();
        for (IdMcDoc doc : docs) {
            for (int[] continuation : doc.continuations()) {
                requests.add(new LoglikelihoodRequest(doc.context(), continuation));
            }
        }
        double[] ll = scorer.loglikelihoods(requests);
        List<DocResult> results = new ArrayList<>();
        int next = 0;
        for (IdMcDoc doc : docs) {
            int n = doc.continuations().size();
            results.add(DocResult.of(Arrays.copyOfRange(ll, next, next + n), doc.choiceLengths(), doc.gold()));
            next += n;
        }
        return TaskResult.of(task, results);
    }

    /**
     * Scores a text task.
     *
     * @param prefixTokenId context used when a context is empty (lm-eval's prefix token: BOS, else EOS); -1: none
     */
    public TaskResult score(McTask task, TextEncoder encoder, int prefixTokenId, FewShot fewShot) {
        return score(task, encoder, prefixTokenId, fewShot, null);
    }

    /** As above, scoring only the first {@code limit} questions (null: all); examples may come from all of them. */
    public TaskResult score(McTask task, TextEncoder encoder, int prefixTokenId, FewShot fewShot, Integer limit) {
        int n = limit == null ? task.docs().size() : Math.min(limit, task.docs().size());
        List<IdMcDoc> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            McDoc doc = task.docs().get(i);
            String context = fewShotContext(task, i, fewShot) + doc.context();
            docs.add(encode(context, doc.choices(), doc.gold(), encoder, prefixTokenId));
        }
        return scoreIds(task.name(), docs);
    }

    /**
     * The k examples before question {@code index}, each {@code context + " " + gold choice} followed by
     * {@code "\n\n"}; picked from the task's other questions by a generator seeded with (seed, index), so a question's
     * prompt does not depend on {@code --limit}.
     */
    public static String fewShotContext(McTask task, int index, FewShot fewShot) {
        if (fewShot.k() == 0) {
            return "";
        }
        List<McDoc> all = task.docs();
        if (fewShot.k() > all.size() - 1) {
            throw new IllegalArgumentException("task " + task.name() + ": " + fewShot.k() + "-shot needs at least "
                    + (fewShot.k() + 1) + " questions, it has " + all.size());
        }
        List<Integer> others = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (i != index) {
                others.add(i);
            }
        }
        Random random = new Random(fewShot.seed() * 1_000_003L + index);
        StringBuilder out = new StringBuilder();
        for (int j = 0; j < fewShot.k(); j++) {
            int pick = j + random.nextInt(others.size() - j); // partial Fisher-Yates: k distinct examples
            int chosen = others.set(pick, others.get(j));
            others.set(j, chosen);
            McDoc ex = all.get(chosen);
            out.append(ex.context()).append(TARGET_DELIMITER).append(ex.choices().get(ex.gold()))
                    .append(FEWSHOT_DELIMITER);
        }
        return out.toString();
    }

    /**
     * lm-eval's {@code _encode_pair} for every choice: trailing spaces of the context move to the continuation, the
     * context and context+continuation are tokenized, and the continuation's ids are the joint's tail after the
     * context's length.
     */
    public static IdMcDoc encode(String context, List<String> choices, int gold, TextEncoder encoder,
                                 int prefixTokenId) {
        List<int[]> continuations = new ArrayList<>();
        int[] lengths = new int[choices.size()];
        int[] contextIds = null;
        for (int c = 0; c < choices.size(); c++) {
            String continuation = TARGET_DELIMITER + choices.get(c);
            String ctx = context;
            String trimmed = ctx.stripTrailing();
            if (trimmed.length() < ctx.length()) {
                continuation = ctx.substring(trimmed.length()) + continuation;
                ctx = trimmed;
            }
            int[] ctxIds = encoder.encode(ctx);
            int[] whole = encoder.encode(ctx + continuation);
            int[] cont = Arrays.copyOfRange(whole, Math.min(ctxIds.length, whole.length), whole.length);
            if (ctxIds.length == 0) {
                if (prefixTokenId < 0) {
                    throw new IllegalArgumentException("empty context and no prefix token (BOS/EOS) to stand in");
                }
                ctxIds = new int[] {prefixTokenId};
                cont = encoder.encode(continuation);
            }
            contextIds = ctxIds;
            continuations.add(cont);
            lengths[c] = choices.get(c).length();
        }
        return new IdMcDoc(contextIds, continuations, lengths, gold);
    }
}
