package dev.orpo.stages.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpRequest;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The LFS half of a hub push (git-lfs batch API as the hub serves it): one batch call announces the objects
 * (sha256 oid + size); for each object the hub lacks it answers an {@code upload} action: a single PUT of the bytes,
 * or, when its header carries {@code chunk_size}, one PUT per numbered part followed by a completion POST with the
 * parts' ETags; then the {@code verify} action if given. Objects the hub already holds come back without actions.
 */
final class HubLfs {
    private static final Map<String, String> LFS_HEADERS = Map.of("Accept", "application/vnd.git-lfs+json",
            "Content-Type", "application/vnd.git-lfs+json");

    private final HubHttp http;
    private final String baseUrl;
    private final String repoId;

    HubLfs(HubHttp http, String baseUrl, String repoId) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.repoId = repoId;
    }

    /** Uploads the objects the hub lacks; returns how many it uploaded. */
    int upload(List<HubPush.LocalFile> files) throws IOException {
        if (files.isEmpty()) {
            return 0;
        }
        Map<String, HubPush.LocalFile> byOid = new HashMap<>();
        ObjectNode body = HubPush.JSON.createObjectNode().put("operation", "upload").put("hash_algo", "sha256");
        body.putArray("transfers").add("basic").add("multipart");
        body.putObject("ref").put("name", HubPush.DEFAULT_REVISION);
        ArrayNode objects = body.putArray("objects");
        for (HubPush.LocalFile f : files) {
            if (byOid.putIfAbsent(f.sha256(), f) == null) { // two files with the same bytes are one object
                objects.addObject().put("oid", f.sha256()).put("size", f.size());
            }
        }
        String url = baseUrl + "/" + repoId + ".git/info/lfs/objects/batch";
        JsonNode answer = HubPush.json(http.send("POST", url, LFS_HEADERS, HubPush.publish(body), true, null), url);
        int uploaded = 0;
        for (JsonNode o : answer.path("objects")) {
            HubPush.LocalFile f = byOid.get(o.path("oid").asText());
            if (f == null) {
                throw new HubPushException("push to " + repoId + ": LFS batch answered an object we did not ask for: "
                        + o.path("oid").asText(), -1);
            }
            if (o.has("error")) {
                throw new HubPushException("push to " + repoId + ": LFS batch refused " + f.path() + ": "
                        + o.path("error").path("message").asText() + " (code " + o.path("error").path("code").asInt()
                        + ")", o.path("error").path("code").asInt(-1));
            }
            JsonNode upload = o.path("actions").path("upload");
            if (upload.isMissingNode()) {
                continue; // the hub already holds these bytes
            }
            JsonNode header = upload.path("header");
            if (header.has("chunk_size")) {
                multipart(f, upload);
            } else {
                http.send("PUT", upload.path("href").asText(), headers(header),
                        HttpRequest.BodyPublishers.ofFile(f.file()), false, f.path());
            }
            JsonNode verify = o.path("actions").path("verify");
            if (!verify.isMissingNode()) {
                ObjectNode v = HubPush.JSON.createObjectNode().put("oid", f.sha256()).put("size", f.size());
                Map<String, String> h = new HashMap<>(headers(verify.path("header")));
                h.putAll(LFS_HEADERS);
                http.send("POST", verify.path("href").asText(), h, HubPush.publish(v), true, f.path());
            }
            uploaded++;
        }
        return uploaded;
    }

    /** The parts the hub asked for (header "1", "2", ... → URL), each {@code chunk_size} bytes, then completion. */
    private void multipart(HubPush.LocalFile f, JsonNode upload) throws IOException {
        long chunk = Long.parseLong(upload.path("header").path("chunk_size").asText());
        TreeMap<Integer, String> parts = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = upload.path("header").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().chars().allMatch(Character::isDigit)) {
                parts.put(Integer.parseInt(e.getKey()), e.getValue().asText());
            }
        }
        long expected = (f.size() + chunk - 1) / chunk;
        if (chunk <= 0 || parts.size() != expected) {
            throw new HubPushException("push to " + repoId + ": LFS multipart upload of " + f.path() + " offered "
                    + parts.size() + " parts of " + chunk + " bytes for " + f.size() + " bytes", -1);
        }
        ObjectNode completion = HubPush.JSON.createObjectNode().put("oid", f.sha256());
        ArrayNode done = completion.putArray("parts");
        try (RandomAccessFile in = new RandomAccessFile(f.file().toFile(), "r")) {
            for (Map.Entry<Integer, String> part : parts.entrySet()) {
                long offset = (part.getKey() - 1) * chunk;
                byte[] bytes = new byte[(int) Math.min(chunk, f.size() - offset)];
                in.seek(offset);
                in.readFully(bytes);
                HubHttp.Answer a = http.send("PUT", part.getValue(), Map.of(),
                        HttpRequest.BodyPublishers.ofByteArray(bytes), false, f.path() + " part " + part.getKey());
                String etag = a.header("ETag");
                if (etag == null || etag.isEmpty()) {
                    throw new HubPushException("push to " + repoId + ": part " + part.getKey() + " of " + f.path()
                            + " came back without an ETag", a.status());
                }
                done.addObject().put("partNumber", part.getKey()).put("etag", etag);
            }
        }
        http.send("POST", upload.path("href").asText(), LFS_HEADERS, HubPush.publish(completion), false, f.path());
    }

    /** An action's header as request headers (its {@code chunk_size} and part URLs are not headers). */
    private static Map<String, String> headers(JsonNode header) {
        Map<String, String> h = new HashMap<>();
        header.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("chunk_size") && !e.getKey().chars().allMatch(Character::isDigit)) {
                h.put(e.getKey(), e.getValue().asText());
            }
        });
        return h;
    }
}
