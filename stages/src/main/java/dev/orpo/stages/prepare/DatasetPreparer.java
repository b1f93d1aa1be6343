package dev.orpo.stages.prepare;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.request.DatasetFilters;
import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.model.text.PreferenceExample;
import dev.orpo.model.text.PreferenceRows;
import dev.orpo.model.text.PreferenceTokenizer;
import dev.orpo.model.text.PreferenceTokenizer.TokenizedPreference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
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
 * <p>Memory is bounded by a few dozen bytes per input row (row numbers, dedupe digests, shuffle indices) plus one
 * pair at a time: the input is streamed twice and the tokenized pairs wait on disk, not in the heap.
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

    record Reject(long row, String reason) {
    }

    /**
     * Two passes over the input so that memory stays bounded by a few numbers per row: pass 1 parses and filters
     * every row, keeping only the candidates' row numbers and a SHA-256 per dedupe key; the candidates are shuffled
     * and selected by index; pass 2 reads the input again, tokenizes only the selected rows and spills their shard
     * lines to disk ({@link PairSpill}), from where the shards are written in shuffled order.
     *
     * @param input  the local dataset file ({@code spec.uri()} already fetched by the caller)
     * @param outDir created if missing; must be empty
     */
    public PreparationResult prepare(DatasetSpec spec, Path input, Path outDir) throws IOException {
        checkEmpty(outDir);
        DatasetFilters f = spec.filters();
        boolean sourceFilter = !f.sources().isEmpty() || !f.excludeSources().isEmpty();
        Map<String, Long> filtered = new TreeMap<>();
        Rejects rejects = new Rejects();
        LongList candidates = new LongList();
        Set<ByteBuffer> seen = new HashSet<>();
        MessageDigest keyDigest = sha256();
        long[] read = {0};
        DatasetReader.read(input, spec.format(), spec.columns(), sourceFilter, raw -> {
            read[0]++;
            PreferenceRows.Parsed p;
            try {
                p = parse(raw);
            } catch (IllegalArgumentException e) {
                rejects.add(raw.row(), e.getMessage());
                return;
            }
            String drop = filterReason(f, raw, p);
            if (drop == null && f.dedupe()
                    && !seen.add(ByteBuffer.wrap(keyDigest.digest(raw.key().getBytes(StandardCharsets.UTF_8))))) {
                drop = "duplicate";
            }
            if (drop != null) {
                filtered.merge(drop, 1L, Long::sum);
            } else if (p.identical()) {
                rejects.add(raw.row(), "chosen and rejected are identical");
            } else {
                candidates.add(raw.row());
            }
        });
        seen.clear();

        // HF Dataset.shuffle(seed): shuffled position i holds candidate permutation[i]; select keeps positions < n
        int n = candidates.size();
        int[] permutation = NumpyPermutation.permutation(n, spec.shuffleSeed());
        int selected = n;
        if (spec.select() != null && spec.select() < n) {
            filtered.put("not_selected", (long) (n - spec.select()));
            selected = spec.select();
        }
        int[] positionOf = new int[n];
        for (int i = 0; i < n; i++) {
            positionOf[permutation[i]] = i;
        }

        // the spill sits next to the output directory: the same volume (the stage's work dir), not in the output
        try (PairSpill spill = new PairSpill(outDir.toAbsolutePath().getParent(), selected)) {
            tokenizeSelected(spec, input, sourceFilter, candidates, positionOf, selected, spill, rejects);
            int kept = spill.finish();
            int nTest = testRows(spec.testSize(), kept, read[0], rejects.size(), filtered);
            ManifestWriter.SplitRows test = spill.split(0, nTest);
            ManifestWriter.SplitRows train = spill.split(nTest, kept);
            List<Reject> sortedRejects = rejects.sorted();
            ManifestWriter writer = new ManifestWriter(outDir, options);
            ManifestWriter.Manifest m = writer.write(input, DatasetReader.resolveFormat(input, spec.format()),
                    requestHash(spec), tokenizerFingerprint, tokenizer.config(), spec, read[0], filtered,
                    sortedRejects, train, test);
            return new PreparationResult(outDir, read[0], kept, sortedRejects.size(),
                    Collections.unmodifiableMap(filtered), train.size(), test.size(), m.trainTokens(), m.testTokens(),
                    m.sha256());
        }
    }

    /** Pass 2: re-reads the input; candidates whose shuffled position is selected are parsed, tokenized, spilled. */
    private void tokenizeSelected(DatasetSpec spec, Path input, boolean sourceFilter, LongList candidates,
                                  int[] positionOf, int selected, PairSpill spill, Rejects rejects) throws IOException {
        int[] next = {0}; // index of the next candidate; candidates ascend in row order
        try {
            DatasetReader.read(input, spec.format(), spec.columns(), sourceFilter, raw -> {
                if (next[0] >= candidates.size() || candidates.get(next[0]) != raw.row()) {
                    return;
                }
                int position = positionOf[next[0]++];
                if (position >= selected) {
                    return;
                }
                // parsed without error in pass 1, so it does again
                PreferenceExample example = parse(raw).example();
                TokenizedPreference t;
                try {
                    t = tokenizer.tokenize(example);
                } catch (IllegalArgumentException e) {
                    rejects.add(raw.row(), "tokenization: " + e.getMessage());
                    return;
                }
                try {
                    spill.put(position, new PairShards.Entry(raw.row(), t.pair(), t.truncated()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (next[0] != candidates.size()) {
            throw new IOException(input + " changed while being prepared: row " + candidates.get(next[0])
                    + " was not read again");
        }
    }

    /** Rejected rows: row numbers plus reasons, each distinct reason text held once. */
    private static final class Rejects {
        private final LongList rows = new LongList();
        private final List<String> reasons = new ArrayList<>();
        private final Map<String, String> distinct = new HashMap<>();

        void add(long row, String reason) {
            rows.add(row);
            reasons.add(distinct.computeIfAbsent(reason, r -> r));
        }

        int size() {
            return rows.size();
        }

        List<Reject> sorted() {
            List<Reject> out = new ArrayList<>(size());
            for (int i = 0; i < size(); i++) {
                out.add(new Reject(rows.get(i), reasons.get(i)));
            }
            out.sort(Comparator.comparingLong(Reject::row));
            return out;
        }
    }

    /** The one row parser ({@link PreferenceRows}) on the mapped columns. */
    private static PreferenceRows.Parsed parse(RawRow raw) {
        return PreferenceRows.parse(raw.prompt(), raw.chosen(), raw.rejected(), raw.system());
    }

    /** Why a parsed row is filtered out, or null to keep it. */
    private static String filterReason(DatasetFilters f, RawRow raw, PreferenceRows.Parsed p) {
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
        return ManifestWriter.sha256(canonical.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
