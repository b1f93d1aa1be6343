package dev.orpo.stages;

import dev.orpo.deploy.local.LocalStack;
import dev.orpo.deploy.local.StackEndpoints;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.ObjectStoreConfig;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One real S3 server (the S3Proxy of an ephemeral local stack under {@code target/}) shared by the stage tests of a
 * JVM: started on first use, stopped when the JVM exits. Tests keep apart by key prefixes.
 */
public final class SharedS3 {
    private static ObjectStore store;

    private SharedS3() {
    }

    public static synchronized ObjectStore store() {
        if (store == null) {
            Path dir = Path.of("target", "shared-stack-" + ProcessHandle.current().pid()).toAbsolutePath();
            StackEndpoints e = LocalStack.ephemeral(dir).up(Duration.ofSeconds(90));
            store = new ObjectStore(ObjectStoreConfig.of(e.s3Endpoint(), e.accessKey(), e.secretKey()));
        }
        return store;
    }
}
