package dev.orpo.testing;

import dev.orpo.deploy.local.LocalStack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

/**
 * A local stack of its own for one test profile, for tests that break it (stop the broker) without disturbing the
 * shared stack of {@link PipelineStackResource}. {@link #stack()} hands the test the stack to stop and start.
 */
public class IsolatedStackResource implements QuarkusTestResourceLifecycleManager {
    private static LocalStack stack;

    @Override
    public Map<String, String> start() {
        try {
            stack = LocalStack.ephemeral(Files.createTempDirectory("orpo-isolated-stack-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return PipelineStackResource.config(stack.up(PipelineStackResource.START_TIMEOUT));
    }

    /** The running stack of the current test profile. */
    public static LocalStack stack() {
        return stack;
    }

    /** Starts the broker again after a test stopped it, and waits until it answers. */
    public static void restartKafka(Duration timeout) {
        stack.up(timeout);
    }

    @Override
    public void stop() {
        stack.down();
    }
}
