package io.restorekit;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.GeneralCodingRules;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The dependency directions of STYLE.md: layers point down only, Spring stays in {@code shell} and
 * {@code config}, each third-party library in its one package, and only the shell prints.
 * Packages that do not exist yet make their rules pass vacuously.
 */
@AnalyzeClasses(packages = "io.restorekit", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String ROOT = "io.restorekit";
    private static final String[] SERVICES = {
            "io.restorekit.backup..", "io.restorekit.restore..", "io.restorekit.verify..",
            "io.restorekit.drill..", "io.restorekit.retention..", "io.restorekit.runbook..",
            "io.restorekit.catalog..", "io.restorekit.notify..", "io.restorekit.copy..", "io.restorekit.archive..", "io.restorekit.status.."};

    /** Our classes outside the given packages. */
    private static DescribedPredicate<JavaClass> oursExcept(String... allowed) {
        return resideInAPackage(ROOT + "..").and(resideOutsideOfPackages(allowed));
    }

    @ArchTest
    static final ArchRule commonDependsOnNothingOfOurs = noClasses()
            .that().resideInAPackage("io.restorekit.common..")
            .should().dependOnClassesThat(oursExcept("io.restorekit.common.."))
            .because("common is the bottom layer")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule storageDependsOnlyOnCommon = noClasses()
            .that().resideInAPackage("io.restorekit.storage..")
            .should().dependOnClassesThat(oursExcept("io.restorekit.storage..", "io.restorekit.common.."))
            .because("storage only moves bytes")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule repositoryDependsOnlyOnStorageAndCommon = noClasses()
            .that().resideInAPackage("io.restorekit.repository..")
            .should().dependOnClassesThat(oursExcept(
                    "io.restorekit.repository..", "io.restorekit.storage..", "io.restorekit.common.."))
            .because("the repository knows nothing of files, databases, tenants or services")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule sourcesDoNotDependOnServicesOrShell = noClasses()
            .that().resideInAPackage("io.restorekit.source..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "io.restorekit.backup..", "io.restorekit.restore..", "io.restorekit.verify..",
                    "io.restorekit.drill..", "io.restorekit.shell..", "io.restorekit.config..")
            .because("sources are used by services, not the other way round")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule servicesDoNotDependOnShellOrConfig = noClasses()
            .that().resideInAnyPackage(SERVICES)
            .should().dependOnClassesThat().resideInAnyPackage("io.restorekit.shell..", "io.restorekit.config..")
            .because("services return results and never know who calls them")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule onlyShellAndConfigUseSpring = noClasses()
            .that().resideOutsideOfPackages("io.restorekit.shell..", "io.restorekit.config..")
            .and().doNotHaveFullyQualifiedName(ROOT + ".Application")
            .should().dependOnClassesThat().resideInAPackage("org.springframework..")
            .because("shell and config are the only places that know Spring")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule onlyShellUsesSpringShell = noClasses()
            .that().resideOutsideOfPackage("io.restorekit.shell..")
            .should().dependOnClassesThat().resideInAPackage("org.springframework.shell..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule onlyShellPrints = noClasses()
            .that().resideOutsideOfPackage("io.restorekit.shell..")
            .should(GeneralCodingRules.ACCESS_STANDARD_STREAMS)
            .because("services report through results and ProgressListener; the shell renders")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule awsSdkOnlyInS3Storage = noClasses()
            .that().resideOutsideOfPackage("io.restorekit.storage.s3..")
            .should().dependOnClassesThat().resideInAPackage("software.amazon..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule jschOnlyInSftpStorageAndRunbooks = noClasses()
            .that().resideOutsideOfPackages("io.restorekit.storage.sftp..", "io.restorekit.runbook..")
            .should().dependOnClassesThat().resideInAPackage("com.jcraft..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule jgitOnlyInRunbooks = noClasses()
            .that().resideOutsideOfPackage("io.restorekit.runbook..")
            .should().dependOnClassesThat().resideInAPackage("org.eclipse.jgit..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule flywayOnlyInCatalog = noClasses()
            .that().resideOutsideOfPackage("io.restorekit.catalog..")
            .should().dependOnClassesThat().resideInAPackage("org.flywaydb..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule archivesOnlyInArchive = noClasses()
            .that().resideOutsideOfPackage("io.restorekit.archive..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.commons.compress..",
                    "org.bouncycastle.openpgp..", "org.bouncycastle.bcpg..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule noImplSuffix = noClasses()
            .should().haveSimpleNameEndingWith("Impl")
            .because("implementations are named by how they work (LocalStorage, not StorageImpl)")
            .allowEmptyShould(true);
}
