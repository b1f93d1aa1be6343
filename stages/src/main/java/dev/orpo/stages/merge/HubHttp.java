package dev.orpo.stages.merge;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP calls of a hub push: each answer below 300 is returned, anything else becomes a {@link HubPushException}
 * naming the repository, method, URL path (never the query: presigned upload URLs carry signatures), status and file.
 */
final class HubHttp {
    /** Headers java.net.http sets itself and refuses from callers (an LFS action may still list them). */
    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "date", "via", "warning");

    private final String repoId;
    private final String token;
    private final HttpClient http;

    HubHttp(String repoId, String token) {
        this.repoId = repoId;
        this.token = token;
        // 30 s to connect: long enough for a slow proxy, short enough that an offline machine fails fast
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** One answer: status, body and the response headers that a push reads (ETag of a multipart part). */
    record Answer(int status, byte[] body, HttpResponse<byte[]> raw) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    /**
     * Sends one request.
     *
     * @param auth    send the bearer token: hub API calls yes, LFS upload URLs no (presigned storage URLs reject a
     *                second credential, and huggingface_hub never sends the token there)
     * @param file    the file concerned, named in errors; null for repository-level calls
     * @param allowed statuses accepted besides 2xx (409 for an existing repository)
     */
    Answer send(String method, String url, Map<String, String> headers, HttpRequest.BodyPublisher body, boolean auth,
                String file, int... allowed) throws HubPushException {
        URI uri = URI.create(url);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).method(method, body)
                .timeout(Duration.ofMinutes(30)); // whole-request limit: a multi-GB shard on a slow link
        headers.forEach((k, v) -> {
            if (!RESTRICTED.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                request.header(k, v);
            }
        });
        if (auth) {
            request.header("Authorization", "Bearer " + token);
        }
        String what = "push to " + repoId + ": " + method + " " + uri.getPath() + (file == null ? "" : " (" + file + ")");
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpConnectTimeoutException | UnresolvedAddressException e) {
            throw new HubPushException(what + ": cannot reach " + uri.getScheme() + "://" + uri.getAuthority()
                    + " (offline, or the hub is unreachable from here): " + e, e);
        } catch (HttpTimeoutException e) {
            throw new HubPushException(what + ": timed out: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubPushException(what + ": interrupted", e);
        } catch (IOException e) {
            throw new HubPushException(what + ": " + e, e);
        }
        int status = response.statusCode();
        Answer answer = new Answer(status, response.body(), response);
        for (int ok : allowed) {
            if (status == ok) {
                return answer;
            }
        }
        if (status / 100 == 2) {
            return answer;
        }
        String detail = answer.text().strip();
        detail = detail.length() > 300 ? detail.substring(0, 300) + "…" : detail;
        if (status == 401 || status == 403) {
            throw new HubPushException(what + " answered " + status + ": token rejected (HF_TOKEN is invalid, expired"
                    + " or has no write access to " + repoId + ")" + (detail.isEmpty() ? "" : ": " + detail), status);
        }
        throw new HubPushException(what + " answered HTTP " + status + (detail.isEmpty() ? "" : ": " + detail), status);
    }
}
