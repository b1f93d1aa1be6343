package dev.orpo.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module layering of docs/architecture.md, checked on the production classes of every module: services -> stages
 * -> model-core, with contracts and object-store at the bottom, and no cycle between any two packages.
 */
class LayeringTest {
    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TEST_FIXTURES)
                .importPackages("dev.orpo");
    }

    @Test
    void importsTheClassesOfEveryModule() {
        // a rule over an empty or partial class set would pass vacuously
        for (String pkg : new String[]{"dev.orpo.contracts", "dev.orpo.model.llama", "dev.orpo.store",
                "dev.orpo.deploy.local", "dev.orpo.stages.train", "dev.orpo.service", "dev.orpo.testing",
                "dev.orpo.dataset", "dev.orpo.trainer", "dev.orpo.merger", "dev.orpo.eval", "dev.orpo.dashboard",
                "dev.orpo.bench", "dev.orpo.cli"}) {
            assertTrue(production.containPackage(pkg) && !production.getPackage(pkg).getClasses().isEmpty(),
                    "no production classes imported from " + pkg);
        }
    }

    @Test
    void modulesDependOnlyDownwards() {
        Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("contracts").definedBy("dev.orpo.contracts..")
                .layer("object-store").definedBy("dev.orpo.store..")
                .layer("model-core").definedBy("dev.orpo.model..")
                .layer("deploy").definedBy("dev.orpo.deploy..")
                .layer("stages").definedBy("dev.orpo.stages..")
                .layer("service-support").definedBy("dev.orpo.service..")
                .layer("test-support").definedBy("dev.orpo.testing..")
                .layer("services").definedBy("dev.orpo.dataset..", "dev.orpo.trainer..", "dev.orpo.merger..",
                        "dev.orpo.eval..")
                .layer("dashboard").definedBy("dev.orpo.dashboard..")
                .layer("bench").definedBy("dev.orpo.bench..")
                .layer("cli").definedBy("dev.orpo.cli..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("dashboard").mayNotBeAccessedByAnyLayer()
                .whereLayer("services").mayNotBeAccessedByAnyLayer()
                .whereLayer("test-support").mayNotBeAccessedByAnyLayer()
                .whereLayer("bench").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("service-support").mayOnlyBeAccessedByLayers("services", "dashboard")
                .whereLayer("stages").mayOnlyBeAccessedByLayers("service-support", "services", "bench", "cli")
                .whereLayer("deploy").mayOnlyBeAccessedByLayers("cli", "test-support")
                .whereLayer("model-core").mayOnlyBeAccessedByLayers("stages", "services", "bench", "cli")
                .whereLayer("object-store").mayOnlyBeAccessedByLayers("deploy", "stages", "service-support",
                        "services", "test-support", "cli")
                .check(production);
    }

    @Test
    void noServiceDependsOnAnotherService() {
        String[] services = {"dataset", "trainer", "merger", "eval"};
        for (String service : services) {
            for (String other : services) {
                if (!service.equals(other)) {
                    noClasses().that().resideInAPackage("dev.orpo." + service + "..")
                            .should().dependOnClassesThat().resideInAPackage("dev.orpo." + other + "..")
                            .check(production);
                }
            }
        }
    }

    @Test
    void noPackageCycles() {
        // each package (dev.orpo.model.llama, dev.orpo.contracts.events, ...) is one slice; a cycle between two means
        // neither can be read, tested or moved without the other. One named exception: the command line's entry point
        // registers the demo command, which uses the command line's shared options
        slices().matching("dev.orpo.(**)").should().beFreeOfCycles()
                .ignoreDependency("dev.orpo.cli.Orpo", "dev.orpo.cli.demo.DemoCommand")
                .check(production);
    }
}
