package dev.orpo.stages.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.stages.resolve.HubAccess;
import dev.orpo.stages.resolve.HubClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Pushes a model directory to a Hugging Face hub model repository over the hub's HTTP API, the calls that
 * huggingface_hub's {@code create_repo(exist_ok=True)} + {@code upload_folder} make:
 * <ol>
 *   <li>{@code POST /api/repos/create} (409: it exists, fine);</li>
 *   <li>{@code POST /api/models/<repo>/preupload/<rev>} with each file's path, size and first 512 bytes: the hub
 *       answers which files go through LFS and which inline;</li>
 *   <li>LFS files: {@code POST /<repo>.git/info/lfs/objects/batch} by sha256 + size, then PUT the bytes (one request,
 *       or the parts the hub asks for) and verify, for each object the hub does not hold yet ({@link HubLfs});</li>
 *   <li>one commit, {@code POST /api/models/<repo>/commit/<rev>} as NDJSON: a header line, regular files inline
 *       (base64), LFS files by oid.</li>
 * </ol>
 * A re-push of the same files uploads no LFS bytes again (the hub already holds the objects) and commits the same tree.
 */
public final class HubPush {
    /** The branch pushed to, as huggingface_hub's default. */
    public static final String DEFAULT_REVISION = "main";
    /** Bytes of a file's start sent to preupload (the hub sniffs binary content from them), as huggingface_hub. */
    static final int SAMPLE_BYTES = 512;
    /** Files per preupload call: huggingface_hub's chunk size, well under the hub's request limits. */
    private static final int PREUPLOAD_CHUNK = 256;
    /** Hub repo ids: {@code [namespace/]name} of letters, digits, {@code - _ .}; 96 characters at most per part. */
    public static final Pattern REPO_ID = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]{0,95}/)?[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What a push did.
     *
     * @param repoId      {@code namespace/name} (the namespace of a bare name is the token's user)
     * @param lfsUploaded LFS files whose bytes were sent (0 on a re-push: the hub had them)
     */
    public record Result(String repoId, String url, String commitOid, int regularFiles, int lfsFiles,
                         int lfsUploaded) {
    }

    /** One local file: its path in the repository, size, sha256 and first bytes. */
    record LocalFile(String path, Path file, long size, String sha256, byte[] sample) {
    }

    private final String baseUrl;
    private final String token;
    private final Duration backoff;

    /**
     * @param baseUrl e.g. {@link HubClient#DEFAULT_BASE_URL}; tests give a local stand-in
     * @param token   a write token (HF_TOKEN); null or blank makes every push fail before any request
     */
    public HubPush(String baseUrl, String token) {
        this(baseUrl, token, Duration.ofSeconds(1)); // huggingface_hub's first backoff
    }

    /** @param backoff wait before the first retry of a transiently failed call (doubled for each next one) */
    HubPush(String baseUrl, String token, Duration backoff) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token == null || token.isBlank() ? null : token.strip();
        this.backoff = backoff;
    }

    /** A push client for the hub that {@code access} allows, or null when hub access is disabled. */
    public static HubPush of(HubAccess access) {
        return access.enabled() ? new HubPush(access.baseUrl(), access.token()) : null;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Whether a token was given (a push without one is refused before any request). */
    public boolean hasToken() {
        return token != null;
    }

    /**
     * Creates the repository if needed and commits every file under {@code dir} to its {@value #DEFAULT_REVISION}.
     *
     * @param repoId      {@code namespace/name}, or a bare name in the token user's namespace
     * @param privateRepo create the repository private (an existing one keeps its visibility)
     * @param summary     the commit message
     */
    public Result push(String repoId, Path dir, boolean privateRepo, String summary) throws IOException {
        if (repoId == null || !REPO_ID.matcher(repoId).matches()) {
            throw new HubPushException("push to " + repoId + ": not a hub repo id ([namespace/]name of letters,"
                    + " digits, - _ .)", -1);
        }
        if (token == null) {
            throw new HubPushException("push to " + repoId + ": no hub token; set HF_TOKEN to a token with write"
                    + " access (nothing was uploaded)", -1);
        }
        List<LocalFile> files = scan(dir);
        if (files.isEmpty()) {
            throw new HubPushException("push to " + repoId + ": " + dir + " holds no files", -1);
        }
        String fullId = repoId.contains("/") ? repoId : whoami(repoId) + "/" + repoId;
        HubHttp http = new HubHttp(fullId, token, backoff);
        createRepo(http, fullId, privateRepo);
        String revision = URLEncoder.encode(DEFAULT_REVISION, StandardCharsets.UTF_8);
        Map<String, String> modes = preupload(http, fullId, revision, files);
        List<LocalFile> lfs = files.stream().filter(f -> "lfs".equals(modes.get(f.path()))).toList();
        int uploaded = new HubLfs(http, baseUrl, fullId).upload(lfs);
        String commitOid = commit(http, fullId, revision, files, modes, summary);
        return new Result(fullId, baseUrl + "/" + fullId, commitOid, files.size() - lfs.size(), lfs.size(), uploaded);
    }

    private String whoami(String repoId) throws HubPushException {
        HubHttp.Answer a = new HubHttp(repoId, token, backoff).send("GET", baseUrl + "/api/whoami-v2", Map.of(),
                HttpRequest.BodyPublishers.noBody(), true, null);
        String name = json(a, "/api/whoami-v2").path("name").asText("");
        if (name.isEmpty()) {
            throw new HubPushException("push to " + repoId + ": GET /api/whoami-v2 named no user: " + a.text(), -1);
        }
        return name;
    }

    private void createRepo(HubHttp http, String fullId, boolean privateRepo) throws HubPushException {
        ObjectNode body = JSON.createObjectNode();
        int slash = fullId.indexOf('/');
        body.put("name", fullId.substring(slash + 1));
        body.put("organization", fullId.substring(0, slash));
        body.put("type", "model");
        body.put("private", privateRepo);
        http.send("POST", baseUrl + "/api/repos/create", Map.of("Content-Type", "application/json"), publish(body),
                true, null, 409); // 409: the repository exists, as create_repo(exist_ok=True) accepts
    }

    /** Asks the hub, in chunks, how each file goes up: path → "lfs" | "regular"; files it says to ignore are left out. */
    private Map<String, String> preupload(HubHttp http, String fullId, String revision, List<LocalFile> files)
            throws HubPushException {
        Map<String, String> modes = new HashMap<>();
        String url = baseUrl + "/api/models/" + fullId + "/preupload/" + revision;
        for (int from = 0; from < files.size(); from += PREUPLOAD_CHUNK) {
            ObjectNode body = JSON.createObjectNode();
            ArrayNode list = body.putArray("files");
            for (LocalFile f : files.subList(from, Math.min(files.size(), from + PREUPLOAD_CHUNK))) {
                list.addObject().put("path", f.path()).put("size", f.size())
                        .put("sample", Base64.getEncoder().encodeToString(f.sample()));
            }
            HubHttp.Answer a = http.send("POST", url, Map.of("Content-Type", "application/json"), publish(body), true,
                    null);
            for (JsonNode f : json(a, url).path("files")) {
                String mode = f.path("uploadMode").asText("");
                if (!mode.equals("lfs") && !mode.equals("regular")) {
                    throw new HubPushException("push to " + fullId + ": preupload answered upload mode '" + mode
                            + "' for " + f.path("path").asText() + " (expected lfs or regular)", a.status());
                }
                modes.put(f.path("path").asText(), f.path("shouldIgnore").asBoolean(false) ? "ignore" : mode);
            }
        }
        for (LocalFile f : files) {
            if (!modes.containsKey(f.path())) {
                throw new HubPushException("push to " + fullId + ": preupload gave no upload mode for " + f.path(), -1);
            }
        }
        return modes;
    }

    private String commit(HubHttp http, String fullId, String revision, List<LocalFile> files,
                          Map<String, String> modes, String summary) throws IOException {
        ByteArrayOutputStream ndjson = new ByteArrayOutputStream();
        ObjectNode header = JSON.createObjectNode().put("key", "header");
        header.putObject("value").put("summary", summary).put("description", "");
        line(ndjson, header);
        for (LocalFile f : files) {
            String mode = modes.get(f.path());
            ObjectNode op = JSON.createObjectNode();
            if (mode.equals("regular")) {
                op.put("key", "file").putObject("value").put("path", f.path()).put("encoding", "base64")
                        .put("content", Base64.getEncoder().encodeToString(Files.readAllBytes(f.file())));
            } else if (mode.equals("lfs")) {
                op.put("key", "lfsFile").putObject("value").put("path", f.path()).put("algo", "sha256")
                        .put("oid", f.sha256()).put("size", f.size());
            } else {
                continue; // the hub asked to ignore it (e.g. matched its .gitignore)
            }
            line(ndjson, op);
        }
        String url = baseUrl + "/api/models/" + fullId + "/commit/" + revision;
        HubHttp.Answer a = http.send("POST", url, Map.of("Content-Type", "application/x-ndjson"),
                HttpRequest.BodyPublishers.ofByteArray(ndjson.toByteArray()), true, null);
        return json(a, url).path("commitOid").asText(null);
    }

    /** Every regular file under {@code dir}, sorted, with its repository path ('/'-separated), sha256 and sample. */
    static List<LocalFile> scan(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new HubPushException("push: " + dir + " is not a directory", -1);
        }
        List<LocalFile> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                MessageDigest sha = sha256();
                ByteArrayOutputStream sample = new ByteArrayOutputStream();
                byte[] buffer = new byte[1 << 16];
                long size = 0;
                try (InputStream in = Files.newInputStream(f)) {
                    for (int n; (n = in.read(buffer)) > 0; size += n) {
                        sha.update(buffer, 0, n);
                        if (sample.size() < SAMPLE_BYTES) {
                            sample.write(buffer, 0, (int) Math.min(n, SAMPLE_BYTES - sample.size()));
                        }
                    }
                }
                files.add(new LocalFile(dir.relativize(f).toString().replace('\\', '/'), f, size,
                        HexFormat.of().formatHex(sha.digest()), sample.toByteArray()));
            }
        }
        return files;
    }

    static JsonNode json(HubHttp.Answer a, String url) throws HubPushException {
        try {
            return JSON.readTree(a.body());
        } catch (IOException e) {
            throw new HubPushException("hub answer of " + url + " is not JSON: " + a.text(), a.status());
        }
    }

    static HttpRequest.BodyPublisher publish(JsonNode body) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private static void line(ByteArrayOutputStream out, JsonNode node) throws IOException {
        out.write(JSON.writeValueAsBytes(node));
        out.write('\n');
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
