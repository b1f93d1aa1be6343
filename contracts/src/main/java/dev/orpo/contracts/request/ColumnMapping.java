package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Which columns hold what. {@code chosen}/{@code rejected} may be strings or message lists
 * ({@code [{role, content}, ...]}, sharing the prompt turns, as orpo-dpo-mix-40k); {@code prompt} may be absent then.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ColumnMapping(String prompt, String chosen, String rejected, String system) {
    public ColumnMapping {
        prompt = prompt == null ? "prompt" : prompt;
        chosen = chosen == null ? "chosen" : chosen;
        rejected = rejected == null ? "rejected" : rejected;
        system = system == null ? "system" : system;
    }

    public static ColumnMapping defaults() {
        return new ColumnMapping(null, null, null, null);
    }
}
