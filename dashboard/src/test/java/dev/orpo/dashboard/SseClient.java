package dev.orpo.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.contracts.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;

/** Reads a Server-Sent Events stream in the background and keeps each {@code data:} line, parsed as JSON. */
final class SseClient implements AutoCloseable {
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    private final CompletableFuture<HttpResponse.ResponseInfo> head = new CompletableFuture<>();
    private final CompletableFuture<HttpResponse<Void>> response;

    SseClient(HttpClient http, URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").build();
        response = http.sendAsync(request, info -> {
            head.complete(info);
            return HttpResponse.BodySubscribers.fromLineSubscriber(new Lines());
        });
    }

    /** The events received so far. */
    List<JsonNode> events() {
        return events;
    }

    /** Status and headers, once they arrived (null before). */
    HttpResponse.ResponseInfo head() {
        return head.getNow(null);
    }

    @Override
    public void close() {
        subscription.thenAccept(Flow.Subscription::cancel);
        response.cancel(true);
    }

    private final class Lines implements Flow.Subscriber<String> {
        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.complete(s);
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (line.startsWith("data:")) {
                try {
                    events.add(Json.mapper().readTree(line.substring(5).strip()));
                } catch (IOException e) {
                    throw new UncheckedIOException("not JSON on the SSE stream: " + line, e);
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            // the test closed the stream, or the app stopped: nothing more will arrive
        }

        @Override
        public void onComplete() {
        }
    }
}
