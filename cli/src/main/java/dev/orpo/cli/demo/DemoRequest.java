package dev.orpo.cli.demo;

import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.contracts.request.EvalSpec;
import dev.orpo.contracts.request.ModelSpec;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.deploy.local.StackEndpoints;
import dev.orpo.stages.demo.DemoAssets;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.ObjectStoreConfig;
import dev.orpo.store.S3Uri;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The demo's inputs and request: local files, their S3 copies, and {@code examples/demo.yaml} pointed at them. */
final class DemoRequest {
    private DemoRequest() {
    }

    /** Local inputs: the base model directory, the preference file, the task files (none with --data). */
    record Inputs(Path modelDir, Path dataset, List<Path> taskFiles, List<String> prompts) {
    }

    /** Their addresses in the stack's S3. */
    record Uploaded(String modelUri, String datasetUri, List<String> taskUris, List<String> prompts) {
    }

    /** Writes the demo assets (deterministic, so rewriting is cheap and always consistent); --model/--data win. */
    static Inputs inputs(Path dir, DemoAssets.Spec spec, Path model, Path data) throws IOException {
        DemoAssets.Paths made = DemoAssets.write(dir, spec);
        return new Inputs(model != null ? model.toAbsolutePath() : made.modelDir(),
                data != null ? data.toAbsolutePath() : made.dataset(),
                data != null ? List.of() : made.taskFiles(), made.prompts());
    }

    /** Uploads model, data and task under {@code demo/<runId>/} so the services fetch them as any s3:// input. */
    static Uploaded upload(StackEndpoints stack, String runId, Inputs in) {
        ObjectStore store = store(stack);
        String prefix = "demo/" + runId + "/";
        store.putDirectory(prefix + "model", in.modelDir());
        String dataKey = prefix + in.dataset().getFileName();
        store.putFile(dataKey, in.dataset());
        List<String> taskUris = new ArrayList<>();
        for (Path task : in.taskFiles()) {
            String taskKey = prefix + "tasks/" + task.getFileName();
            store.putFile(taskKey, task);
            taskUris.add(store.uri(taskKey).toString());
        }
        return new Uploaded(store.uri(prefix + "model/").toString(), store.uri(dataKey).toString(), taskUris,
                in.prompts());
    }

    /**
     * {@code examples/demo.yaml} with model, dataset and tasks replaced by the uploaded copies, and the demo's held-out
     * sample prompts unless the file names its own.
     */
    static TrainingRequest build(Path yaml, Uploaded up) throws IOException {
        if (!Files.isRegularFile(yaml)) {
            throw new IOException("demo request not found: " + yaml);
        }
        TrainingRequest r = RequestParser.parseFile(yaml);
        DatasetSpec d = r.dataset();
        EvalSpec e = r.eval();
        return new TrainingRequest(new ModelSpec(up.modelUri(), r.model().revision()),
                new DatasetSpec(up.datasetUri(), d.format(), d.columns(), d.filters(), d.shuffleSeed(), d.select(),
                        d.testSize()),
                r.chatTemplate(), r.lora(), r.quantization(), r.training(), r.merge(),
                new EvalSpec(e.enabled(), e.checkpoints(), up.taskUris(), e.numFewshot(), e.limit(),
                        e.prompts().isEmpty() ? up.prompts() : e.prompts(), e.maxNewTokens(), e.suite(),
                        e.dataDir()));
    }

    /** Downloads an s3:// directory (the merged model). */
    static Path download(StackEndpoints stack, String uri, Path dir) throws IOException {
        Files.createDirectories(dir);
        S3Uri s3 = S3Uri.parse(uri);
        store(stack).getDirectory(s3.key(), dir);
        return dir;
    }

    private static ObjectStore store(StackEndpoints stack) {
        return new ObjectStore(new ObjectStoreConfig(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(),
                stack.bucket(), ObjectStoreConfig.DEFAULT_REGION));
    }
}
