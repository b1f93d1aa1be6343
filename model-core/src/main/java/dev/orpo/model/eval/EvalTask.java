package dev.orpo.model.eval;

/** A named task evaluated on each model: multiple choice (log-likelihoods) or generation (greedy replies). */
public sealed interface EvalTask permits ChoiceTask, GenerationTask {
    String name();

    /** Questions (or prompts) scored. */
    int size();
}
