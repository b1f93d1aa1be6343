package dev.orpo.service;

import ai.djl.engine.Engine;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * DJL settings every service shares, applied before anything loads DJL: {@code ai.djl.offline=true} unless set on the
 * command line (models come from the object store, and the tokenizer library would otherwise probe the network), and
 * {@code orpo.engine.threads} PyTorch intra-op threads unless {@code -Dai.djl.pytorch.num_threads} is set.
 * With {@code orpo.engine.log-device=true} (trainer, eval) the engine is loaded at start and its device logged once
 * ({@code device: cpu()}); DJL's own warning that it found no GPU is silenced in the logging config.
 */
@ApplicationScoped
public class EngineSettings {
    private static final Logger LOG = Logger.getLogger(EngineSettings.class);
    private static final String THREADS = "ai.djl.pytorch.num_threads";

    void apply(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event,
               @ConfigProperty(name = "orpo.engine.threads") Optional<Integer> threads,
               @ConfigProperty(name = "orpo.engine.log-device", defaultValue = "false") boolean logDevice) {
        offlineUnlessSet();
        threads.filter(n -> System.getProperty(THREADS) == null)
                .ifPresent(n -> System.setProperty(THREADS, Integer.toString(n)));
        if (logDevice) {
            LOG.infof("device: %s (engine %s %s)", Engine.getInstance().defaultDevice(),
                    Engine.getInstance().getEngineName(), Engine.getInstance().getVersion());
        }
    }

    /** {@code ai.djl.offline=true} unless the command line said otherwise. */
    public static void offlineUnlessSet() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }
}
