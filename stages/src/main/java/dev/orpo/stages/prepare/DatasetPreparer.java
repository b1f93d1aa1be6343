package dev.orpo.stages.prepare;

import dev.orpo.contracts.Json;
import dev.orpo.contracts.request.DatasetFilters;
import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.model.text.PreferenceTokenizer;
import dev.orpo.model.text.PreferenceTokenizer.TokenizedPreference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The dataset stage as a library: reads a Parquet/JSONL/JSON preference file, filters, dedupes, shuffles, selects,
 * tokenizes with TRL's rules ({@link PreferenceTokenizer}), splits, and writes to a local directory:
 * {@code train-*.jsonl} / {@code test-*.jsonl} shards ({@link PairShards}), {@code rejects.jsonl}
 * ({@code {"row": n, "reason": "..."}}) and {@code manifest.json} ({@link ManifestWriter}).
 * <p>Order of steps: parse → drop identical → source filter → length filter → dedupe → shuffle(seed) → select(N) →
 * tokenize → split. The shuffle is HF {@code datasets}' own ({@code numpy.random.default_rng(seed).permutation},
 * {@link NumpyPermutation}), so with no rows filtered {@code shuffle(seed).select(N)} picks the seed notebook's rows.
 * The test split is the first {@code ceil(test_size · n)} rows of the shuffled selection (HF
 * {@code train_test_split} takes the head of a permutation too, but its own unseeded one, which cannot be
 * reproduced). Same input, spec and tokenizer give byte-identical files.
 */
public final class DatasetPreparer {

    private final PreferenceTokenizer tokenizer;
    private final String tokenizerFingerprint;
    private final PrepareOptions options;

    public DatasetPreparer(PreferenceTokenizer tokenizer, String tokenizerFingerprint, PrepareOptions options) {
        this.tokenizer = tokenizer;
        this.tokenizerFingerprint = tokenizerFingerprint;
        this.options = options;
    }

    /** Counts and hashes of one preparation (also in manifest.json). */
    public record PreparationResult(Path outputDir, long read, long kept, long rejected, Map<String, Long> filtered,
                                    long trainRows, long testRows, long trainTokens, long testTokens,
                                    String manifestSha256) {
    }

    record Candidate(long row, dev.orpo.model.text.PreferenceExample example) {
    }

    record Reject(long row, String reason) {
    }

    /**
     * @param input  the local dataset file ({@code spec.uri()} already fetched by the caller)
     * @param outDir created if missing; must be empty
     */
    public PreparationResult prepare(DatasetSpec spec, Path input, Path outDir) throws IOException {
        checkEmpty(outDir);
        DatasetFilters f = spec.filters();
        Map<String, Long> filtered = new TreeMap<>();
        List<Reject> rejects = new ArrayList<>();
        List<Candidate> candidates = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long[] read = {0};
        boolean sourceFilter = !f.sources().isEmpty() || !f.excludeSources().isEmpty();
        DatasetReader.read(input, spec.format(), spec.columns(), sourceFilter, raw -> {
            read[0]++;
            RowParser.Parsed p;
            try {
                p = RowParser.parse(raw);
            } catch (IllegalArgumentException e) {
                rejects.add(new Reject(raw.row(), e.getMessage()));
                return;
            }
            String drop = filterReason(f, raw, p);
            if (drop == null && f.dedupe() && !seen.add(p.key())) {
                drop = "duplicate";
            }
            if (drop != null) {
                filtered.merge(drop, 1L, Long::sum);
            } else if (p.identical()) {
                rejects.add(new Reject(raw.row(), "chosen and rejected are identical"));
            } else {
                candidates.add(new Candidate(raw.row(), p.example()));
            }
        });

        List<Candidate> selected = shuffle(candidates, spec.shuffleSeed());
        if (spec.select() != null && spec.select() < selected.size()) {
            filtered.put("not_selected", (long) (selected.size() - spec.select()));
            selected = selected.subList(0, spec.select());
        }

        List<PairShards.Entry> tokenized = new ArrayList<>();
        for (Candidate c : selected) {
            try {
                TokenizedPreference t = tokenizer.tokenize(c.example());
                tokenized.add(new PairShards.Entry(c.row(), t.pair(), t.truncated()));
            } catch (IllegalArgumentException e) {
                rejects.add(new Reject(c.row(), "tokenization: " + e.getMessage()));
            }
        }
        int nTest = testRows(spec.testSize(), tokenized.size(), read[0], rejects.size(), filtered);
        List<PairShards.Entry> test = tokenized.subList(0, nTest);
        List<PairShards.Entry> train = tokenized.subList(nTest, tokenized.size());
        rejects.sort((a, b) -> Long.compare(a.row(), b.row()));

        ManifestWriter writer = new ManifestWriter(outDir, options);
        ManifestWriter.Manifest m = writer.write(input, DatasetReader.resolveFormat(input, spec.format()),
                requestHash(spec), tokenizerFingerprint, tokenizer.config(), spec, read[0], filtered, rejects, train,
                test);
        return new PreparationResult(outDir, read[0], train.size() + test.size(), rejects.size(),
                Collections.unmodifiableMap(filtered), train.size(), test.size(), m.trainTokens(), m.testTokens(),
                m.sha256());
    }

    /** Why a parsed row is filtered out, or null to keep it. */
    private static String filterReason(DatasetFilters f, RawRow raw, RowParser.Parsed p) {
        if (p.identical() && f.dropIdentical()) {
            return "identical";
        }
        if (!f.sources().isEmpty() && (raw.source() == null || !f.sources().contains(raw.source()))) {
            return "source";
        }
        if (raw.source() != null && f.excludeSources().contains(raw.source())) {
            return "source";
        }
        if (p.promptChars() + p.chosenChars() < f.minChars()) {
            return "too_short";
        }
        if (f.maxChars() != null && p.promptChars() + Math.max(p.chosenChars(), p.rejectedChars()) > f.maxChars()) {
            return "too_long";
        }
        return null;
    }

    /** HF {@code Dataset.shuffle(seed)}: row i of the result is row {@code permutation[i]} of the input. */
    static List<Candidate> shuffle(List<Candidate> rows, long seed) {
        int[] permutation = NumpyPermutation.permutation(rows.size(), seed);
        List<Candidate> out = new ArrayList<>(rows.size());
        for (int i : permutation) {
            out.add(rows.get(i));
        }
        return out;
    }

    private static int testRows(double testSize, int n, long read, int rejected, Map<String, Long> filtered) {
        if (n == 0) {
            throw new IllegalArgumentException("no rows left to train on: read " + read + ", rejected " + rejected
                    + ", filtered " + filtered);
        }
        long nTest = testSize == 0 ? 0 : testSize < 1 ? (long) Math.ceil(testSize * n) : (long) testSize;
        if (nTest >= n) {
            throw new IllegalArgumentException("dataset.test_size " + testSize + " leaves no training rows out of "
                    + n);
        }
        return (int) nTest;
    }

    private String requestHash(DatasetSpec spec) {
        String canonical = Json.toJson(spec) + "\n" + tokenizer.config() + "\n" + options + "\n"
                + tokenizer.templateSource().orElse("");
        return ManifestWriter.sha256(canonical.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void checkEmpty(Path outDir) throws IOException {
        if (Files.exists(outDir)) {
            try (var entries = Files.list(outDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException("output directory is not empty: " + outDir);
                }
            }
        }
        Files.createDirectories(outDir);
    }
}
