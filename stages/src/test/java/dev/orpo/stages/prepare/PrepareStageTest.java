package dev.orpo.stages.prepare;

import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.request.ChatTemplateSpec;
import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.contracts.request.ModelSpec;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.deploy.local.LocalStack;
import dev.orpo.deploy.local.StackEndpoints;
import dev.orpo.stages.StageFailure;
import dev.orpo.stages.resolve.Artifacts;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.ObjectStoreConfig;
import dev.orpo.store.Sha256;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrepareStageTest {
    @TempDir
    static Path shared;
    static Path modelDir;
    static Path parquet;
    private static LocalStack stack;
    private static ObjectStore store;

    @TempDir
    Path work;

    @BeforeAll
    static void fixtures() throws Exception {
        modelDir = Fixtures.tokenizer(shared.resolve("model"));
        parquet = Fixtures.orpoDpoMixParquet(shared.resolve("mix.parquet"));
        stack = LocalStack.ephemeral(shared.resolve("stack"));
        StackEndpoints e = stack.up(Duration.ofSeconds(90));
        store = new ObjectStore(ObjectStoreConfig.of(e.s3Endpoint(), e.accessKey(), e.secretKey()));
    }

    @AfterAll
    static void stop() {
        stack.down();
    }

    static TrainingRequest request(String model, String data, String chatMode) {
        return new TrainingRequest(ModelSpec.of(model), DatasetSpec.of(data), new ChatTemplateSpec(chatMode, null),
                null, null, null, null, null);
    }

    @Test
    void runUploadsShardsTokenizerAndManifestThatEqualALocalPreparation() throws Exception {
        String runId = "run-" + UUID.randomUUID().toString().substring(0, 8);
        TrainingRequest request = request(modelDir.toString(), parquet.toString(), ChatTemplateSpec.CHATML);
        ObjectStoreLayout layout = ObjectStoreLayout.defaults();
        assertTrue(PrepareStage.alreadyPrepared(store, layout, runId).isEmpty());

        PrepareResult r = new PrepareStage(PrepareStageConfig.DEFAULTS)
                .run(runId, request, new Artifacts(store, work.resolve("cache"), null), layout, work.resolve("w"));
        assertEquals("s3://orpo/runs/" + runId + "/dataset/", r.datasetUri());
        assertEquals(40, r.read());
        assertEquals(1, r.rejectedRows()); // row 39: null content
        assertEquals(r.kept(), r.trainRows() + r.testRows());

        Path local = work.resolve("local");
        PrepareResult l = new PrepareStage(PrepareStageConfig.DEFAULTS).prepareLocal(request, modelDir, parquet, local);
        assertEquals(l.manifestSha256(), r.manifestSha256());
        assertEquals(l.manifestSha256(), store.storedSha256("runs/" + runId + "/dataset/manifest.json").orElseThrow());
        String prefix = "runs/" + runId + "/dataset/";
        assertTrue(store.exists(prefix + "tokenizer/tokenizer.json"));
        assertTrue(store.exists(prefix + "rejects.jsonl"));
        Path down = work.resolve("down");
        store.getDirectory(prefix, down);
        try (var files = Files.list(local)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(down.resolve(f.getFileName())), f.toString());
                if (f.getFileName().toString().startsWith("train-")) {
                    assertFalse(PairShards.read(down.resolve(f.getFileName())).isEmpty());
                }
            }
        }
        assertEquals(r, PrepareStage.alreadyPrepared(store, layout, runId).orElseThrow());
        assertEquals(Sha256.of(local.resolve("tokenizer/tokenizer.json")),
                store.storedSha256(prefix + "tokenizer/tokenizer.json").orElseThrow());
    }

    @Test
    void tooManyRejectsFailNamingTheRows() {
        PrepareStage strict = new PrepareStage(new PrepareStageConfig(0.01, PrepareOptions.DEFAULTS));
        StageFailure f = assertThrows(StageFailure.class, () -> strict.prepareLocal(
                request(modelDir.toString(), parquet.toString(), "model"), modelDir, parquet, work.resolve("out")));
        assertEquals("dataset", f.stage());
        assertTrue(f.getMessage().contains("1 of 40 rows"), f.getMessage());
        assertEquals("dataset.rows[39]", f.errors().get(0).path());
        assertTrue(f.errors().get(0).reason().contains("content"), f.errors().get(0).reason());
    }

    @Test
    void unreadableDatasetAndMissingModelFailNamingTheInput() throws Exception {
        Path garbage = Files.writeString(work.resolve("broken.parquet"), "this is not parquet");
        PrepareStage stage = new PrepareStage(PrepareStageConfig.DEFAULTS);
        StageFailure f = assertThrows(StageFailure.class, () -> stage.prepareLocal(
                request(modelDir.toString(), garbage.toString(), "model"), modelDir, garbage, work.resolve("out")));
        assertEquals(List.of("dataset.uri"), f.errors().stream().map(e -> e.path()).toList());
        assertTrue(f.getMessage().contains("broken.parquet"), f.getMessage());

        StageFailure m = assertThrows(StageFailure.class, () -> stage.run("run-missing",
                request(work.resolve("no-model").toString(), parquet.toString(), "model"),
                new Artifacts(null, work.resolve("cache"), null), ObjectStoreLayout.defaults(), work));
        assertEquals("model.name_or_path", m.errors().get(0).path());
        assertTrue(m.getMessage().contains("no-model"), m.getMessage());
    }
}
