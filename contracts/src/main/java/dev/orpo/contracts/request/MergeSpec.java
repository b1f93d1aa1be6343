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
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MergeSpec(Boolean enabled, String dtype, List<Long> steps, String pushToHub) {
    public MergeSpec {
        enabled = enabled == null ? Boolean.TRUE : enabled;
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    public static MergeSpec defaults() {
        return new MergeSpec(null, null, null, null);
    }
}
