package dev.orpo.deploy.local;

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
    @Override
    public String toString() {
        return "StackEndpoints[kafka=" + kafkaBootstrap + ", s3=" + s3Endpoint + ", bucket=" + bucket + "]";
    }
}
