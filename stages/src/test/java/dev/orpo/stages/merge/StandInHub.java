package dev.orpo.stages.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for the hub's upload endpoints (test code): whoami, repo create (409 when it exists), preupload
 * (LFS for {@code *.safetensors}, binary samples and files over {@code lfsOver} bytes), the LFS batch API (single PUT,
 * or multipart parts of {@code chunkSize} for larger objects; verify), and NDJSON commits. It checks the bearer token
 * on hub calls, that upload URLs get no token, the LFS sha256 and sizes, and keeps each repository's files as bytes.
 * Downloads: {@code GET /<repo>/resolve/main/<file>} of a repository's files (public ones without a token).
 */
public final class StandInHub implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern API = Pattern.compile("/api/models/([^/]+/[^/]+)/(preupload|commit)/([^/]+)");
    private static final Pattern BATCH = Pattern.compile("/([^/]+/[^/]+)\\.git/info/lfs/objects/batch");
    private static final Pattern UPLOAD = Pattern.compile("/lfs-upload/([0-9a-f]{64})(?:/part/(\\d+))?");
    private static final Pattern VERIFY = Pattern.compile("/lfs-verify/([0-9a-f]{64})");
    private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/main/(.+)");

    /** One repository: visibility, files (path → bytes) and commit count. */
    public record Repo(boolean privateRepo, Map<String, byte[]> files, List<String> commits) {
    }

    private final HttpServer server;
    private boolean closed;
    private final String user;
    private final String token;
    private final long lfsOver;
    private final long chunkSize;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, byte[]> lfsObjects = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, byte[]>> parts = new ConcurrentHashMap<>();
    private final List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());

    /**
     * @param lfsOver   files larger than this go through LFS (the hub: 10 MB)
     * @param chunkSize LFS objects larger than this are uploaded in parts of this size
     */
    private final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int failureStatus;

    public StandInHub(String user, String token, long lfsOver, long chunkSize) {
        this.user = user;
        this.token = token;
        this.lfsOver = lfsOver;
        this.chunkSize = chunkSize;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The repository, or null when it was never created. */
    public Repo repo(String repoId) {
        return repos.get(repoId);
    }

    /** Creates a public repository holding these files (path → bytes), as if pushed earlier. */
    public void seed(String repoId, Map<String, byte[]> files) {
        repos.put(repoId, new Repo(false, new ConcurrentHashMap<>(files), java.util.Collections.synchronizedList(
                new ArrayList<>(List.of("seed")))));
    }

    /** The next {@code n} requests (any kind) answer {@code status} without doing anything: a flaky hub. */
    public void failNext(int n, int status) {
        failures.set(n);
        failureStatus = status;
    }

    /** Every request seen, as "METHOD path". */
    public List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String method = x.getRequestMethod();
        requests.add(method + " " + path);
        byte[] body = x.getRequestBody().readAllBytes();
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            reply(x, failureStatus, "{\"error\":\"Service Unavailable (stand-in failure)\"}");
            return;
        }
        try {
            Matcher m;
            boolean upload = UPLOAD.matcher(path).matches();
            String auth = x.getRequestHeaders().getFirst("Authorization");
            if ((m = RESOLVE.matcher(path)).matches() && method.equals("GET")) {
                Repo repo = repos.get(m.group(1));
                byte[] file = repo == null || repo.privateRepo() && !("Bearer " + token).equals(auth) ? null
                        : repo.files().get(m.group(2));
                x.sendResponseHeaders(file == null ? 404 : 200, file == null ? -1 : file.length);
                try (var out = x.getResponseBody()) {
                    out.write(file == null ? new byte[0] : file);
                }
            } else if (upload && auth != null) {
                reply(x, 400, "{\"error\":\"storage URLs take no Authorization header\"}");
            } else if (!upload && !("Bearer " + token).equals(auth)) {
                reply(x, 401, "{\"error\":\"Invalid credentials in Authorization header\"}");
            } else if (path.equals("/api/whoami-v2")) {
                reply(x, 200, "{\"type\":\"user\",\"name\":\"" + user + "\"}");
            } else if (path.equals("/api/repos/create")) {
                JsonNode r = JSON.readTree(body);
                String id = r.path("organization").asText(user) + "/" + r.path("name").asText();
                boolean created = repos.putIfAbsent(id, new Repo(r.path("private").asBoolean(false),
                        new ConcurrentHashMap<>(), java.util.Collections.synchronizedList(new ArrayList<>()))) == null;
                reply(x, created ? 200 : 409, created ? "{\"url\":\"" + url() + "/" + id + "\",\"name\":\"" + id + "\"}"
                        : "{\"error\":\"You already created this model repo\",\"url\":\"" + url() + "/" + id + "\"}");
            } else if ((m = API.matcher(path)).matches() && repos.containsKey(m.group(1))) {
                if (m.group(2).equals("preupload")) {
                    preupload(x, JSON.readTree(body));
                } else {
                    commit(x, repos.get(m.group(1)), body);
                }
            } else if ((m = BATCH.matcher(path)).matches() && repos.containsKey(m.group(1))) {
                batch(x, JSON.readTree(body));
            } else if ((m = UPLOAD.matcher(path)).matches()) {
                upload(x, method, m.group(1), m.group(2), body);
            } else if ((m = VERIFY.matcher(path)).matches()) {
                JsonNode v = JSON.readTree(body);
                byte[] stored = lfsObjects.get(m.group(1));
                boolean ok = stored != null && stored.length == v.path("size").asLong(-1);
                reply(x, ok ? 200 : 404, ok ? "{}" : "{\"error\":\"object not stored or wrong size\"}");
            } else {
                reply(x, 404, "{\"error\":\"Repository not found\"}");
            }
        } catch (RuntimeException e) {
            reply(x, 400, "{\"error\":" + JSON.writeValueAsString(String.valueOf(e.getMessage())) + "}");
        }
    }

    private void preupload(HttpExchange x, JsonNode request) throws IOException {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode files = answer.putArray("files");
        for (JsonNode f : request.path("files")) {
            byte[] sample = Base64.getDecoder().decode(f.path("sample").asText());
            boolean binary = false;
            for (byte b : sample) {
                binary |= b == 0;
            }
            boolean lfs = f.path("path").asText().endsWith(".safetensors") || binary || f.path("size").asLong() > lfsOver;
            files.addObject().put("path", f.path("path").asText()).put("uploadMode", lfs ? "lfs" : "regular")
                    .put("shouldIgnore", false);
        }
        reply(x, 200, JSON.writeValueAsString(answer));
    }

    private void batch(HttpExchange x, JsonNode request) throws IOException {
        if (!"application/vnd.git-lfs+json".equals(x.getRequestHeaders().getFirst("Accept"))
                || !"upload".equals(request.path("operation").asText())) {
            reply(x, 422, "{\"message\":\"expected an LFS upload batch (Accept: application/vnd.git-lfs+json)\"}");
            return;
        }
        ObjectNode answer = JSON.createObjectNode().put("transfer", "basic");
        ArrayNode objects = answer.putArray("objects");
        for (JsonNode o : request.path("objects")) {
            String oid = o.path("oid").asText();
            long size = o.path("size").asLong();
            ObjectNode out = objects.addObject().put("oid", oid).put("size", size);
            if (lfsObjects.containsKey(oid)) {
                continue; // already stored: no actions
            }
            ObjectNode up = out.putObject("actions").putObject("upload").put("href", url() + "/lfs-upload/" + oid);
            if (size > chunkSize) {
                ObjectNode h = up.putObject("header").put("chunk_size", String.valueOf(chunkSize));
                for (long i = 1; (i - 1) * chunkSize < size; i++) {
                    h.put(String.valueOf(i), url() + "/lfs-upload/" + oid + "/part/" + i);
                }
            }
            ((ObjectNode) out.get("actions")).putObject("verify").put("href", url() + "/lfs-verify/" + oid);
        }
        reply(x, 200, JSON.writeValueAsString(answer));
    }

    private void upload(HttpExchange x, String method, String oid, String part, byte[] body) throws IOException {
        if (part != null) { // one part of a multipart upload
            parts.computeIfAbsent(oid, k -> new TreeMap<>()).put(Integer.parseInt(part), body);
            x.getResponseHeaders().add("ETag", "\"" + sha256(body) + "\"");
            reply(x, 200, "");
            return;
        }
        byte[] bytes = body;
        if (method.equals("POST")) { // multipart completion: the parts in order, checked against their ETags
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            Map<Integer, byte[]> got = parts.getOrDefault(oid, Map.of());
            int n = 0;
            for (JsonNode p : JSON.readTree(body).path("parts")) {
                byte[] b = got.get(p.path("partNumber").asInt());
                if (b == null || !p.path("etag").asText().equals("\"" + sha256(b) + "\"")) {
                    reply(x, 400, "{\"error\":\"part " + p.path("partNumber") + " missing or wrong etag\"}");
                    return;
                }
                all.write(b);
                n++;
            }
            if (n != got.size()) {
                reply(x, 400, "{\"error\":\"completion lists " + n + " of " + got.size() + " parts\"}");
                return;
            }
            bytes = all.toByteArray();
        }
        if (!sha256(bytes).equals(oid)) {
            reply(x, 400, "{\"error\":\"sha256 mismatch for " + oid + "\"}");
            return;
        }
        lfsObjects.put(oid, bytes);
        reply(x, 200, "");
    }

    private void commit(HttpExchange x, Repo repo, byte[] body) throws IOException {
        if (!"application/x-ndjson".equals(x.getRequestHeaders().getFirst("Content-Type"))) {
            reply(x, 415, "{\"error\":\"commits are application/x-ndjson\"}");
            return;
        }
        Map<String, byte[]> staged = new TreeMap<>();
        String summary = null;
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            JsonNode op = JSON.readTree(line);
            JsonNode v = op.path("value");
            switch (op.path("key").asText()) {
                case "header" -> summary = v.path("summary").asText();
                case "file" -> staged.put(v.path("path").asText(), Base64.getDecoder().decode(v.path("content").asText()));
                case "lfsFile" -> {
                    byte[] stored = lfsObjects.get(v.path("oid").asText());
                    if (stored == null || stored.length != v.path("size").asLong(-1)
                            || !"sha256".equals(v.path("algo").asText())) {
                        reply(x, 422, "{\"error\":\"LFS object of " + v.path("path").asText() + " not uploaded\"}");
                        return;
                    }
                    staged.put(v.path("path").asText(), stored);
                }
                default -> throw new IllegalArgumentException("unknown commit line " + line);
            }
        }
        if (summary == null) {
            reply(x, 400, "{\"error\":\"commit without a header line\"}");
            return;
        }
        repo.files().putAll(staged);
        repo.commits().add(summary);
        String oid = sha256(body).substring(0, 40);
        reply(x, 200, "{\"commitOid\":\"" + oid + "\",\"commitUrl\":\"" + url() + "/commit/" + oid + "\"}");
    }

    private static void reply(HttpExchange x, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (var out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            server.stop(0);
        }
    }
}
