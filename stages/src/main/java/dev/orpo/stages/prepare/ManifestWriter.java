package dev.orpo.stages.prepare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.model.text.PreferenceTokenizationConfig;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the output directory: shards, {@code rejects.jsonl} and {@code manifest.json}. The manifest holds no times
 * or absolute paths, so that equal inputs give equal bytes. Its counts add up: {@code read = kept + rejected +
 * sum(filtered)} and {@code kept = train + test}.
 */
final class ManifestWriter {

    static final String FORMAT = PairShards.FORMAT;
    static final String MANIFEST = PrepareStage.MANIFEST;
    static final String REJECTS = "rejects.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final PrepareOptions options;

    ManifestWriter(Path dir, PrepareOptions options) {
        this.dir = dir;
        this.options = options;
    }

    record Manifest(String sha256, long trainTokens, long testTokens) {
    }

    /**
     * One split's pairs in shard order, streamed: {@link #writeLines} writes rows {@code [first, end)} as shard
     * lines; the totals are over the whole split.
     */
    interface SplitRows {
        int size();

        long chosenTokens();

        long rejectedTokens();

        long truncated();

        void writeLines(int first, int end, OutputStream out) throws IOException;
    }

    /** @param rejects sorted by row */
    Manifest write(Path input, String format, String requestHash, String tokenizerHash,
                   PreferenceTokenizationConfig tokenization, DatasetSpec spec, long read, Map<String, Long> filtered,
                   List<DatasetPreparer.Reject> rejects, SplitRows train, SplitRows test) throws IOException {
        List<Map<String, Object>> shards = new ArrayList<>();
        shards.addAll(writeShards("train", train));
        shards.addAll(writeShards("test", test));
        try (BufferedWriter out = Files.newBufferedWriter(dir.resolve(REJECTS), StandardCharsets.UTF_8)) {
            for (DatasetPreparer.Reject r : rejects) {
                out.write("{\"row\":" + r.row() + ",\"reason\":" + JSON.writer().without(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(r.reason()) + "}\n");
            }
        }
        long kept = train.size() + test.size();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("request_sha256", requestHash);
        m.put("tokenizer_sha256", tokenizerHash);
        m.put("input", ordered("file", input.getFileName().toString(), "format", format, "sha256", sha256(input)));
        m.put("config", ordered("max_length", tokenization.maxLength(), "max_prompt_length",
                tokenization.maxPromptLength(), "truncation_mode", tokenization.truncationMode().name().toLowerCase(),
                "shuffle_seed", spec.shuffleSeed(), "select", spec.select(), "test_size", spec.testSize(),
                "rows_per_shard", options.rowsPerShard()));
        long filteredTotal = filtered.values().stream().mapToLong(Long::longValue).sum();
        m.put("counts", ordered("read", read, "kept", kept, "rejected", (long) rejects.size(), "filtered_total",
                filteredTotal, "filtered", filtered, "train", (long) train.size(), "test", (long) test.size()));
        if (read != kept + rejects.size() + filteredTotal) {
            throw new IllegalStateException("counts do not add up: read " + read + " != kept " + kept + " + rejected "
                    + rejects.size() + " + filtered " + filteredTotal);
        }
        Map<String, Object> trainTokens = tokens(train);
        Map<String, Object> testTokens = tokens(test);
        m.put("tokens", ordered("train", trainTokens, "test", testTokens));
        m.put("truncated", ordered("train", train.truncated(), "test", test.truncated()));
        m.put("shards", shards);
        m.put("rejects_file", REJECTS);
        byte[] bytes = JSON.writeValueAsBytes(m);
        Files.write(dir.resolve(MANIFEST), bytes);
        return new Manifest(sha256(bytes), (long) trainTokens.get("total"), (long) testTokens.get("total"));
    }

    /** Streams the split into its shard files, hashing each as it is written. */
    private List<Map<String, Object>> writeShards(String split, SplitRows rows) throws IOException {
        int perShard = options.rowsPerShard();
        int count = Math.max(1, (rows.size() + perShard - 1) / perShard);
        List<Map<String, Object>> out = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            String name = String.format("%s-%05d-of-%05d.jsonl", split, s, count);
            int first = (int) Math.min(rows.size(), (long) s * perShard);
            int end = (int) Math.min(rows.size(), (long) (s + 1) * perShard);
            MessageDigest md = digest();
            try (OutputStream w = new DigestOutputStream(
                    new BufferedOutputStream(Files.newOutputStream(dir.resolve(name)), 1 << 16), md)) {
                rows.writeLines(first, end, w);
            }
            out.add(ordered("file", name, "split", split, "rows", (long) (end - first), "sha256",
                    HexFormat.of().formatHex(md.digest())));
        }
        return out;
    }

    private static Map<String, Object> tokens(SplitRows rows) {
        long chosen = rows.chosenTokens();
        long rejected = rows.rejectedTokens();
        return ordered("chosen", chosen, "rejected", rejected, "total", chosen + rejected);
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
