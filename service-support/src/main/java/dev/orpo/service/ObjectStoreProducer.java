package dev.orpo.service;

import dev.orpo.store.ObjectStore;
import dev.orpo.store.ObjectStoreConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The run-artifact store from {@code orpo.s3.*} (env {@code ORPO_S3_*}); building it opens no connection. */
@ApplicationScoped
public class ObjectStoreProducer {
    @Produces
    @Singleton
    ObjectStore objectStore(@ConfigProperty(name = "orpo.s3.endpoint") String endpoint,
                            @ConfigProperty(name = "orpo.s3.access-key") String accessKey,
                            @ConfigProperty(name = "orpo.s3.secret-key") String secretKey,
                            @ConfigProperty(name = "orpo.s3.bucket") String bucket,
                            @ConfigProperty(name = "orpo.s3.region") String region) {
        return new ObjectStore(new ObjectStoreConfig(endpoint, accessKey, secretKey, bucket, region));
    }
}
