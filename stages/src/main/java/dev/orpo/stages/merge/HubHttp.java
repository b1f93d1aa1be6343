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
 * Transient failures — HTTP 429, 500, 502, 503, 504, or a connection dropped mid-request — are retried
 * {@value #RETRIES} times after 1, 2, 4 × the backoff (or the server's {@code Retry-After}, at most a minute), as
 * huggingface_hub's {@code http_backoff} does; every body is re-sent from its source. An unreachable host, a timeout or
 * any other status fails at once.
 */
final class HubHttp {
    /** Headers java.net.http sets itself and refuses from callers (an LFS action may still list them). */
    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "date", "via", "warning");

    /** Retries of a transiently failed call: three, like huggingface_hub's default for uploads. */
    static final int RETRIES = 3;
    private static final Set<Integer> TRANSIENT = Set.of(429, 500, 502, 503, 504);
    /** Longest wait before a retry, whatever Retry-After says. */
    private static final Duration MAX_WAIT = Duration.ofMinutes(1);

    private final String repoId;
    private final String token;
    private final Duration backoff;
    private final HttpClient http;

    /** @param backoff the first retry's wait (then doubled); the hub: 1 s */
    HubHttp(String repoId, String token, Duration backoff) {
        this.repoId = repoId;
        this.token = token;
        this.backoff = backoff;
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
        HttpResponse<byte[]> response = null;
        for (int attempt = 0; ; attempt++) {
            IOException dropped = null;
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
                dropped = e;
            }
            boolean again = dropped != null || TRANSIENT.contains(response.statusCode());
            if (!again || attempt == RETRIES) {
                if (dropped != null) {
                    throw new HubPushException(what + ": " + dropped + (attempt > 0 ? " (after " + attempt
                            + " retries)" : ""), dropped);
                }
                break;
            }
            pause(dropped == null ? response.headers().firstValue("Retry-After").orElse(null) : null, attempt, what);
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
        throw new HubPushException(what + " answered HTTP " + status + (TRANSIENT.contains(status) ? " (after "
                + RETRIES + " retries)" : "") + (detail.isEmpty() ? "" : ": " + detail), status);
    }

    /** Waits before retry {@code attempt + 1}: Retry-After seconds when given, else backoff · 2^attempt. */
    private void pause(String retryAfter, int attempt, String what) throws HubPushException {
        Duration wait = backoff.multipliedBy(1L << attempt);
        if (retryAfter != null && retryAfter.strip().matches("\\d+")) {
            wait = Duration.ofSeconds(Long.parseLong(retryAfter.strip()));
        }
        try {
            Thread.sleep(Math.min(wait.toMillis(), MAX_WAIT.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubPushException(what + ": interrupted while waiting to retry", e);
        }
    }
}
