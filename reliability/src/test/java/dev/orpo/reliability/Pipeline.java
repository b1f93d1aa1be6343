package dev.orpo.reliability;

import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.events.TrainingRequested;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.deploy.local.LocalStack;
import dev.orpo.deploy.local.ServerStatus;
import dev.orpo.deploy.local.StackConfig;
import dev.orpo.deploy.local.StackEndpoints;
import dev.orpo.stages.demo.DemoAssets;
import dev.orpo.stages.merge.StandInHub;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.ObjectStoreConfig;
import dev.orpo.testing.TestTopics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The pipeline under test: a local stack (a Kafka broker and S3Proxy, each its own JVM), the four packaged services and
 * the dashboard, each its own JVM, the demo's small model, data and task in the store, and an {@link EventLog} of
 * every topic. The S3 secret key, {@code HF_TOKEN} and a SASL password are fresh random values
 * ({@link #secrets()}): {@code SecretsTest} looks for them everywhere. One pipeline serves the whole suite
 * ({@link SharedPipeline}); each test uses its own run ids.
 */
final class Pipeline implements AutoCloseable {
    static final List<String> SERVICES = List.of("dataset-service", "trainer-service", "merger-service",
            "eval-service", "dashboard");
    private static final Duration READY = Duration.ofMinutes(3);

    private final Path repo;
    private final Path dir;
    private final LocalStack stack;
    private final StackEndpoints endpoints;
    private final Map<String, String> secrets;
    private final Map<String, ServiceJvm> services = new LinkedHashMap<>();
    private final List<ServiceJvm> extraTrainers = new ArrayList<>();
    private final ObjectStore store;
    private final StandInHub hub;
    private final EventLog log;
    private final TestTopics topics;
    private final String modelUri;
    private final String dataUri;
    private final String taskUri;

    private Pipeline(Path repo, Path dir) throws IOException {
        this.repo = repo;
        this.dir = dir;
        String secretKey = "s3-secret-" + UUID.randomUUID();
        secrets = Map.of("S3 secret key", secretKey, "HF_TOKEN", "hf_" + UUID.randomUUID().toString().replace("-", ""),
                "SASL password", "sasl-" + UUID.randomUUID());
        StackConfig free = StackConfig.freePorts();
        stack = LocalStack.at(dir.resolve("stack"), new StackConfig(free.kafkaPort(), free.controllerPort(),
                free.s3Port(), "orpo", "orpo-reliability", secretKey));
        endpoints = stack.up(Duration.ofMinutes(2));
        store = new ObjectStore(new ObjectStoreConfig(endpoints.s3Endpoint(), endpoints.accessKey(),
                endpoints.secretKey(), endpoints.bucket(), ObjectStoreConfig.DEFAULT_REGION));
        // the demo's small data on a random base (no warm-up: the faults, not the model, are under test)
        DemoAssets.Paths assets = DemoAssets.write(dir.resolve("assets"), new DemoAssets.Spec(240, 64, 2, 40, 42));
        store.putDirectory("inputs/model", assets.modelDir());
        store.putFile("inputs/sort-preferences.parquet", assets.dataset());
        store.putFile("inputs/tasks/sort_letters.jsonl", assets.taskFiles().get(0));
        modelUri = store.uri("inputs/model/").toString();
        dataUri = store.uri("inputs/sort-preferences.parquet").toString();
        taskUri = store.uri("inputs/tasks/sort_letters.jsonl").toString();
        hub = new StandInHub("reliability", secrets.get("HF_TOKEN"), 10_000_000, 5_000_000);
        for (String s : SERVICES) {
            services.put(s, service(s, s.equals("trainer-service") ? "trainer-service-1" : s));
        }
        // should the suite's JVM end without close() (a crash, Ctrl-C), its children go with it
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopProcesses, "reliability-pipeline-stop"));
        try {
            services.values().forEach(ServiceJvm::start);
            services.values().forEach(s -> s.awaitReady(READY));
        } catch (RuntimeException e) {
            stopProcesses();
            throw e;
        }
        log = new EventLog(endpoints.kafkaBootstrap());
        topics = new TestTopics(endpoints.kafkaBootstrap());
    }

    /**
     * Starts everything under {@code dir} (what an earlier, aborted suite left there is stopped and deleted first);
     * the packaged services are taken from {@code repo}.
     */
    static Pipeline start(Path repo, Path dir) {
        try {
            LocalStack.at(dir.resolve("stack")).down();
            dev.orpo.model.io.FileTrees.deleteRecursively(dir);
            Files.createDirectories(dir);
            return new Pipeline(repo, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the pipeline under " + dir, e);
        }
    }

    private ServiceJvm service(String module, String instance) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", endpoints.kafkaBootstrap());
        // a SASL JAAS line the clients are configured with (the local broker does not authenticate: PLAINTEXT)
        env.put("KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"" + module + "\" password=\"" + secrets.get("SASL password") + "\";");
        env.put("ORPO_S3_ENDPOINT", endpoints.s3Endpoint());
        env.put("ORPO_S3_ACCESS_KEY", endpoints.accessKey());
        env.put("ORPO_S3_SECRET_KEY", endpoints.secretKey());
        env.put("ORPO_S3_BUCKET", endpoints.bucket());
        env.put("HF_TOKEN", secrets.get("HF_TOKEN"));
        // the hub is a local stand-in that accepts pushes with that token (merge.push_to_hub)
        env.put("ORPO_HUB_URL", hub.url());
        env.put("ORPO_HUB_ENABLED", "true");
        env.put("HOSTNAME", instance);
        // a replica's stable identity (the pod name in Kubernetes); a restarted JVM keeps it
        env.put("ORPO_TRAINER_REPLICA_ID", instance);
        // a dead replica's lease is taken over after this long (2 min in production)
        env.put("ORPO_TRAINER_LEASE_TTL", "PT20S");
        return new ServiceJvm(repo, module, instance, dir.resolve("services"), env);
    }

    /** The configured secrets by what they are. */
    Map<String, String> secrets() {
        return secrets;
    }

    StackEndpoints endpoints() {
        return endpoints;
    }

    ObjectStore store() {
        return store;
    }

    /** The stand-in hub the services push to. */
    StandInHub hub() {
        return hub;
    }

    EventLog log() {
        return log;
    }

    TestTopics topics() {
        return topics;
    }

    /** The first replica of a service (the only one, except for the trainer in the load test). */
    ServiceJvm service(String module) {
        return services.get(module);
    }

    /** Every service JVM started so far, extra trainer replicas included. */
    List<ServiceJvm> allServices() {
        List<ServiceJvm> all = new ArrayList<>(services.values());
        all.addAll(extraTrainers);
        return all;
    }

    /** Starts trainer replicas 2..n (n - 1 of them); ready when this returns. */
    List<ServiceJvm> addTrainers(int n) {
        List<ServiceJvm> added = new ArrayList<>();
        for (int i = extraTrainers.size() + 2; i <= n; i++) {
            ServiceJvm t = service("trainer-service", "trainer-service-" + i);
            t.start();
            added.add(t);
            extraTrainers.add(t);
        }
        added.forEach(t -> t.awaitReady(READY));
        return added;
    }

    /** Stops the extra trainer replicas (SIGTERM). */
    void removeExtraTrainers() {
        extraTrainers.forEach(t -> t.terminate(Duration.ofSeconds(60)));
        extraTrainers.clear();
    }

    /** Restarts a killed or stopped service and waits until it is ready; returns the wait. */
    Duration restart(ServiceJvm service) {
        long t0 = System.nanoTime();
        service.start();
        service.awaitReady(READY);
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** {@code kill -9} of the broker (its data stays). */
    void killBroker() {
        kill(stack.status().kafka());
    }

    /** Starts the broker (or S3 server) again if it is down, on the same ports and data. */
    void restartInfrastructure() {
        stack.up(Duration.ofMinutes(2));
    }

    private static void kill(ServerStatus server) {
        ProcessHandle p = ProcessHandle.of(server.pid()).orElseThrow(() -> new IllegalStateException(
                server.name() + " is not running (pid " + server.pid() + ")"));
        p.destroyForcibly();
        p.onExit().join();
    }

    /**
     * The demo recipe (examples/demo.yaml at CI size) on the uploaded model, data and task, with {@code overrides}
     * (YAML of the same shape) merged over it.
     */
    TrainingRequest request(String overrides) {
        String yaml = """
                model: {name_or_path: "%s"}
                dataset: {uri: "%s", format: parquet, shuffle_seed: 42, test_size: 0.1}
                chat_template: {mode: model}
                lora: {r: 16, lora_alpha: 32, lora_dropout: 0.05,
                       target_modules: [up_proj, down_proj, gate_proj, k_proj, q_proj, v_proj, o_proj]}
                training: {learning_rate: 1.0e-3, beta: 0.1, lr_scheduler_type: linear, warmup_steps: 10,
                           max_length: 64, max_prompt_length: 48, per_device_train_batch_size: 4,
                           per_device_eval_batch_size: 8, gradient_accumulation_steps: 1, num_train_epochs: 1,
                           eval_steps: 0.5, logging_steps: 1, save_steps: 10}
                merge: {dtype: float32}
                eval: {tasks: ["%s"], checkpoints: false, limit: 16, prompts: ["sort: e c g a"], max_new_tokens: 8}
                """.formatted(modelUri, dataUri, taskUri);
        return RequestParser.parse(Requests.merge(yaml, overrides), true);
    }

    /** Publishes a request as {@code orpo submit} does; returns its run id. */
    String submit(TrainingRequest request) {
        String runId = RunIds.newRunId();
        topics.publishEvent(TrainingRequested.of(runId, request));
        return runId;
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() {
        try {
            topics.close();
            log.close();
        } finally {
            stopProcesses();
        }
    }

    private synchronized void stopProcesses() {
        allServices().forEach(ServiceJvm::kill);
        stack.down();
        hub.close();
    }

    /** Where the suite writes its state: {@code reliability/target/pipeline}. */
    static Path stateDir() {
        try {
            return Files.createDirectories(Path.of("target", "pipeline").toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
