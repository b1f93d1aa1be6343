package dev.orpo.deploy.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StackJarsTest {
    @Test
    void missingJarsExplainHowToBuildThem(@TempDir Path empty) {
        String before = System.getProperty(StackJars.PROPERTY);
        System.setProperty(StackJars.PROPERTY, empty.toString());
        try {
            var e = assertThrows(IllegalStateException.class, StackJars::locate);
            assertTrue(e.getMessage().contains(empty.toString()) && e.getMessage().contains("./mvnw -pl deploy"),
                    e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(StackJars.PROPERTY);
            } else {
                System.setProperty(StackJars.PROPERTY, before);
            }
        }
    }

    @Test
    void findsTheBuiltJarsFromTheModuleDirectory() {
        StackJars jars = StackJars.locate();
        assertTrue(jars.s3proxyJar().toFile().isFile(), jars.toString());
    }
}
