package dev.orpo.stages.resolve;

import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.TrainingRequest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which places a request received over Kafka may name. Whoever can publish to {@code orpo.training.requested.v1} is not
 * trusted with the services' file system or with other buckets of their object-store credentials, so:
 *
 * <ul>
 *   <li>schemes: {@code s3://}, {@code hf://} and {@code https://} only ({@code file://}, {@code http://},
 *       {@code jar:}, ... are refused);</li>
 *   <li>{@code s3://} URIs name the pipeline's own bucket, and no key has a {@code ..} or {@code .} segment;</li>
 *   <li>local paths are absolute and lie inside one of {@code localRoots} (none by default, so a cluster refuses
 *       every local path; the local stack allows its own directory), without {@code ..} segments, also after
 *       resolving symbolic links ({@link #requireLocal});</li>
 *   <li>{@code https://} URLs carry no user info (credentials in a URL end up in logs).</li>
 * </ul>
 *
 * Each refusal is a {@link FieldError} naming the request field. {@code orpo} commands that run a stage locally do not
 * use a policy: there the user and the process are the same.
 *
 * @param bucket     the pipeline's bucket
 * @param localRoots directories local paths may lie in; empty refuses every local path
 */
public record SourcePolicy(String bucket, List<Path> localRoots) {
    private static final Set<String> SCHEMES = Set.of("s3", "hf", "https");
    /** {@code scheme:} as RFC 3986 spells it; a single letter is a Windows drive, not a scheme. */
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]+):");
    private static final Pattern HUB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");

    public SourcePolicy {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("source policy: bucket must not be blank");
        }
        localRoots = localRoots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    /** What a field may hold besides {@code s3://} and local paths. */
    public enum Kind {
        /** a base model: also a hub id ({@code org/name}) */
        MODEL,
        /** a dataset: also {@code hf://datasets/<org>/<name>} */
        DATASET,
        /** a file such as an evaluation task */
        FILE
    }

    /**
     * The policy of a service: its bucket, and the roots as configured ({@code orpo.sources.local-roots}, a comma
     * separated list; blank or null for none).
     */
    public static SourcePolicy of(String bucket, String localRoots) {
        List<Path> roots = new ArrayList<>();
        if (localRoots != null) {
            for (String r : localRoots.split(",")) {
                if (!r.isBlank()) {
                    roots.add(Path.of(r.trim()));
                }
            }
        }
        return new SourcePolicy(bucket, roots);
    }

    /** Every refusal for the places {@code request} names; empty when all are allowed. */
    public List<FieldError> check(TrainingRequest request) {
        List<FieldError> errors = new ArrayList<>();
        if (request == null) {
            return errors;
        }
        if (request.model() != null) {
            check("model.name_or_path", request.model().nameOrPath(), Kind.MODEL, errors);
        }
        if (request.dataset() != null) {
            check("dataset.uri", request.dataset().uri(), Kind.DATASET, errors);
        }
        List<String> tasks = request.eval().tasks();
        for (int i = 0; i < tasks.size(); i++) {
            check("eval.tasks[" + i + "]", tasks.get(i), Kind.FILE, errors);
        }
        return errors;
    }

    /** The refusal of one value, if any (null and blank values are the validator's business). */
    public List<FieldError> check(String field, String value, Kind kind) {
        List<FieldError> errors = new ArrayList<>();
        check(field, value, kind, errors);
        return errors;
    }

    private void check(String field, String value, Kind kind, List<FieldError> errors) {
        if (value == null || value.isBlank()) {
            return;
        }
        String reason = reason(value, kind);
        if (reason != null) {
            errors.add(new FieldError(field, reason));
        }
    }

    private String reason(String value, Kind kind) {
        if (value.indexOf('\0') >= 0 || value.chars().anyMatch(Character::isISOControl)) {
            return "contains control characters";
        }
        Matcher scheme = SCHEME.matcher(value);
        if (scheme.find()) {
            String s = scheme.group(1).toLowerCase(Locale.ROOT);
            if (!SCHEMES.contains(s)) {
                return s.equals("file")
                        ? "file: URIs are not accepted in a request sent over Kafka; upload the file (orpo upload) and"
                          + " name its s3:// URI"
                        : "scheme " + s + ": is not accepted (s3://, hf:// or https:// only)";
            }
            return switch (s) {
                case "s3" -> s3Reason(value);
                case "hf" -> hfReason(value, kind);
                default -> httpsReason(value);
            };
        }
        if (kind == Kind.MODEL && HUB_ID.matcher(value).matches() && !value.startsWith(".")) {
            return dotSegment(value) ? "a hub id has no . or .. parts" : null;
        }
        return localReason(value);
    }

    private String s3Reason(String value) {
        if (!value.startsWith("s3://")) {
            return "s3 URIs are written s3://" + bucket + "/key";
        }
        String rest = value.substring("s3://".length());
        int slash = rest.indexOf('/');
        String b = slash < 0 ? rest : rest.substring(0, slash);
        if (!b.equals(bucket)) {
            return "bucket " + (b.isEmpty() ? "(none)" : b) + " is not the pipeline's bucket " + bucket;
        }
        String key = slash < 0 ? "" : rest.substring(slash + 1);
        if (dotSegment(key) || key.contains("\\")) {
            return "the key has a . or .. segment (or a backslash)";
        }
        if (key.contains("//")) {
            return "the key has an empty segment (//)";
        }
        return null;
    }

    private static String hfReason(String value, Kind kind) {
        if (kind != Kind.DATASET || !value.startsWith("hf://datasets/")) {
            return "hf:// names hub datasets only, as hf://datasets/<org>/<name>";
        }
        String path = value.substring("hf://datasets/".length());
        if (dotSegment(path) || path.contains("\\") || path.contains("//")) {
            return "the dataset path has a . or .. segment, an empty segment or a backslash";
        }
        return null;
    }

    private static String httpsReason(String value) {
        if (!value.startsWith("https://")) {
            return "https URLs are written https://host/path";
        }
        String rest = value.substring("https://".length());
        int end = rest.indexOf('/');
        String authority = end < 0 ? rest : rest.substring(0, end);
        if (authority.contains("@")) {
            return "the URL carries user info (credentials belong in the service's configuration, not in a request)";
        }
        if (authority.isEmpty()) {
            return "the URL has no host";
        }
        return end >= 0 && dotSegment(rest.substring(end + 1)) ? "the URL path has a . or .. segment" : null;
    }

    private String localReason(String value) {
        if (value.contains("\\") || dotSegment(value)) {
            return "local path " + value + " has a . or .. segment (or a backslash)";
        }
        Path p = Path.of(value);
        if (!p.isAbsolute()) {
            return "relative local path " + value + ": a service resolves no paths relative to itself; name an s3:// URI"
                    + " (orpo upload) or an absolute path under " + rootsText();
        }
        Path normal = p.normalize();
        if (localRoots.stream().noneMatch(normal::startsWith)) {
            return "local path " + value + " is outside the allowed roots (" + rootsText() + "); upload it with orpo"
                    + " upload and name its s3:// URI";
        }
        return null;
    }

    /**
     * The real location of an allowed local path, symbolic links resolved, checked again against the roots (a link
     * inside a root must not lead outside it).
     *
     * @throws ArtifactException naming {@code field} when the path is refused or does not exist
     */
    public Path requireLocal(String field, String value) {
        String reason = localReason(value);
        if (reason != null) {
            throw new ArtifactException(field + ": " + reason);
        }
        Path real;
        try {
            real = Path.of(value).toRealPath();
        } catch (IOException e) {
            throw new ArtifactException(field + ": " + value + ": no such file or directory");
        }
        if (localRoots.stream().noneMatch(root -> real.startsWith(realOrSelf(root)))) {
            throw new ArtifactException(field + ": " + value + " leads to " + real + " (a symbolic link), outside the"
                    + " allowed roots (" + rootsText() + ")");
        }
        return real;
    }

    private static Path realOrSelf(Path root) {
        try {
            return Files.exists(root) ? root.toRealPath() : root;
        } catch (IOException e) {
            return root;
        }
    }

    private String rootsText() {
        return localRoots.isEmpty() ? "none are configured: orpo.sources.local-roots" : localRoots.toString();
    }

    /** Whether a slash-separated path has a {@code .} or {@code ..} segment. */
    private static boolean dotSegment(String path) {
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                return true;
            }
        }
        return false;
    }
}
