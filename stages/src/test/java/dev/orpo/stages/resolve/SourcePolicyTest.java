package dev.orpo.stages.resolve;

import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.stages.resolve.SourcePolicy.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourcePolicyTest {
    private static final SourcePolicy CLUSTER = SourcePolicy.of("orpo", "");

    @TempDir
    Path dir;

    private static String refusal(SourcePolicy policy, String value, Kind kind) {
        List<FieldError> errors = policy.check("dataset.uri", value, kind);
        assertEquals(1, errors.size(), value + " should be refused");
        assertEquals("dataset.uri", errors.get(0).path());
        return errors.get(0).reason();
    }

    private static void assertAllowed(SourcePolicy policy, String value, Kind kind) {
        assertEquals(List.of(), policy.check("f", value, kind), value + " should be allowed");
    }

    @Test
    void pipelineBucketHubIdsHubDatasetsAndHttpsAreAllowed() {
        assertAllowed(CLUSTER, "s3://orpo/models/llama3-8b@3f2a/", Kind.MODEL);
        assertAllowed(CLUSTER, "s3://orpo/datasets/pairs@ab12/pairs.parquet", Kind.DATASET);
        assertAllowed(CLUSTER, "meta-llama/Meta-Llama-3-8B", Kind.MODEL);
        assertAllowed(CLUSTER, "hf://datasets/mlabonne/orpo-dpo-mix-40k", Kind.DATASET);
        assertAllowed(CLUSTER, "https://example.org/tasks/arc.jsonl", Kind.FILE);
    }

    @Test
    void fileUrisAndOtherSchemesAreRefused() {
        assertTrue(refusal(CLUSTER, "file:///etc/passwd", Kind.DATASET).contains("file: URIs are not accepted"));
        assertTrue(refusal(CLUSTER, "FILE:/etc/passwd", Kind.DATASET).contains("file: URIs"));
        for (String uri : List.of("http://10.0.0.1/latest/meta-data/", "jar:file:/x.jar!/a", "gs://b/k",
                "ftp://host/f", "s3a://orpo/k")) {
            assertTrue(refusal(CLUSTER, uri, Kind.DATASET).contains("s3://, hf:// or https:// only"), uri);
        }
    }

    @Test
    void otherBucketsAndDotSegmentsInKeysAreRefused() {
        assertEquals("bucket secrets is not the pipeline's bucket orpo",
                refusal(CLUSTER, "s3://secrets/keys.json", Kind.DATASET));
        assertTrue(refusal(CLUSTER, "s3://orpo-backup/x", Kind.DATASET).contains("orpo-backup"));
        assertTrue(refusal(CLUSTER, "s3:///key", Kind.DATASET).contains("(none)"));
        for (String uri : List.of("s3://orpo/runs/../other/x", "s3://orpo/..", "s3://orpo/a/./b",
                "s3://orpo/a\\..\\b")) {
            assertTrue(refusal(CLUSTER, uri, Kind.DATASET).contains(".. segment"), uri);
        }
        assertTrue(refusal(CLUSTER, "s3://orpo/a//b", Kind.DATASET).contains("empty segment"));
    }

    @Test
    void localPathsNeedAnAllowedRootAndNoDotSegments() {
        assertTrue(refusal(CLUSTER, "/data/pairs.parquet", Kind.DATASET).contains("orpo.sources.local-roots"));
        SourcePolicy local = SourcePolicy.of("orpo", "/data, /srv/models");
        assertAllowed(local, "/data/pairs.parquet", Kind.DATASET);
        assertAllowed(local, "/srv/models/llama", Kind.MODEL);
        assertTrue(refusal(local, "/etc/shadow", Kind.DATASET).contains("outside the allowed roots"));
        assertTrue(refusal(local, "/data/../etc/shadow", Kind.DATASET).contains(".. segment"));
        assertTrue(refusal(local, "/database/x", Kind.DATASET).contains("outside")); // a prefix is not a parent
        assertTrue(refusal(local, "data/pairs.parquet", Kind.DATASET).contains("relative local path"));
        assertTrue(refusal(local, "./x", Kind.MODEL).contains(". or .. segment"));
    }

    @Test
    void hubIdsAndHubDatasetsCannotClimbOut() {
        assertTrue(refusal(CLUSTER, "hf://datasets/../../x", Kind.DATASET).contains(".. segment"));
        assertTrue(refusal(CLUSTER, "hf://models/org/name", Kind.DATASET).contains("hub datasets only"));
        assertTrue(refusal(CLUSTER, "hf://datasets/org/name", Kind.MODEL).contains("hub datasets only"));
        assertTrue(refusal(CLUSTER, "../name", Kind.MODEL).contains(". or .. segment"));
    }

    @Test
    void urlCredentialsAndControlCharactersAreRefused() {
        assertTrue(refusal(CLUSTER, "https://user:pw@example.org/f", Kind.FILE).contains("user info"));
        assertTrue(refusal(CLUSTER, "s3://orpo/a\nb", Kind.FILE).contains("control characters"));
        assertTrue(refusal(CLUSTER, "https:///f", Kind.FILE).contains("no host"));
    }

    @Test
    void aRequestGetsOneErrorPerRefusedField() {
        TrainingRequest r = RequestParser.parse("""
                {"model": {"name_or_path": "/root/.ssh"}, "dataset": {"uri": "s3://other/d.jsonl"},
                 "eval": {"tasks": ["s3://orpo/tasks/ok.jsonl", "file:///etc/passwd"]}}""", false);
        List<FieldError> errors = CLUSTER.check(r);
        assertEquals(List.of("model.name_or_path", "dataset.uri", "eval.tasks[1]"),
                errors.stream().map(FieldError::path).toList());
    }

    @Test
    void aSymbolicLinkInsideARootCannotLeadOutOfIt() throws IOException {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path outside = Files.writeString(dir.resolve("secret.txt"), "s3cr3t");
        Path inside = Files.writeString(root.resolve("pairs.jsonl"), "{}");
        Path link = Files.createSymbolicLink(root.resolve("link.jsonl"), outside);
        SourcePolicy policy = SourcePolicy.of("orpo", root.toString());
        assertEquals(inside.toRealPath(), policy.requireLocal("dataset.uri", inside.toString()));
        String m = assertThrows(ArtifactException.class, () -> policy.requireLocal("dataset.uri", link.toString()))
                .getMessage();
        assertTrue(m.startsWith("dataset.uri: ") && m.contains("symbolic link"), m);
        assertTrue(assertThrows(ArtifactException.class, () -> policy.requireLocal("dataset.uri",
                root.resolve("missing").toString())).getMessage().contains("no such file"));
    }
}
