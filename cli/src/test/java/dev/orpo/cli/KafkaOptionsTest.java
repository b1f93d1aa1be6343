package dev.orpo.cli;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class KafkaOptionsTest {

    @Test
    void clusterSecuritySettingsComeFromTheServicesEnvironmentVariables() {
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", "orpo-kafka:9093",
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12", "KAFKA_SSL_TRUSTSTORE_LOCATION", "/certs/ca.p12");
        var producer = new KafkaOptions(env::get).producer();
        assertEquals("orpo-kafka:9093", producer.get("bootstrap.servers"));
        assertEquals("SASL_SSL", producer.get("security.protocol"));
        assertEquals("SCRAM-SHA-512", producer.get("sasl.mechanism"));
        assertEquals("/certs/ca.p12", new KafkaOptions(env::get).consumer().get("ssl.truststore.location"));
    }

    @Test
    void withoutEnvironmentTheLocalStackOnItsSavedPortsIsUsed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        java.nio.file.Files.writeString(home.resolve("stack.properties"), "kafka.port=21092\n"
                + "kafka.controller.port=21093\ns3.port=21000\nbucket=orpo\naccess-key=orpo\nsecret-key=orpo-secret\n");
        Map<String, String> env = Map.of("ORPO_HOME", home.toString());
        assertEquals("127.0.0.1:21092", new KafkaOptions(env::get).bootstrap());
    }

    @Test
    void withoutEnvironmentTheLocalStackIsPlaintext() {
        var consumer = new KafkaOptions(name -> null).consumer();
        assertEquals(KafkaOptions.LOCAL_BOOTSTRAP, consumer.get("bootstrap.servers"));
        assertFalse(consumer.containsKey("security.protocol"));
    }
}
