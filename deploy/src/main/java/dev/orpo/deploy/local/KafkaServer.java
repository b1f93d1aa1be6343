package dev.orpo.deploy.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/** A single-node KRaft Kafka broker (broker and controller in one JVM) with its state under one directory. */
final class KafkaServer {
    /**
     * Heap: 512 MB is ample for a handful of low-traffic topics; 64 MB initial keeps an idle broker small. Serial GC
     * and C1-only JIT start faster and use fewer threads on a 2-core machine, which matters more here than throughput.
     */
    private static final List<String> JVM_OPTS = List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true");

    private final JvmServer server;
    private final StackConfig config;

    KafkaServer(Path dir, StackConfig config) {
        this.server = new JvmServer("kafka", dir, config.kafkaPort());
        this.config = config;
    }

    JvmServer server() {
        return server;
    }

    String bootstrap() {
        return config.endpoints().kafkaBootstrap();
    }

    /** Writes the config, formats storage on first start, then launches {@code kafka.Kafka}. */
    void start(StackJars jars) {
        Path dir = server.dir();
        Path props = dir.resolve("server.properties");
        Path log4j = dir.resolve("log4j2.properties");
        Path data = dir.resolve("data");
        try {
            Files.createDirectories(data);
            Files.writeString(props, serverProperties(data));
            Files.writeString(log4j, LOG4J);
        } catch (IOException e) {
            throw new UncheckedIOException("kafka: cannot write config in " + dir, e);
        }
        List<String> base = new java.util.ArrayList<>(JVM_OPTS);
        base.add("-Dlog4j2.configurationFile=" + log4j);
        base.add("-cp");
        base.add(jars.kafkaClassPath());
        if (!Files.exists(data.resolve("meta.properties"))) {
            List<String> format = new java.util.ArrayList<>(base);
            format.addAll(List.of("kafka.tools.StorageTool", "format", "--ignore-formatted", "-t", newClusterId(),
                    "-c", props.toString()));
            server.runTool("format", format, Duration.ofSeconds(60));
        }
        List<String> run = new java.util.ArrayList<>(base);
        run.addAll(List.of("kafka.Kafka", props.toString()));
        server.start(run);
    }

    private String serverProperties(Path data) {
        String host = "127.0.0.1";
        return String.join("\n",
                "# written by dev.orpo.deploy.local.LocalStack on every start; edits are overwritten",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + host + ":" + config.controllerPort(),
                "listeners=PLAINTEXT://" + host + ":" + config.kafkaPort() + ",CONTROLLER://" + host + ":"
                        + config.controllerPort(),
                "advertised.listeners=PLAINTEXT://" + host + ":" + config.kafkaPort(),
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + data,
                // one node: every internal topic must have replication 1, or consumer groups never get data
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "num.partitions=3",
                // consumers read events of at most 1 MiB and dead-letter bigger records whole: the broker takes up to
                // 16 MiB so such a record reaches that DLQ instead of being refused unseen at the producer
                "message.max.bytes=16777216",
                "default.replication.factor=1",
                "num.network.threads=2",
                "num.io.threads=2",
                "num.recovery.threads.per.data.dir=1",
                // a local stack keeps a week of events; segments small enough to clean up
                "log.retention.hours=168",
                "log.segment.bytes=67108864",
                "") + "\n";
    }

    /** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding, not starting with '-'. */
    private static String newClusterId() {
        SecureRandom random = new SecureRandom();
        byte[] bytes = new byte[16];
        String id;
        do {
            random.nextBytes(bytes);
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } while (id.startsWith("-"));
        return id;
    }

    private static final String LOG4J = String.join("\n",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = OUT",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = info",
            "rootLogger.appenderRef.out.ref = OUT",
            // the config dump and per-partition chatter drown everything else
            "logger.config.name = org.apache.kafka.common.config",
            "logger.config.level = warn",
            "logger.log.name = kafka.log",
            "logger.log.level = warn",
            "logger.storage.name = org.apache.kafka.storage",
            "logger.storage.level = warn",
            "") + "\n";
}
