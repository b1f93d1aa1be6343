package dev.orpo.deploy.local;

import java.util.Map;

/**
 * How clients reach a running local stack.
 *
 * @param kafkaBootstrap {@code host:port} of the Kafka broker
 * @param s3Endpoint     {@code http://host:port} of the S3 server
 * @param accessKey      S3 access key
 * @param secretKey      S3 secret key
 * @param bucket         the pipeline's bucket (created by {@link LocalStack#up})
 */
public record StackEndpoints(String kafkaBootstrap, String s3Endpoint, String accessKey, String secretKey,
                             String bucket) {
    /** The environment variables that point a pipeline service at this stack (Kafka, S3 endpoint, keys, bucket). */
    public Map<String, String> serviceEnvironment() {
        return Map.of("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap, "ORPO_S3_ENDPOINT", s3Endpoint,
                "ORPO_S3_ACCESS_KEY", accessKey, "ORPO_S3_SECRET_KEY", secretKey, "ORPO_S3_BUCKET", bucket);
    }

    @Override
    public String toString() {
        return "StackEndpoints[kafka=" + kafkaBootstrap + ", s3=" + s3Endpoint + ", bucket=" + bucket + "]";
    }
}
