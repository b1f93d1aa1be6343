package dev.orpo.model.eval;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.score.CausalLm;
import dev.orpo.model.score.Scorer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Evaluates one model: every multiple-choice task and, when pairs are given, the held-out preference metrics. */
public final class Evaluator {
    private final TextEncoder encoder;
    private final int prefixTokenId;
    private final EvalSettings settings;

    /** @param prefixTokenId stands in for an empty context (BOS, else EOS); -1: none */
    public Evaluator(TextEncoder encoder, int prefixTokenId, EvalSettings settings) {
        this.encoder = encoder;
        this.prefixTokenId = prefixTokenId;
        this.settings = settings;
    }

    /**
     * @param maxLength the model's {@code max_position_embeddings}
     * @param pairs     held-out tokenized preference pairs; empty: no preference metrics
     */
    public ModelScores evaluate(String label, CausalLm model, int maxLength, NDManager manager, List<McTask> tasks,
                                List<PreferencePair> pairs) {
        MultipleChoice mc = new MultipleChoice(new LoglikelihoodScorer(model, manager, maxLength,
                settings.batchSize()));
        Map<String, TaskResult> results = new LinkedHashMap<>();
        for (McTask task : tasks) {
            // few-shot examples come from the whole file; --limit only cuts the questions scored
            TaskResult all = mc.score(task, encoder, prefixTokenId, settings.fewShot(), settings.limit());
            results.put(task.name(), all);
        }
        Map<String, Double> preference = pairs.isEmpty() ? Map.of()
                : PreferenceEval.evaluate(new Scorer(model, manager, settings.score()), pairs);
        return new ModelScores(label, results, preference);
    }
}
