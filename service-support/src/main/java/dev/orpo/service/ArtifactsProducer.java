package dev.orpo.service;

import dev.orpo.stages.resolve.Artifacts;
import dev.orpo.stages.resolve.HubAccess;
import dev.orpo.store.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;

/**
 * Hub access and the artifact resolver, built once per service from config: {@code orpo.hub.enabled},
 * {@code orpo.hub.url} (else {@code HF_ENDPOINT}) and {@code orpo.hub.token} (else {@code HF_TOKEN}), each also
 * settable by its environment name ({@code ORPO_HUB_ENABLED}); see {@link HubAccess}.
 */
@ApplicationScoped
public class ArtifactsProducer {
    @Produces
    @Singleton
    HubAccess hubAccess() {
        Config config = ConfigProvider.getConfig();
        return HubAccess.from(name -> config.getOptionalValue(name, String.class).orElse(null));
    }

    /** Downloads are cached under {@code <orpo.work-dir>/cache}. */
    @Produces
    @Singleton
    Artifacts artifacts(ObjectStore store, HubAccess hub, @ConfigProperty(name = "orpo.work-dir") Path workDir) {
        return new Artifacts(store, workDir.resolve("cache"), hub.client());
    }
}
