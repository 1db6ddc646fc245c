package dev.minibert.api;

import jdk.incubator.vector.FloatVector;
import org.bytedeco.dnnl.global.dnnl;

/**
 * What a float training run's last bits depend on besides the code: the float vector width (the kernels add lanes
 * in a fixed order) and the instruction set oneDNN's sgemm runs. The bit-pinning tests record their bits per kind.
 * The AVX2 kind can be produced on an AVX-512 machine with {@code -XX:UseAVX=2} and {@code DNNL_MAX_CPU_ISA=AVX2}.
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
}
