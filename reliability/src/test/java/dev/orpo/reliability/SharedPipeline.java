package dev.orpo.reliability;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.nio.file.Path;

/**
 * Gives every test class of the suite the one {@link Pipeline} (started by the first test that asks, stopped when the
 * suite ends) and the one {@link FaultReport}. Test classes declare {@code @ExtendWith(SharedPipeline.class)} and take
 * them as constructor or method parameters.
 */
final class SharedPipeline implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SharedPipeline.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext ctx) {
        Class<?> type = p.getParameter().getType();
        return type == Pipeline.class || type == FaultReport.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext ctx) {
        ExtensionContext.Store store = ctx.getRoot().getStore(NS);
        if (p.getParameter().getType() == FaultReport.class) {
            return store.computeIfAbsent(FaultReport.class, k -> new FaultReport(Pipeline.stateDir().getParent()
                    .resolve("reliability-report.md")), FaultReport.class);
        }
        return store.computeIfAbsent(Pipeline.class, k -> Pipeline.start(repo(), Pipeline.stateDir()),
                Pipeline.class);
    }

    /** The repository root (set by the build; the parent of this module when run from an IDE). */
    static Path repo() {
        String configured = System.getProperty("orpo.repo");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of("").toAbsolutePath().getParent();
    }
}
