package dev.orpo.merger;

import dev.orpo.stages.merge.StandInHub;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * A local stand-in of the hub's upload API for {@code @QuarkusTest}s: enables hub access, points {@code orpo.hub.url} at it and sets
 * {@code orpo.hub.token} (what HF_TOKEN sets in production). One per test JVM; {@link #hub()} for assertions.
 */
public class StandInHubResource implements QuarkusTestResourceLifecycleManager {
    public static final String USER = "alice";
    public static final String TOKEN = "hf_merger_test_token";
    private static StandInHub hub;

    public static synchronized StandInHub hub() {
        if (hub == null) {
            // the hub's own rule: LFS over 10 MB (and *.safetensors / binary files); parts of 5 MB
            hub = new StandInHub(USER, TOKEN, 10L << 20, 5L << 20);
        }
        return hub;
    }

    @Override
    public Map<String, String> start() {
        return Map.of("orpo.hub.enabled", "true", "orpo.hub.url", hub().url(), "orpo.hub.token", TOKEN);
    }

    @Override
    public void stop() {
        // kept for the JVM's lifetime, like the shared pipeline stack: test classes may share it
    }
}
