package dev.minibert.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.model.io.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import jdk.incubator.vector.FloatVector;
import org.bytedeco.dnnl.global.dnnl;

/**
 * What a float training run's last bits depend on besides the code: the float vector width (the kernels add lanes
 * in a fixed order) and the instruction set oneDNN's sgemm runs. The bit-pinning tests record their bits per kind.
 * The AVX2 kind can be produced on any machine with AVX2 (an AVX-512 one included) with {@code -XX:UseAVX=2} and
 * {@code DNNL_MAX_CPU_ISA=AVX2}, which is what {@link #assertBits} does in a child JVM on a kind with no record.
 */
final class CpuKind {
    /** An AVX-512 machine: Zen 4, Intel Xeon since Skylake. */
    static final String AVX512 = "float lanes 16, oneDNN avx512";
    /** An AVX2 machine: Zen 3 and older. */
    static final String AVX2 = "float lanes 8, oneDNN avx2";

    private CpuKind() {
    }

    static String current() {
        int isa = dnnl.dnnl_get_effective_cpu_isa();
        String products = isa == dnnl.dnnl_cpu_isa_avx2 ? "avx2"
                : isa >= dnnl.dnnl_cpu_isa_avx512_core && isa <= dnnl.dnnl_cpu_isa_avx512_core_amx ? "avx512"
                : "isa " + isa;
        return "float lanes " + FloatVector.SPECIES_PREFERRED.length() + ", oneDNN " + products;
    }

    /**
     * The bit-pinning check of {@code test}: {@code run}'s bits must be {@code expected}'s for this CPU's kind. On a
     * kind with no record the test does not fail for the lack of one: it prints which kind has none and how to add
     * it, checks that a second run gives the same bits, and, where the CPU has AVX2, that a child JVM run as the AVX2
     * kind (whose bits any AVX2 machine reproduces) gives that kind's recorded bits: {@code test}'s nested class
     * {@code Avx2} runs {@link #checkAvx2Child} there.
     */
    static <T> void assertBits(Class<?> test, Map<String, T> expected, Callable<T> run, Path workDir) throws Exception {
        String kind = current();
        T bits = run.call();
        System.out.println(kind + " " + bits);
        if (expected.containsKey(kind)) {
            assertThat(bits).as(kind).isEqualTo(expected.get(kind));
            return;
        }
        String name = test.getSimpleName();
        System.out.println("[NO RECORD] " + name + ": no bits recorded for CPU kind \"" + kind + "\" (recorded: "
                + expected.keySet() + "); checking run-to-run determinism here and the AVX2 kind's record in a child"
                + " JVM instead. To record this kind: run " + name + " on a commit whose recorded kinds pass, add a"
                + " constant for \"" + kind + "\" to CpuKind, and the bits printed above under it to " + name
                + ".EXPECTED.");
        assertThat(run.call()).as("%s: a second run gives the same bits", kind).isEqualTo(bits);
        if (!hasAvx2()) {
            System.out.println("[NO RECORD] " + name + ": this CPU has no AVX2 (/proc/cpuinfo), so no recorded kind"
                    + " can be checked on it");
            return;
        }
        ChildJvm child = ChildJvm.start(workDir, List.of("-Xmx2g", "-XX:UseAVX=2"), test.getName() + "$Avx2", null,
                List.of(), Map.of("DNNL_MAX_CPU_ISA", "AVX2"));
        int exit = child.exitCode();
        System.out.print(child.output());
        assertThat(exit).as("%s in a child JVM with -XX:UseAVX=2 DNNL_MAX_CPU_ISA=AVX2:%n%s", AVX2, child.output())
                .isZero();
    }

    /** In the child JVM of {@link #assertBits}: exits 0 if this JVM is the AVX2 kind and {@code run} gives its bits. */
    static <T> void checkAvx2Child(Map<String, T> expected, Callable<T> run) throws Exception {
        String kind = current();
        if (!AVX2.equals(kind)) {
            System.out.println("this child JVM is the kind \"" + kind + "\", not \"" + AVX2 + "\"");
            System.exit(2);
        }
        T bits = run.call();
        System.out.println(kind + " " + bits);
        System.exit(bits.equals(expected.get(AVX2)) ? 0 : 1);
    }

    private static boolean hasAvx2() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .anyMatch(line -> line.startsWith("flags") && List.of(line.split("\\s+")).contains("avx2"));
    }
}
