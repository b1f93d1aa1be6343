package dev.orpo.cli;

import dev.orpo.deploy.local.LocalStack;
import dev.orpo.deploy.local.StackEndpoints;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;

/** The {@code --bootstrap} option and client settings shared by every command that talks to Kafka. */
public final class KafkaOptions {
    /** The local stack's broker on its default port ({@code orpo local up}). */
    public static final String LOCAL_BOOTSTRAP = "127.0.0.1:19092";

    @Option(names = {"-b", "--bootstrap"}, paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS, else the local stack's: "
                    + "its stack.properties, else " + LOCAL_BOOTSTRAP + ")")
    String bootstrap;

    /**
     * Security settings read from the same environment variables the services use in a cluster (Strimzi's TLS +
     * SCRAM listener, see deploy/README.md); unset variables leave the plaintext defaults of the local stack.
     */
    static final Map<String, String> SECURITY_ENV = Map.of(
            "KAFKA_SECURITY_PROTOCOL", "security.protocol",
            "KAFKA_SASL_MECHANISM", "sasl.mechanism",
            "KAFKA_SASL_JAAS_CONFIG", "sasl.jaas.config",
            "KAFKA_SSL_TRUSTSTORE_TYPE", "ssl.truststore.type",
            "KAFKA_SSL_TRUSTSTORE_LOCATION", "ssl.truststore.location",
            "KAFKA_SSL_TRUSTSTORE_PASSWORD", "ssl.truststore.password");

    private final UnaryOperator<String> env;

    public KafkaOptions() {
        this(System::getenv);
    }

    KafkaOptions(UnaryOperator<String> env) {
        this.env = env;
    }

    public KafkaOptions(String bootstrap) {
        this();
        this.bootstrap = bootstrap;
    }

    public String bootstrap() {
        if (bootstrap != null && !bootstrap.isBlank()) {
            return bootstrap;
        }
        String fromEnv = env.apply("KAFKA_BOOTSTRAP_SERVERS");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        return LocalStack.savedEndpoints(OrpoHome.resolve(env)).map(StackEndpoints::kafkaBootstrap)
                .orElse(LOCAL_BOOTSTRAP);
    }

    /** Bootstrap address plus the security settings found in the environment. */
    Properties common() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap());
        SECURITY_ENV.forEach((variable, key) -> {
            String value = env.apply(variable);
            if (value != null && !value.isBlank()) {
                p.put(key, value);
            }
        });
        return p;
    }

    /** A durable, idempotent producer that gives up within ~15 s when no broker answers. */
    public Properties producer() {
        Properties p = common();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "orpo-cli");
        return p;
    }

    /** A group-less reader (partitions are assigned by hand, offsets never committed). */
    public Properties consumer() {
        Properties p = common();
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "orpo-cli");
        return p;
    }
}
