package dev.orpo.stages.evaluate;

import dev.orpo.contracts.request.EvalSpec;
import dev.orpo.model.eval.EvalTask;
import dev.orpo.model.eval.TaskFiles;
import dev.orpo.model.eval.Suites;
import dev.orpo.stages.resolve.Artifacts;
import dev.orpo.stages.resolve.HubClient;
import dev.orpo.stages.train.StageFailure;
import dev.orpo.store.S3Uri;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The tasks a request's {@code eval} section names: its task files, then its suite's lm-eval tasks. */
public final class RunTasks {
    private RunTasks() {
    }

    /**
     * @param artifacts downloads s3:// task files and data directories
     * @param hub       for {@code eval.data_dir: hf://datasets}; null offline
     * @param dir       where downloads go
     * @throws StageFailure naming {@code eval.tasks} or {@code eval.suite} and what is wrong
     */
    public static List<EvalTask> load(EvalSpec eval, Artifacts artifacts, HubClient hub, Path dir) {
        List<EvalTask> tasks = new ArrayList<>();
        for (String task : eval.tasks()) {
            try {
                Path file = S3Uri.isS3Uri(task) ? artifacts.download(task, dir.resolve("tasks")) : Path.of(task);
                tasks.addAll(TaskFiles.load(file));
            } catch (IOException | RuntimeException e) {
                throw new StageFailure("eval.tasks", task + ": " + e.getMessage(), e);
            }
        }
        if (eval.suite() != null) {
            try {
                tasks.addAll(new SuiteData(eval.dataDir(), artifacts, hub, dir.resolve("suite-data"))
                        .load(Suites.select(eval.suite()), eval.numFewshot()));
            } catch (RuntimeException e) {
                throw new StageFailure("eval.suite", "eval.data_dir " + eval.dataDir() + ": " + e.getMessage(), e);
            }
        }
        return tasks;
    }
}
