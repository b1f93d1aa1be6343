package dev.orpo.deploy.local;

import java.nio.file.Path;

/** What {@link LocalStack#status()} reports: both servers and the endpoints they serve (or would serve). */
public record StackStatus(Path stateDir, ServerStatus kafka, ServerStatus s3, StackEndpoints endpoints) {
    /** Both servers are up. */
    public boolean running() {
        return kafka.running() && s3.running();
    }
}
