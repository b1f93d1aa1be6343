package dev.orpo.stages.resolve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/**
 * Downloads files from the Hugging Face hub over plain HTTP: {@code <base>/<repo>/resolve/<revision>/<file>} for
 * models, {@code <base>/api/datasets/<repo>/parquet} for a dataset's Parquet listing. Sends {@code HF_TOKEN} as a
 * bearer token when given. The base URL is configurable so tests can point it at a local stand-in.
 */
public final class HubClient {
    /** The public hub. */
    public static final String DEFAULT_BASE_URL = "https://huggingface.co";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String token;
    private final HttpClient http;

    /**
     * @param baseUrl e.g. {@link #DEFAULT_BASE_URL}; no trailing slash needed
     * @param token   bearer token (HF_TOKEN) or null for public repositories
     */
    public HubClient(String baseUrl, String token) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token == null || token.isBlank() ? null : token;
        // 30 s to connect: long enough for a slow proxy, short enough that an offline machine fails fast
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** URL of one file of a model repository at a revision. */
    public String fileUrl(String repoId, String revision, String file) {
        return baseUrl + "/" + repoId + "/resolve/" + revision + "/" + file;
    }

    /** URL of a dataset's Parquet listing ({@code {config: {split: [url, ...]}}}). */
    public String parquetListingUrl(String datasetId) {
        return baseUrl + "/api/datasets/" + datasetId + "/parquet";
    }

    /**
     * Downloads {@code url} to {@code target} (replaced atomically).
     *
     * @return false when the hub answers 404 (an optional file that the repository lacks)
     * @throws IOException naming the URL on any other failure (offline, 401/403 without a valid HF_TOKEN, 5xx)
     */
    public boolean downloadIfPresent(String url, Path target) throws IOException {
        HttpResponse<InputStream> response = send(url);
        try (InputStream body = response.body()) {
            if (response.statusCode() == 404) {
                return false;
            }
            requireOk(url, response.statusCode());
            Files.createDirectories(target.toAbsolutePath().getParent());
            Path partial = Files.createTempFile(target.toAbsolutePath().getParent(), target.getFileName().toString(),
                    ".part");
            try {
                Files.copy(body, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
            return true;
        }
    }

    /** GETs a JSON document; empty on 404. */
    public Optional<JsonNode> getJson(String url) throws IOException {
        HttpResponse<InputStream> response = send(url);
        try (InputStream body = response.body()) {
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            requireOk(url, response.statusCode());
            return Optional.of(JSON.readTree(body));
        }
    }

    private HttpResponse<InputStream> send(String url) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET()
                .timeout(Duration.ofMinutes(30)); // whole-response limit: a multi-GB shard on a slow link
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | HttpConnectTimeoutException | UnresolvedAddressException e) {
            throw new IOException("cannot reach " + url + " (offline, or the hub " + baseUrl
                    + " is unreachable from here): " + e, e);
        } catch (HttpTimeoutException e) {
            throw new IOException("timed out downloading " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + url, e);
        } catch (IOException e) {
            throw new IOException("cannot download " + url + ": " + e, e);
        }
    }

    private void requireOk(String url, int status) throws IOException {
        if (status == 401 || status == 403) {
            throw new IOException("GET " + url + " answered " + status + ": the repository is gated or private; "
                    + (token == null ? "set HF_TOKEN" : "HF_TOKEN has no access to it"));
        }
        if (status / 100 != 2) {
            throw new IOException("GET " + url + " answered HTTP " + status);
        }
    }
}
