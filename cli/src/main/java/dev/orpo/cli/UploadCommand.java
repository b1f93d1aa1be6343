package dev.orpo.cli;

import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.stages.resolve.ArtifactException;
import dev.orpo.stages.resolve.StoreManifest;
import dev.orpo.stages.resolve.StoreUpload;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.ObjectStoreConfig;
import dev.orpo.store.ObjectStoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Puts a model directory or dataset file into the object store ({@link StoreUpload}); prints its s3:// URI. */
@Command(name = "upload", mixinStandardHelpOptions = true,
        description = {"Put a local Hugging Face model directory (config.json, tokenizer files, safetensors shards, "
                + "index) or a dataset file into the object store, under a content-addressed prefix: "
                + "models/<name>@<sha>/ or datasets/<name>@<sha>/, <sha> = first 12 hex digits of the SHA-256 of "
                + "the file list as sha256sum prints it. A SHA-256 manifest (_MANIFEST.json) is written last.",
                "Prints the s3:// URI to put in a request (model.name_or_path, dataset.uri) on stdout, progress on "
                        + "stderr. Run it again to resume an interrupted upload: stored files with the same size and "
                        + "SHA-256 are skipped.",
                "Object store: --s3-endpoint/--bucket, else ORPO_S3_ENDPOINT, ORPO_S3_ACCESS_KEY, ORPO_S3_SECRET_KEY, "
                        + "ORPO_S3_BUCKET (as the services), else the local stack's."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:uploaded (or already there)", "2:bad input (no such path, bad name)",
                "3:the object store is unreachable or refused"})
public final class UploadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    S3Options s3;

    @Parameters(paramLabel = "PATH", description = "a model directory, a dataset file, or a directory of data files")
    Path path;

    @Option(names = "--name", paramLabel = "NAME", description = "name in the prefix (default: the directory's name, "
            + "or the file's without extensions)")
    String name;

    @Option(names = "--kind", paramLabel = "KIND", description = "model or dataset (default: model for a directory "
            + "with config.json, else dataset)")
    String kind;

    @Option(names = "--progress", paramLabel = "MODE", description = "bar, lines or none (default: bar on a terminal, "
            + "else lines)")
    String progress;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.exists(path)) {
            return fail(err, ExitCodes.BAD_INPUT, path + ": no such file or directory");
        }
        String n = name != null ? name : StoreUpload.defaultName(path);
        String k = kind != null ? kind.toLowerCase(Locale.ROOT) : StoreUpload.kindOf(path);
        String mode = progress != null ? progress : Terminal.stdoutIsTerminal() ? "bar" : "lines";
        ObjectStoreConfig config;
        try {
            ObjectStoreLayout.requireName(n);
            if (!k.equals(StoreManifest.MODEL) && !k.equals(StoreManifest.DATASET)) {
                throw new IllegalArgumentException("--kind must be model or dataset, was " + kind);
            }
            if (!mode.equals("bar") && !mode.equals("lines") && !mode.equals("none")) {
                throw new IllegalArgumentException("--progress must be bar, lines or none, was " + progress);
            }
            config = s3.config();
        } catch (IllegalArgumentException e) {
            return fail(err, ExitCodes.BAD_INPUT, e.getMessage());
        }
        UploadProgress bar = new UploadProgress(err, mode.equals("bar"));
        StoreUpload.Result r;
        long start = System.nanoTime();
        try {
            r = StoreUpload.upload(new ObjectStore(config), path, n, k,
                    mode.equals("none") ? StoreUpload.Listener.NONE : bar);
        } catch (ArtifactException | IOException e) {
            return fail(err, ExitCodes.BAD_INPUT, e.getMessage());
        } catch (ObjectStoreException e) {
            return fail(err, ExitCodes.UNAVAILABLE, e.getMessage() + " (object store " + config.endpoint()
                    + "; is the stack up? ./orpo local up)");
        }
        if (mode.equals("bar")) {
            bar.finish();
        }
        err.printf(Locale.ROOT, "%s: %d file(s) uploaded (%s), %d already stored (%s), in %.1f s; manifest %s%s%n",
                k, r.uploadedFiles(), UploadProgress.bytes(r.uploadedBytes()), r.skippedFiles(),
                UploadProgress.bytes(r.skippedBytes()), (System.nanoTime() - start) / 1e9, r.prefixUri(),
                ObjectStoreLayout.MANIFEST);
        err.println("use it in a request: " + (k.equals(StoreManifest.MODEL) ? "model.name_or_path" : "dataset.uri")
                + ": " + r.uri());
        err.flush();
        out.println(r.uri());
        out.flush();
        return ExitCodes.OK;
    }

    private static int fail(PrintWriter err, int code, String message) {
        err.println("orpo upload: " + message);
        err.flush();
        return code;
    }
}
