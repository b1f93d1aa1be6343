package dev.orpo.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.contracts.json.Json;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * Debian's {@code chromium} in headless mode, driven over the Chrome DevTools Protocol (CDP) with the JDK's
 * {@link WebSocket}: no driver, nothing downloaded. Chromium is started on the page with
 * {@code --remote-debugging-port=0}; it writes the port it chose to {@code DevToolsActivePort} in its profile
 * directory, {@code /json/list} names the page's WebSocket, and CDP commands ({@code Runtime.evaluate},
 * {@code Page.captureScreenshot}) go over it as JSON. A missing binary fails the test with how to install it.
 */
final class HeadlessChromium implements AutoCloseable {
    /** Overrides the binary (else the first of {@link #NAMES} on the PATH). */
    static final String BINARY_PROPERTY = "orpo.test.chromium";
    static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private HeadlessChromium(Process process, Path profile, URI page, Duration timeout) {
        this.process = process;
        this.profile = profile;
        Path portFile = profile.resolve("DevToolsActivePort");
        await("chromium's DevToolsActivePort").atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("chromium exited with " + process.exitValue() + " before opening CDP");
            }
            return Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2;
        });
        HttpClient http = HttpClient.newHttpClient();
        String port = read(portFile).get(0).strip();
        String pageSocket = await("the page target").atMost(timeout).until(() -> pageSocket(http, port, page),
                s -> s != null);
        socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new Replies()).join();
    }

    /** Starts chromium on {@code page} with a {@code width}×{@code height} window, logging to {@code log}. */
    static HeadlessChromium open(URI page, int width, int height, Path log, Duration timeout) {
        String binary = binary();
        try {
            Path profile = Files.createTempDirectory("orpo-chromium-");
            Process process = new ProcessBuilder(binary, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
                    "--user-data-dir=" + profile, "--remote-debugging-port=0", "--remote-allow-origins=*",
                    "--window-size=" + width + "," + height, page.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                return new HeadlessChromium(process, profile, page, timeout);
            } catch (RuntimeException | Error e) {
                process.destroyForcibly();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
    }

    /** The binary to run; fails (never skips) when there is none. */
    static String binary() {
        String configured = System.getProperty(BINARY_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : NAMES) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        throw new AssertionError("the browser test needs Chromium, and none of " + NAMES + " is on the PATH: install "
                + "Debian's package (apt-get install -y chromium) or set -D" + BINARY_PROPERTY + "=/path/to/chromium");
    }

    /** Evaluates a JavaScript expression in the page and returns its value (JSON). */
    JsonNode evaluate(String expression) {
        JsonNode result = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("page threw on `" + expression + "`: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** Writes a PNG of the window to {@code file}. */
    void screenshot(Path file) {
        String data = send("Page.captureScreenshot", Map.of("format", "png")).path("data").asText();
        try {
            Files.write(file, Base64.getDecoder().decode(data));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Sends one CDP command and waits for its result; a CDP error throws with its message. */
    JsonNode send(String method, Map<String, Object> params) {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        Map<String, Object> command = new LinkedHashMap<>();
        command.put("id", id);
        command.put("method", method);
        command.put("params", params);
        try {
            synchronized (socket) {
                socket.sendText(Json.toJson(command), true).get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            JsonNode message = reply.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (message.has("error")) {
                throw new IllegalStateException(method + " failed: " + message.get("error"));
            }
            return message.path("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + method, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("no answer to " + method + " from chromium: " + e, e);
        } finally {
            pending.remove(id);
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> walk = Files.walk(profile)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover profile under the temp dir is harmless
        }
    }

    private static String pageSocket(HttpClient http, String port, URI page) throws IOException,
            InterruptedException {
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/json/list")).build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode target : Json.mapper().readTree(list.body())) {
            if ("page".equals(target.path("type").asText())
                    && target.path("url").asText().startsWith(page.getScheme() + "://" + page.getAuthority())) {
                return target.path("webSocketDebuggerUrl").asText();
            }
        }
        return null;
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Collects a message's frames and completes the command it answers (events, without an id, are dropped). */
    private final class Replies implements WebSocket.Listener {
        private final StringBuilder frames = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            frames.append(data);
            if (last) {
                String text = frames.toString();
                frames.setLength(0);
                try {
                    JsonNode message = Json.mapper().readTree(text);
                    CompletableFuture<JsonNode> reply = message.has("id") ? pending.get(message.get("id").asLong())
                            : null;
                    if (reply != null) {
                        reply.complete(message);
                    }
                } catch (IOException e) {
                    pending.values().forEach(f -> f.completeExceptionally(e));
                }
            }
            ws.request(1);
            return null;
        }
    }
}
