package dev.orpo.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** HTTP probes of a service under test: GET, and Prometheus values from {@code /q/metrics}. */
public final class ServiceHttp {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ServiceHttp() {
    }

    /** GET {@code path} relative to the service's base URI (10 s timeout). */
    public static HttpResponse<String> get(URI base, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: GET " + path, e);
        }
    }

    /** The exported value of {@code orpo_events_consumed_total{channel, outcome}}, 0 when absent. */
    public static double consumed(URI base, String channel, String outcome) {
        return get(base, "/q/metrics").body().lines()
                .filter(l -> l.startsWith("orpo_events_consumed_total{") && l.contains("channel=\"" + channel + "\"")
                        && l.contains("outcome=\"" + outcome + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
