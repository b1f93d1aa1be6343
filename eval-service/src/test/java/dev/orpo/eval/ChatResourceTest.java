package dev.orpo.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.contracts.RunIds;
import dev.orpo.model.synthetic.SyntheticChatTokenizer;
import dev.orpo.stages.train.SyntheticPrepared;
import dev.orpo.store.ObjectStore;
import dev.orpo.testing.PipelineStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /chat against a merged model stored in S3 (the synthetic tiny model with a 64-word tokenizer). */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class ChatResourceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<String> STOP_REASONS = java.util.Arrays.stream(
            dev.orpo.model.generate.GenerationResult.StopReason.values())
            .map(r -> r.name().toLowerCase(java.util.Locale.ROOT)).toList();

    @TempDir
    Path tmp;

    @TestHTTPResource("/chat")
    URI chat;

    @Inject
    ObjectStore store;

    @Inject
    ChatModels models;

    @Test
    void mergedModelAnswersGreedilyAndTheSameTwiceLoadingTheModelOnce() throws Exception {
        String runId = RunIds.newRunId();
        Path merged = SyntheticPrepared.model(tmp.resolve("merged"), 7);
        SyntheticChatTokenizer.write(merged);
        store.putDirectory("runs/" + runId + "/merged/", merged);
        store.putBytes("runs/" + runId + "/merged/_COMPLETE", "{}".getBytes(StandardCharsets.UTF_8));

        String body = "{\"run_id\":\"" + runId + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello how are "
                + "you\"}],\"max_new_tokens\":5}";
        int loadsBefore = models.loads();
        HttpResponse<String> first = post(body);
        assertEquals(200, first.statusCode(), first.body());
        var reply = JSON.readTree(first.body());
        assertEquals(runId, reply.get("run_id").asText());
        assertTrue(reply.get("tokens").asInt() >= 1 && reply.get("tokens").asInt() <= 5, first.body());
        assertTrue(STOP_REASONS.contains(reply.get("stop_reason").asText()), first.body());
        assertEquals(first.body(), post(body).body(), "greedy decoding is deterministic");
        assertEquals(loadsBefore + 1, models.loads(), "the second request is answered by the loaded model");
    }

    @Test
    void runWithoutMergedModelIs404AndBadRequestsAre400() throws Exception {
        String runId = RunIds.newRunId();
        assertEquals(404, post("{\"run_id\":\"" + runId + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .statusCode());
        assertEquals(400, post("{\"run_id\":\"" + runId + "\",\"messages\":[]}").statusCode());
        assertEquals(400, post("{\"run_id\":\"no such/../run\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .statusCode());
    }

    private HttpResponse<String> post(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(chat).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
