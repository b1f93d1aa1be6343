package dev.orpo.model.eval;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.score.CausalLm;
import dev.orpo.model.score.Scorer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates one model: every task (multiple choice by log-likelihood, generation by exact match of greedy replies),
 * the held-out preference metrics when pairs are given, and the perplexity of each given text.
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

    /** The model under evaluation: its logits, its length limit, and its greedy replies (null: no generation). */
    public record Subject(String label, CausalLm model, int maxLength, NDManager manager, Replier replier) {
    }

    /** What every model is evaluated on; each part may be empty. */
    public record Inputs(List<EvalTask> tasks, List<PreferencePair> pairs, Map<String, String> texts) {
        public Inputs {
            tasks = List.copyOf(tasks);
            pairs = List.copyOf(pairs);
            texts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(texts));
        }
    }

    public ModelScores evaluate(Subject subject, Inputs in) {
        LoglikelihoodScorer scorer = new LoglikelihoodScorer(subject.model(), subject.manager(), subject.maxLength(),
                settings.batchSize());
        MultipleChoice mc = new MultipleChoice(scorer);
        Map<String, TaskResult> results = new LinkedHashMap<>();
        for (EvalTask task : in.tasks()) {
            // few-shot examples come from the whole few-shot split; --limit only cuts the questions scored
            results.put(task.name(), task instanceof ChoiceTask c
                    ? mc.score(c, encoder, prefixTokenId, settings.fewShot(), settings.limit())
                    : generate((GenerationTask) task, subject.replier()));
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (!in.pairs().isEmpty()) {
            metrics.putAll(PreferenceEval.evaluate(new Scorer(subject.model(), subject.manager(), settings.score()),
                    in.pairs()));
        }
        in.texts().forEach((name, text) -> metrics.put(PERPLEXITY + name,
                Perplexity.of(scorer, encoder.encode(text), prefixTokenId).perplexity()));
        return new ModelScores(subject.label(), results, metrics);
    }

    /** Greedy replies to the first {@code limit} prompts, exact match against their targets. */
    private TaskResult generate(GenerationTask task, Replier replier) {
        if (replier == null) {
            throw new IllegalArgumentException("task " + task.name() + " generates replies, and this evaluation "
                    + "cannot (no tokenizer with a chat template)");
        }
        int n = settings.limit() == null ? task.size() : Math.min(settings.limit(), task.size());
        List<GenerationTask.Item> items = task.items().subList(0, n);
        List<String> replies = replier.replies(items.stream().map(GenerationTask.Item::prompt).toList());
        List<TaskResult.Reply> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new TaskResult.Reply(items.get(i).prompt(), items.get(i).target(), replies.get(i)));
        }
        return TaskResult.ofReplies(task.name(), out);
    }
}
