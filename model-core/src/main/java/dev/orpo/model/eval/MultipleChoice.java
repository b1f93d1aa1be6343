package dev.orpo.model.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * lm-evaluation-harness multiple choice: each choice of a question is scored as loglikelihood(context, continuation),
 * after the question's few-shot examples; {@code acc}, {@code acc_norm} and {@code mc2} follow from the
 * log-likelihoods ({@link TaskResult#ofChoices}).
 */
public final class MultipleChoice {
    /** lm-eval's {@code fewshot_delimiter}. */
    public static final String FEWSHOT_DELIMITER = "\n\n";

    private final LoglikelihoodScorer scorer;

    public MultipleChoice(LoglikelihoodScorer scorer) {
        this.scorer = scorer;
    }

    /**
     * Scores the first {@code limit} questions of a task (null: all), each with its few-shot prefix.
     *
     * @param prefixTokenId the context when a context is empty (lm-eval's prefix token: BOS, else EOS); -1: none
     */
    public TaskResult score(ChoiceTask task, TextEncoder encoder, int prefixTokenId, FewShot fewShot, Integer limit) {
        int n = limit == null ? task.size() : Math.min(limit, task.size());
        List<String> prefixes = fewShotPrefixes(task, fewShot, n);
        List<LoglikelihoodRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Question q = task.questions().get(i);
            for (int c = 0; c < q.choices().size(); c++) {
                requests.add(encode(prefixes.get(i) + q.contexts().get(c), q.continuations().get(c), encoder,
                        prefixTokenId));
            }
        }
        double[] ll = scorer.loglikelihoods(requests);
        List<DocResult> results = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < n; i++) {
            Question q = task.questions().get(i);
            int choices = q.choices().size();
            results.add(DocResult.of(Arrays.copyOfRange(ll, next, next + choices), q.choices(), q.gold()));
            next += choices;
        }
        return TaskResult.ofChoices(task.name(), task.metrics(), results);
    }

    /**
     * The few-shot prefix of each of the first {@code n} questions, drawn as lm-eval's default sampler draws them: one
     * {@code random.Random(seed)} per task, advanced question by question in order ({@link PyRandom}); k examples
     * sampled from the pool (k + 1 with the question itself dropped when {@link ChoiceTask#excludeQuestion()}), each
     * rendered as {@link Question#example()} followed by {@code "\n\n"}. So a question's prompt does not depend on
     * {@code --limit}, and equals lm-eval's for the same data and seed.
     */
    public static List<String> fewShotPrefixes(ChoiceTask task, FewShot fewShot, int n) {
        int k = task.shots(fewShot.k());
        List<String> out = new ArrayList<>(n);
        if (k == 0) {
            for (int i = 0; i < n; i++) {
                out.add("");
            }
            return out;
        }
        List<Question> pool = task.fewShotPool();
        int draw = task.excludeQuestion() ? k + 1 : k;
        if (pool.size() < draw) {
            throw new IllegalArgumentException("task " + task.name() + ": " + k + "-shot needs " + draw
                    + " few-shot documents, the few-shot split has " + pool.size());
        }
        PyRandom random = new PyRandom(fewShot.seed());
        for (int i = 0; i < n; i++) {
            Question question = task.questions().get(i);
            StringBuilder prefix = new StringBuilder();
            int taken = 0;
            for (int index : random.sample(pool.size(), draw)) {
                Question example = pool.get(index);
                if (taken < k && !(task.excludeQuestion() && example == question)) {
                    prefix.append(example.example()).append(FEWSHOT_DELIMITER);
                    taken++;
                }
            }
            out.add(prefix.toString());
        }
        return out;
    }

    /**
     * lm-eval's {@code _encode_pair}: trailing whitespace of the context moves to the front of the continuation, the
     * context and context + continuation are tokenized (no special tokens), and the continuation's ids are the
     * joint's tail after the context's length. An empty context becomes the prefix token, the continuation then
     * tokenized alone.
     */
    public static LoglikelihoodRequest encode(String context, String continuation, TextEncoder encoder,
                                              int prefixTokenId) {
        String trimmed = context.stripTrailing();
        String cont = context.substring(trimmed.length()) + continuation;
        int[] contextIds = encoder.encode(trimmed);
        int[] whole = encoder.encode(trimmed + cont);
        int[] contIds = Arrays.copyOfRange(whole, Math.min(contextIds.length, whole.length), whole.length);
        if (contextIds.length == 0) { // lm-eval: "" → the prefix token; whitespace only: the same here
            if (prefixTokenId < 0) {
                throw new IllegalArgumentException("empty context and no prefix token (BOS/EOS) to stand in");
            }
            return new LoglikelihoodRequest(new int[] {prefixTokenId}, encoder.encode(cont));
        }
        return new LoglikelihoodRequest(contextIds, contIds);
    }
}
