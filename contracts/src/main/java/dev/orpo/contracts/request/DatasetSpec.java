package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The preference dataset and the seed's preparation steps ({@code shuffle(seed).select(range(N))},
 * {@code train_test_split(test_size)}).
 *
 * @param uri         local path, {@code s3://bucket/key}, or {@code hf://datasets/<org>/<name>}
 * @param format      auto (from the extension), parquet, jsonl or json
 * @param columns     column names; defaults fit orpo-dpo-mix-40k and Anthropic-HH-style data
 * @param filters     row filters applied before shuffling
 * @param shuffleSeed seed of the shuffle; 42 as the seed notebook
 * @param select      keep the first N rows after shuffling; null keeps all (the seed notebook keeps 1000 to be quick)
 * @param testSize    held-out fraction (0, 1) or row count (≥ 1); 0.01 as the seed notebook
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DatasetSpec(
        String uri,
        String format,
        ColumnMapping columns,
        DatasetFilters filters,
        Long shuffleSeed,
        Integer select,
        Double testSize) {

    public DatasetSpec {
        format = format == null ? "auto" : format;
        columns = columns == null ? ColumnMapping.defaults() : columns;
        filters = filters == null ? DatasetFilters.defaults() : filters;
        shuffleSeed = shuffleSeed == null ? 42L : shuffleSeed;
        testSize = testSize == null ? 0.01 : testSize;
    }

    public static DatasetSpec of(String uri) {
        return new DatasetSpec(uri, null, null, null, null, null, null);
    }
}
