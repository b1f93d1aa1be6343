package dev.orpo.model.eval;

import java.util.List;

/** Greedy replies of the model under evaluation, one per prompt (each a user turn through its chat template). */
@FunctionalInterface
public interface Replier {
    List<String> replies(List<String> prompts);
}
