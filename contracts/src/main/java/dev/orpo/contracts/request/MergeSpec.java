package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * Merging the adapter into the base ({@code merge_and_unload}).
 *
 * @param enabled    merge the final adapter; true, as the seed
 * @param dtype      float16 | bfloat16 | float32; null keeps the base checkpoint's dtype
 * @param steps      checkpoint steps to merge in addition to the final one
 * @param pushToHub  hub repo id ({@code namespace/name}, or a bare name in the token user's namespace) that the merger
 *                   pushes the final merged model to, after the object store upload; needs HF_TOKEN on the merger
 * @param hubPrivateRepo create that repo private (TRL's {@code hub_private_repo}); false, the hub's own default
 *                       (public). An existing repo keeps its visibility
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MergeSpec(Boolean enabled, String dtype, List<Long> steps, String pushToHub, Boolean hubPrivateRepo) {
    public MergeSpec {
        enabled = enabled == null ? Boolean.TRUE : enabled;
        steps = steps == null ? List.of() : List.copyOf(steps);
        hubPrivateRepo = hubPrivateRepo == null ? Boolean.FALSE : hubPrivateRepo;
    }

    /** Without {@code hub_private_repo} (schema version 1's fields). */
    public MergeSpec(Boolean enabled, String dtype, List<Long> steps, String pushToHub) {
        this(enabled, dtype, steps, pushToHub, null);
    }

    public static MergeSpec defaults() {
        return new MergeSpec(null, null, null, null, null);
    }
}
