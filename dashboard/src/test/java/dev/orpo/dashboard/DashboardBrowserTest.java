package dev.orpo.dashboard;

import dev.orpo.contracts.RunIds;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.SharedStackTest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page in a real browser (Debian's headless chromium over CDP, see {@link HeadlessChromium}) while a run trains:
 * each TrainingProgressed published after the page loaded adds a point to the curves through the SSE stream, without
 * a reload. Leaves a screenshot at {@code dashboard/target/dashboard.png}.
 */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class DashboardBrowserTest extends SharedStackTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path TARGET = Path.of("target");

    @TestHTTPResource("/")
    URI base;

    @Inject
    RunViews views;

    @Test
    void curvesGrowInTheBrowserAsProgressEventsArrive() throws IOException {
        String runId = RunIds.newRunId();
        RunEvents run = new RunEvents(runId);
        topics.publishEvent(run.requested());
        topics.publishEvent(run.started());
        for (long step = 1; step <= 3; step++) {
            topics.publishEvent(run.train(step));
        }
        await().atMost(WAIT).until(() -> views.view(runId).map(v -> v.train().getOrDefault("loss",
                java.util.List.of()).size() == 3).orElse(false));

        Files.createDirectories(TARGET);
        try (HeadlessChromium browser = HeadlessChromium.open(base.resolve("/#run=" + runId), 1280, 1650,
                TARGET.resolve("chromium.log"), WAIT)) {
            await("3 loss points drawn, SSE open").atMost(WAIT).ignoreExceptions()
                    .until(() -> points(browser, "loss") == 3 && "open".equals(text(browser, "document.body.dataset.sse")));
            assertEquals(runId, text(browser, "document.getElementById('run-title').textContent"));
            assertEquals(10, browser.evaluate("document.querySelectorAll('.chart').length").asInt(),
                    "one chart per TRL train metric");

            // live: each new step reaches the open page through the SSE stream and adds one point
            for (long step = 4; step <= 8; step++) {
                topics.publishEvent(run.train(step));
                long expected = step;
                await("loss points = " + expected).atMost(WAIT).until(() -> points(browser, "loss") == expected);
            }
            topics.publishEvent(run.eval(4));
            topics.publishEvent(run.eval(8));
            await("eval points drawn").atMost(WAIT).until(() -> points(browser, "loss") == 10
                    && browser.evaluate(evalPoints("rewards/margins")).asInt() == 2);
            assertTrue(browser.evaluate("Number(document.body.dataset.liveEvents)").asInt() >= 7,
                    "the points came over the SSE stream");
            assertEquals(0, browser.evaluate("performance.getEntriesByType('navigation').length - 1").asInt(),
                    "no reload");

            // stage events refresh the timeline, eval table and artifacts
            topics.publishEvent(run.checkpoint(8));
            topics.publishEvent(run.evaluation("checkpoint", 8, 40));
            await("eval tables and artifacts shown").atMost(WAIT).until(() ->
                    browser.evaluate("document.querySelectorAll('#eval-table tr').length").asInt() == 6
                    && text(browser, "document.getElementById('artifacts').textContent")
                            .contains(run.checkpointUri(8)));
            // the seed's shape: suites and average per model, then base / tuned / change per task metric
            assertEquals("model GPT4All average | base 48.00 48.00 | tuned 50.50 50.50", text(browser,
                    "[...document.querySelectorAll('#eval-summary tr')].map(r => [...r.cells].map(c => c.textContent)"
                            + ".join(' ')).join(' | ')"));
            assertEquals("hellaswag/acc_norm 46.00 48.00 +2.00", text(browser, "[...[...document.querySelectorAll("
                    + "'#eval-table tr')][4].cells].map(c => c.textContent).join(' ')"));
            assertEquals("-0.5", text(browser, "[...document.querySelectorAll('#eval-table tr')][5].cells[3]"
                    + ".textContent"), "eval_loss: a plain number, not a percentage");
            assertTrue(text(browser, "document.getElementById('timeline').textContent").contains("checkpoint @8"));

            Path png = TARGET.resolve("dashboard.png");
            browser.screenshot(png);
            byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
            assertArrayEquals(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head);
            assertTrue(Files.size(png) > 20_000, "a screenshot with content, not a blank page: " + Files.size(png));
        }
    }

    private static int points(HeadlessChromium browser, String metric) {
        return browser.evaluate("Number((document.querySelector('.chart[data-metric=\"" + metric
                + "\"]') || {dataset: {}}).dataset.points || 0)").asInt();
    }

    private static String evalPoints(String metric) {
        return "Number((document.querySelector('.chart[data-metric=\"" + metric
                + "\"]') || {dataset: {}}).dataset.evalPoints || 0)";
    }

    private static String text(HeadlessChromium browser, String expression) {
        return browser.evaluate(expression).asText();
    }
}
