package dev.orpo.deploy.k8s;

import io.fabric8.kubernetes.api.model.Secret;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** deploy/k8s/secrets: the committed examples render the Secrets the base refers to, and real env files stay out of git. */
class SecretsExampleTest {
    @Test
    void examplesRenderTheMinioRootAndPipelineS3SecretsInNamespaceOrpo() {
        Manifests m = Rendered.secrets();
        assertEquals(Set.of("orpo-minio-root", "orpo-s3"),
                Set.copyOf(m.all(Secret.class).stream().map(s -> s.getMetadata().getName()).toList()));
        m.all(Secret.class).forEach(s -> assertEquals("orpo", s.getMetadata().getNamespace()));
        Secret root = m.get(Secret.class, "orpo-minio-root");
        assertEquals(Set.of("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"), root.getData().keySet());
        assertTrue(Rendered.decoded(root, "MINIO_ROOT_PASSWORD").length() >= 8, "MinIO refuses shorter passwords");
        assertEquals(Set.of("access-key", "secret-key"), m.get(Secret.class, "orpo-s3").getData().keySet());
    }

    @Test
    void realEnvFilesAreGitIgnoredAndEveryGeneratorHasAnExample() throws IOException {
        List<String> ignore = Files.readAllLines(Manifests.K8S.resolve("secrets/.gitignore"));
        assertTrue(ignore.contains("*.env"), "secrets/.gitignore must ignore *.env");
        for (String env : List.of("minio-root.env", "orpo-s3.env")) {
            assertTrue(Files.isRegularFile(Manifests.K8S.resolve("secrets/" + env + ".example")), env + ".example");
        }
    }
}
