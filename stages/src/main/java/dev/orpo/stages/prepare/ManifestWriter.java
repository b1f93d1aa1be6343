package dev.orpo.stages.prepare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.model.text.PreferenceTokenizationConfig;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
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

    static final String FORMAT = "orpo-preference-jsonl/1";
    static final String MANIFEST = "manifest.json";
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

    Manifest write(Path input, String format, String requestHash, String tokenizerHash,
                   PreferenceTokenizationConfig tokenization, DatasetSpec spec, long read, Map<String, Long> filtered,
                   List<DatasetPreparer.Reject> rejects, List<PairShards.Entry> train, List<PairShards.Entry> test)
            throws IOException {
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
        m.put("truncated", ordered("train", train.stream().filter(PairShards.Entry::truncated).count(),
                "test", test.stream().filter(PairShards.Entry::truncated).count()));
        m.put("shards", shards);
        m.put("rejects_file", REJECTS);
        byte[] bytes = JSON.writeValueAsBytes(m);
        Files.write(dir.resolve(MANIFEST), bytes);
        return new Manifest(sha256(bytes), (long) trainTokens.get("total"), (long) testTokens.get("total"));
    }

    private List<Map<String, Object>> writeShards(String split, List<PairShards.Entry> rows) throws IOException {
        int count = Math.max(1, (rows.size() + options.rowsPerShard() - 1) / options.rowsPerShard());
        List<Map<String, Object>> out = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            String name = String.format("%s-%05d-of-%05d.jsonl", split, s, count);
            List<PairShards.Entry> part = rows.subList(Math.min(rows.size(), s * options.rowsPerShard()),
                    Math.min(rows.size(), (s + 1) * options.rowsPerShard()));
            Path file = dir.resolve(name);
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (PairShards.Entry e : part) {
                    PairShards.writeLine(w, e);
                }
            }
            out.add(ordered("file", name, "split", split, "rows", (long) part.size(), "sha256", sha256(file)));
        }
        return out;
    }

    private static Map<String, Object> tokens(List<PairShards.Entry> rows) {
        long chosen = rows.stream().mapToLong(e -> e.pair().chosenInputIds().length).sum();
        long rejected = rows.stream().mapToLong(e -> e.pair().rejectedInputIds().length).sum();
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
