package dev.orpo.model.eval;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.score.CausalLm;
import dev.orpo.model.score.Scorer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates one model: every multiple-choice task, the held-out preference metrics when pairs are given, and the
 * perplexity of each given text.
 */
public final class Evaluator {
    /** Column prefix of a text's token-level perplexity. */
    public static final String PERPLEXITY = "perplexity/";

    private final TextEncoder encoder;
    private final int prefixTokenId;
    private final EvalSettings settings;

    /** @param prefixTokenId stands in for an empty context and precedes perplexity texts (BOS, else EOS); -1: none */
    public Evaluator(TextEncoder encoder, int prefixTokenId, EvalSettings settings) {
        this.encoder = encoder;
        this.prefixTokenId = prefixTokenId;
        this.settings = settings;
    }

    /** Tasks and preference pairs only. */
    public ModelScores evaluate(String label, CausalLm model, int maxLength, NDManager manager, List<McTask> tasks,
                                List<PreferencePair> pairs) {
        return evaluate(label, model, maxLength, manager, tasks, pairs, Map.of());
    }

    /**
     * @param maxLength the model's {@code max_position_embeddings}
     * @param pairs     held-out tokenized preference pairs; empty: no preference metrics
     * @param texts     name → text whose perplexity becomes column {@code perplexity/<name>}; may be empty
     */
    public ModelScores evaluate(String label, CausalLm model, int maxLength, NDManager manager, List<McTask> tasks,
                                List<PreferencePair> pairs, Map<String, String> texts) {
        LoglikelihoodScorer scorer = new LoglikelihoodScorer(model, manager, maxLength, settings.batchSize());
        MultipleChoice mc = new MultipleChoice(scorer);
        Map<String, TaskResult> results = new LinkedHashMap<>();
        for (McTask task : tasks) {
            // few-shot examples come from the whole file; --limit only cuts the questions scored
            results.put(task.name(), mc.score(task, encoder, prefixTokenId, settings.fewShot(), settings.limit()));
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (!pairs.isEmpty()) {
            metrics.putAll(PreferenceEval.evaluate(new Scorer(model, manager, settings.score()), pairs));
        }
        texts.forEach((name, text) -> metrics.put(PERPLEXITY + name,
                Perplexity.of(scorer, encoder.encode(text), prefixTokenId).perplexity()));
        return new ModelScores(label, results, metrics);
    }
}
