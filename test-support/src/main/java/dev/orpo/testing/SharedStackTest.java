package dev.orpo.testing;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.request.TrainingRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the services' {@code @QuarkusTest @WithTestResource(PipelineStackResource.class)} classes: {@link #topics}
 * publishes to and reads from the shared stack's broker, opened before the class's tests and closed after them.
 */
public abstract class SharedStackTest {
    /** The shared stack's topics, for this test class. */
    protected static TestTopics topics;

    @BeforeAll
    protected static void connectToSharedStack() {
        topics = TestTopics.forSharedStack();
    }

    @AfterAll
    protected static void closeSharedStackTopics() {
        topics.close();
    }

    /** The smallest request that passes validation (model id {@code tiny-llama}, dataset {@code s3://orpo/d.jsonl}). */
    protected static TrainingRequest minimalRequest() {
        return Json.fromBytes(("{\"model\": {\"name_or_path\": \"tiny-llama\"}, \"dataset\": {\"uri\":"
                + " \"s3://orpo/d.jsonl\"}}").getBytes(java.nio.charset.StandardCharsets.UTF_8), TrainingRequest.class);
    }
}
