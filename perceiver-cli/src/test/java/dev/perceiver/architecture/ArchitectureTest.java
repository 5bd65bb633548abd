package dev.perceiver.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import dev.perceiver.inference.audio.WavRenderer;
import dev.perceiver.inference.hub.HubSettings;
import dev.perceiver.nn.EngineSetup;
import dev.perceiver.nn.Tensors;
import java.nio.Buffer;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of the project (README, "Layout"): each layer may use only the layers below it,
 *
 * <pre>
 * nn &lt;- model &lt;- tasks &lt;- inference &lt;- train &lt;- tools &lt;- cli
 *                                 inference &lt;- serve &lt;- cli
 *                                                   &lt;- spark (its own module and class path; nothing uses it)
 * </pre>
 *
 * no two packages depend on each other, engine-specific classes ({@code ai.djl.pytorch}) are used in {@code nn}
 * only, Java data becomes an engine array in one place ({@link Tensors}), and system properties are set and read in
 * {@code nn.EngineSetup} only. Checked on the main classes of every module (this module's test classpath holds
 * them all).
 */
class ArchitectureTest {
    private static final Set<String> CREATORS = Set.of("create", "createCSR", "createRowSparse", "createCoo");

    /**
     * {@code NDManager.create...} with Java data (anything but {@code create(Shape, ...)}, which allocates engine
     * memory) and {@code NDArray.set} with a Java array or Buffer.
     */
    private static final DescribedPredicate<JavaMethodCall> BORROWS_JAVA_MEMORY =
            DescribedPredicate.describe("NDManager.create or NDArray.set with Java data", call -> {
                JavaClass owner = call.getTargetOwner();
                String name = call.getName();
                List<JavaClass> params = call.getTarget().getRawParameterTypes();
                if (params.isEmpty()) {
                    return false;
                }
                JavaClass first = params.get(0);
                if (owner.isAssignableTo(NDManager.class) && CREATORS.contains(name)) {
                    return !first.isEquivalentTo(Shape.class);
                }
                if (owner.isAssignableTo(NDArray.class) && name.equals("set") && params.size() == 1) {
                    return first.isArray() || first.isAssignableTo(Buffer.class);
                }
                return false;
            });

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                // test helpers shared through a module's test-jar are test code too
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("dev.perceiver");
    }

    @Test
    void layersDependDownwardOnly() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("nn")
                .definedBy("dev.perceiver.nn..")
                .layer("model")
                .definedBy("dev.perceiver.model..")
                .layer("tasks")
                .definedBy("dev.perceiver.tasks..")
                .layer("inference")
                .definedBy("dev.perceiver.inference..")
                .layer("train")
                .definedBy("dev.perceiver.train..")
                .layer("tools")
                .definedBy("dev.perceiver.tools..")
                .layer("serve")
                .definedBy("dev.perceiver.serve..")
                .layer("cli")
                .definedBy("dev.perceiver.cli..")
                .layer("spark")
                .definedBy("dev.perceiver.spark..")
                .whereLayer("cli")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("spark")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("tools")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("serve")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("train")
                .mayOnlyBeAccessedByLayers("tools", "cli", "spark")
                .whereLayer("inference")
                .mayOnlyBeAccessedByLayers("train", "tools", "serve", "cli", "spark")
                .whereLayer("tasks")
                .mayOnlyBeAccessedByLayers("inference", "train", "tools", "serve", "cli", "spark")
                .whereLayer("model")
                .mayOnlyBeAccessedByLayers("tasks", "inference", "train", "tools", "serve", "cli", "spark")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.perceiver.(**)").should().beFreeOfCycles().check(classes);
    }

    /**
     * System properties that change what the code computes (engine threads, offline mode, model options) are set in
     * one place, at start-up; nothing reads them during a computation. Allowed besides {@link EngineSetup}, because
     * they change no result: WavRenderer reads {@code java.home} to start a helper JVM, and HubSettings reads {@code user.home} to find the Hugging Face cache.
     */
    @Test
    void systemPropertiesAreSetAndReadOnlyByEngineSetup() {
        ArchRuleDefinition.noClasses()
                .that()
                .doNotBelongToAnyOf(EngineSetup.class, WavRenderer.class, HubSettings.class)
                .should()
                .callMethod(System.class, "getProperty", String.class)
                .orShould()
                .callMethod(System.class, "getProperty", String.class, String.class)
                .orShould()
                .callMethod(System.class, "setProperty", String.class, String.class)
                .orShould()
                .callMethod(System.class, "clearProperty", String.class)
                .orShould()
                .callMethod(System.class, "getProperties")
                .orShould()
                .callMethod(System.class, "setProperties", Properties.class)
                .orShould()
                .callMethod(Boolean.class, "getBoolean", String.class)
                .orShould()
                .callMethod(Integer.class, "getInteger", String.class)
                .orShould()
                .callMethod(Long.class, "getLong", String.class)
                .because("engine settings are applied once at start-up by nn.EngineSetup, and options that change a "
                        + "computation are explicit arguments, not system properties")
                .check(classes);
    }

    @Test
    void engineSpecificCodeLivesInNn() {
        ArchRuleDefinition.noClasses()
                .that()
                .resideOutsideOfPackage("dev.perceiver.nn..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("ai.djl.pytorch..")
                .because("the nn package is the only place that touches the PyTorch engine directly")
                .check(classes);
    }

    @Test
    void javaDataBecomesEngineArraysOnlyThroughTensors() {
        ArchRuleDefinition.noClasses()
                .that()
                .doNotHaveFullyQualifiedName(Tensors.class.getName())
                .should()
                .callMethodWhere(BORROWS_JAVA_MEMORY)
                .because("on the PyTorch engine NDManager.create(array/Buffer/number) and NDArray.set(array/Buffer)"
                        + " make arrays that borrow Java memory; views of them read freed memory once the wrapper is"
                        + " collected, while dev.perceiver.nn.Tensors copies into memory libtorch owns")
                .check(classes);
    }
}
