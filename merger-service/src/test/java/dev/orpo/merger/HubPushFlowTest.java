package dev.orpo.merger;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.stages.merge.StandInHub;
import dev.orpo.stages.merge.TinyMergeInputs;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.Sha256;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.SharedStackTest;
import dev.orpo.testing.TestTopics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** merge.push_to_hub end to end: checkpoint in, merged model in S3 and in the (stand-in) hub repo, ModelMerged out. */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
@WithTestResource(StandInHubResource.class)
class HubPushFlowTest extends SharedStackTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectStoreLayout LAYOUT = ObjectStoreLayout.defaults();

    @Inject
    ObjectStore store;

    @Test
    void finalMergeIsPushedToTheRequestedHubRepoWithTheStoredBytes() throws Exception {
        String runId = RunIds.newRunId();
        Path local = Path.of("target/test-inputs").resolve(runId);
        store.putDirectory("tests/" + runId + "/base/", TinyMergeInputs.base(local.resolve("base")));
        store.putDirectory(LAYOUT.checkpointPrefix(runId, 4), TinyMergeInputs.adapter(local.resolve("adapter"), false));
        TrainingRequest request = Json.fromBytes(("{\"model\": {\"name_or_path\": \"s3://orpo/tests/" + runId
                + "/base/\"}, \"dataset\": {\"uri\": \"s3://orpo/d.jsonl\"}, \"merge\": {\"push_to_hub\": \"tuned-"
                + runId + "\"}}").getBytes(StandardCharsets.UTF_8), TrainingRequest.class);
        topics.publishEvent(new CheckpointSaved(PipelineEvent.newEventId(), runId, 1, Instant.now(), null, 4, 4,
                LAYOUT.uri(LAYOUT.checkpointPrefix(runId, 4)), Map.of(), Map.of("train_loss", 0.5), true, request));

        ModelMerged merged = TestTopics.value(topics.awaitRecord(Topics.MODEL_MERGED, r -> runId.equals(r.key()), WAIT),
                ModelMerged.class);

        assertEquals("s3://orpo/runs/" + runId + "/merged/", merged.modelUri());
        // a bare name lands in the token user's namespace; the repo holds exactly the stored files (not _COMPLETE)
        StandInHub.Repo repo = StandInHubResource.hub().repo(StandInHubResource.USER + "/tuned-" + runId);
        Set<String> stored = new TreeSet<>();
        for (String key : store.list(LAYOUT.mergedPrefix(runId))) {
            stored.add(key.substring(LAYOUT.mergedPrefix(runId).length()));
        }
        stored.remove("_COMPLETE");
        stored.remove("_PUBLISHED");
        assertEquals(stored, new TreeSet<>(repo.files().keySet()));
        for (Map.Entry<String, byte[]> f : repo.files().entrySet()) {
            assertEquals(store.storedSha256(LAYOUT.mergedPrefix(runId) + f.getKey()).orElseThrow(),
                    Sha256.of(f.getValue()), f.getKey());
        }
        assertTrue(repo.files().containsKey("model.safetensors") && repo.files().containsKey("README.md"),
                repo.files().keySet().toString());
    }
}
