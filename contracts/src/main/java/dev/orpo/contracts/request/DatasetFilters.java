package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * Row filters, applied before shuffling.
 *
 * @param sources          keep only rows whose {@code source} column is one of these (empty: all)
 * @param excludeSources   drop rows whose {@code source} is one of these
 * @param minChars         drop rows whose prompt + chosen is shorter (characters); 0 keeps all
 * @param maxChars         drop rows whose prompt + longer answer is longer (characters); null keeps all
 * @param dedupe           drop exact duplicate (prompt, chosen, rejected) triples; true, as duplicates only reweight
 * @param dropIdentical    drop rows whose chosen equals rejected; true, they carry no preference signal
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DatasetFilters(
        List<String> sources,
        List<String> excludeSources,
        Integer minChars,
        Integer maxChars,
        Boolean dedupe,
        Boolean dropIdentical) {

    public DatasetFilters {
        sources = sources == null ? List.of() : List.copyOf(sources);
        excludeSources = excludeSources == null ? List.of() : List.copyOf(excludeSources);
        minChars = minChars == null ? 0 : minChars;
        dedupe = dedupe == null ? Boolean.TRUE : dedupe;
        dropIdentical = dropIdentical == null ? Boolean.TRUE : dropIdentical;
    }

    public static DatasetFilters defaults() {
        return new DatasetFilters(null, null, null, null, null, null);
    }
}
