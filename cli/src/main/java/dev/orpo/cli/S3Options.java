package dev.orpo.cli;

import dev.orpo.deploy.local.LocalStack;
import dev.orpo.deploy.local.StackEndpoints;
import dev.orpo.store.ObjectStoreConfig;
import picocli.CommandLine.Option;

import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where the object store is, for commands that talk to it: the services' settings ({@code ORPO_S3_ENDPOINT},
 * {@code ORPO_S3_ACCESS_KEY}, {@code ORPO_S3_SECRET_KEY}, {@code ORPO_S3_BUCKET}, {@code ORPO_S3_REGION}; a cluster's
 * MinIO), else the local stack's ({@code stack.properties} in $ORPO_HOME or .orpo/).
 */
public final class S3Options {
    @Option(names = "--s3-endpoint", paramLabel = "URL",
            description = "S3 endpoint (default: $ORPO_S3_ENDPOINT, else the local stack's)")
    String endpoint;

    @Option(names = "--bucket", paramLabel = "NAME",
            description = "bucket (default: $ORPO_S3_BUCKET, else the local stack's, else orpo)")
    String bucket;

    private final UnaryOperator<String> env;

    public S3Options() {
        this(System::getenv);
    }

    S3Options(UnaryOperator<String> env) {
        this.env = env;
    }

    /**
     * The store's settings; keys come from the environment, or from the local stack when the endpoint is the local
     * stack's.
     *
     * @throws IllegalArgumentException naming the variable to set
     */
    public ObjectStoreConfig config() {
        Optional<StackEndpoints> local = LocalStack.savedEndpoints(OrpoHome.resolve(env));
        String localEndpoint = local.map(StackEndpoints::s3Endpoint).orElse("http://127.0.0.1:19000");
        String url = first(endpoint, env.apply("ORPO_S3_ENDPOINT"), localEndpoint);
        boolean isLocal = url.equals(localEndpoint);
        String access = first(env.apply("ORPO_S3_ACCESS_KEY"), isLocal ? local.map(StackEndpoints::accessKey)
                .orElse("orpo") : null);
        String secret = first(env.apply("ORPO_S3_SECRET_KEY"), isLocal ? local.map(StackEndpoints::secretKey)
                .orElse("orpo-secret") : null);
        if (access == null || secret == null) {
            throw new IllegalArgumentException("set ORPO_S3_ACCESS_KEY and ORPO_S3_SECRET_KEY for " + url);
        }
        String b = first(bucket, env.apply("ORPO_S3_BUCKET"), isLocal ? local.map(StackEndpoints::bucket)
                .orElse(null) : null, ObjectStoreConfig.DEFAULT_BUCKET);
        return new ObjectStoreConfig(url, access, secret, b, env.apply("ORPO_S3_REGION"));
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
