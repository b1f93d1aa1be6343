package dev.orpo.deploy.k8s;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a Quarkus service consumes and produces on Kafka, read from its own application.properties (SmallRye Reactive
 * Messaging channels of the default profile): the topics of its incoming channels, the consumer groups they join
 * (the part before any {@code ${...}} expansion, e.g. a per-replica uuid), their dead-letter topics, and the topics of
 * its outgoing channels.
 */
record ServiceChannels(String service, Set<String> reads, Set<String> groups, Set<String> deadLetters, Set<String> writes,
                       Properties properties) {
    /** The repository root: deploy's parent (surefire runs in the module directory and sets basedir). */
    static final Path ROOT = Manifests.K8S.getParent().getParent();

    static ServiceChannels of(String service) {
        Path file = ROOT.resolve(service).resolve("src/main/resources/application.properties");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Set<String> reads = new TreeSet<>();
        Set<String> groups = new TreeSet<>();
        Set<String> deadLetters = new TreeSet<>();
        Set<String> writes = new TreeSet<>();
        Set<String> incoming = new TreeSet<>();
        Set<String> named = new TreeSet<>();
        for (String key : p.stringPropertyNames()) {
            String value = p.getProperty(key).strip();
            if (key.startsWith("mp.messaging.incoming.")) {
                int dot = key.indexOf('.', "mp.messaging.incoming.".length());
                String channel = key.substring("mp.messaging.incoming.".length(), dot);
                incoming.add(channel);
                switch (key.substring(dot + 1)) {
                    case "topic", "topics" -> {
                        named.add(channel);
                        Arrays.stream(value.split(",")).map(String::strip).forEach(reads::add);
                    }
                    case "group.id" -> groups.add(value.contains("${") ? value.substring(0, value.indexOf("${")) : value);
                    case "dead-letter-queue.topic" -> deadLetters.add(value);
                    default -> { }
                }
            } else if (key.startsWith("mp.messaging.outgoing.") && key.endsWith(".topic")) {
                writes.add(value);
            }
        }
        incoming.removeAll(named);
        reads.addAll(incoming); // SmallRye: a channel without topic/topics reads the topic named like the channel
        if (reads.isEmpty() && writes.isEmpty()) {
            throw new AssertionError(file + " declares no Kafka channel");
        }
        return new ServiceChannels(service, reads, groups, deadLetters, writes, p);
    }

    /** A setting ({@code group.id}, {@code auto.offset.reset}, ...) of the incoming channel that reads {@code topic}. */
    String incoming(String topic, String setting) {
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("mp.messaging.incoming.") && key.endsWith(".topic") && properties.getProperty(key).strip().equals(topic)) {
                String channel = key.substring(0, key.length() - ".topic".length());
                String value = properties.getProperty(channel + "." + setting);
                if (value == null) {
                    throw new AssertionError(service + ": " + channel + " sets no " + setting);
                }
                return value.strip();
            }
        }
        throw new AssertionError(service + " has no incoming channel on " + topic);
    }

    /** Whether the service resolves hub ids (it has hub settings: {@code orpo.hub.*}). */
    boolean usesHub() {
        return properties.stringPropertyNames().stream().anyMatch(k -> k.startsWith("orpo.hub."));
    }
}
