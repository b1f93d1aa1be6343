package dev.orpo.deploy.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a Java runtime of at least a given feature version on this machine, for code that must run in a newer JVM
 * than the build's (Strimzi's 1.x API jar is compiled for Java 21; the build targets Java 17). Looks, in this order,
 * at {@code $ORPO_JAVA21_HOME}, the running JVM, {@code $JAVA_HOME}, then the usual JDK install folders (Debian's
 * /usr/lib/jvm, /usr/java, /opt, SDKMAN, IntelliJ's ~/.jdks, macOS' JavaVirtualMachines). A home's version comes from
 * its {@code release} file.
 */
final class JavaRuntimes {
    static final String HOME_ENV = "ORPO_JAVA21_HOME";
    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"?(\\d+)");

    private JavaRuntimes() {
    }

    /** The {@code java} executable of a runtime whose feature version is {@code >= feature}, if one is installed. */
    static Optional<Path> javaAtLeast(int feature) {
        String explicit = System.getenv(HOME_ENV);
        if (explicit != null && !explicit.isBlank()) {
            Path java = executable(Path.of(explicit));
            if (featureOf(Path.of(explicit)) < feature || !Files.isExecutable(java)) {
                throw new IllegalStateException(HOME_ENV + "=" + explicit + " is not a Java " + feature + "+ home");
            }
            return Optional.of(java);
        }
        if (Runtime.version().feature() >= feature) {
            return Optional.of(executable(Path.of(System.getProperty("java.home"))));
        }
        List<Path> homes = new ArrayList<>();
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null && !javaHome.isBlank()) {
            homes.add(Path.of(javaHome));
        }
        String user = System.getProperty("user.home");
        for (Path dir : List.of(Path.of("/usr/lib/jvm"), Path.of("/usr/java"), Path.of("/opt/java"), Path.of("/opt"),
                Path.of(user, ".sdkman/candidates/java"), Path.of(user, ".jdks"),
                Path.of("/Library/Java/JavaVirtualMachines"))) {
            homes.addAll(children(dir));
        }
        // the lowest version that is new enough: closest to what the jar was built for
        return homes.stream().map(h -> Files.isDirectory(h.resolve("Contents/Home")) ? h.resolve("Contents/Home") : h)
                .filter(h -> featureOf(h) >= feature && Files.isExecutable(executable(h)))
                .min(Comparator.comparingInt(JavaRuntimes::featureOf))
                .map(JavaRuntimes::executable);
    }

    /** The feature version named by {@code home/release}, or 0 when there is none. */
    static int featureOf(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return 0;
        }
        try {
            Matcher m = JAVA_VERSION.matcher(Files.readString(release));
            int major = m.find() ? Integer.parseInt(m.group(1)) : 0;
            return major == 1 ? 8 : major; // "1.8.0_…" is Java 8
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + release, e);
        }
    }

    private static Path executable(Path home) {
        return home.resolve("bin").resolve("java");
    }

    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            return List.of(); // an unreadable folder holds no runtime we could use
        }
    }
}
