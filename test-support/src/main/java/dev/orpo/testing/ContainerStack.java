package dev.orpo.testing;

import dev.orpo.deploy.local.StackBootstrap;
import dev.orpo.deploy.local.StackEndpoints;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.kafka.KafkaContainer;

import java.time.Duration;
import java.time.Instant;

/**
 * Kafka (apache/kafka, KRaft) and MinIO containers, for machines with Docker. Images can be overridden with system
 * properties {@code orpo.test.kafka-image} and {@code orpo.test.minio-image}. Containers are stopped by Testcontainers'
 * reaper when the JVM exits.
 */
final class ContainerStack {
    /** Same major.minor as the kafka-clients the services use (4.1), so protocol behaviour matches. */
    static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
    /** The image Testcontainers documents for its MinIO module. */
    static final String MINIO_IMAGE = "minio/minio:RELEASE.2023-09-04T19-57-37Z";
    private static final String ACCESS_KEY = "orpo";
    private static final String SECRET_KEY = "orpo-secret";

    private ContainerStack() {
    }

    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    @SuppressWarnings("resource") // stopped by the Testcontainers reaper at JVM exit
    static StackEndpoints start(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        KafkaContainer kafka = new KafkaContainer(System.getProperty("orpo.test.kafka-image", KAFKA_IMAGE))
                .withEnv("KAFKA_NUM_PARTITIONS", Integer.toString(StackBootstrap.PARTITIONS))
                .withEnv("KAFKA_MESSAGE_MAX_BYTES", Integer.toString(16 << 20)) // as the local stack: DLQ'd whole
                .withStartupTimeout(timeout);
        MinIOContainer minio = new MinIOContainer(System.getProperty("orpo.test.minio-image", MINIO_IMAGE))
                .withUserName(ACCESS_KEY).withPassword(SECRET_KEY).withStartupTimeout(timeout);
        kafka.start();
        minio.start();
        StackEndpoints e = new StackEndpoints(kafka.getBootstrapServers(), minio.getS3URL(), ACCESS_KEY, SECRET_KEY,
                "orpo");
        StackBootstrap.createBucket(e, deadline, minio::getLogs);
        StackBootstrap.createTopics(e.kafkaBootstrap(), deadline, kafka::getLogs);
        return e;
    }
}
