package dev.minibert.eval.experiments;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The BLAS the PyTorch peer's matrix products run on. Debian's python3-torch is built for the generic BLAS interface
 * ({@code BLAS_INFO=generic}): its products call {@code sgemm_} of the system's libblas.so.3, by default the Fortran
 * reference BLAS, on which one 6-layer peer step took ten times as long as on OpenBLAS here
 * (docs/experiments-method.md, "The PyTorch peer on this machine"). minibert's own OpenBLAS (nd4j-native's, unpacked by JavaCPP) exports the same
 * {@code sgemm_}, so preloading it into the peer's process puts torch's products on it, equal up to float rounding
 * (PeerBlasTest). Anywhere else (torch with its own BLAS, no OpenBLAS on the classpath, a CPU without the kernels we
 * pin) the peer runs as built, and {@link #statement} says which BLAS that was.
 *
 * @param environment added to the peer's environment (empty: torch's BLAS as built)
 * @param statement   which BLAS the peer's products run on, and why, for the report
 */
record PeerBlas(Map<String, String> environment, String statement) {
    /**
     * OpenBLAS 0.3.19 computes double gemm wrong with the Cooperlake kernels its CPU detection picks on recent CPUs
     * (model/BlasSelfCheck), so the kernels are pinned; Haswell's need AVX2 and FMA.
     */
    static final String CORETYPE = "Haswell";
    /** torch runs its own threads around each product: OpenBLAS threads inside them would oversubscribe the cores. */
    static final String THREADS = "1";
    /** Prints torch's BLAS_INFO, then the BLAS libraries mapped into the process. */
    private static final String PROBE = "import re, torch\n"
            + "print(re.search(r'BLAS_INFO=(\\w+)', torch.__config__.show()).group(1))\n"
            + "print(' '.join(sorted({l.split()[-1] for l in open('/proc/self/maps')\n"
            + "                      if 'blas' in l.split('/')[-1]})))\n";
    private static PeerBlas found;

    /** The BLAS for the peer run by {@code python}, probed once per process (an import of torch). */
    static synchronized PeerBlas of(Path python) throws IOException {
        if (found == null) {
            found = probe(python);
        }
        return found;
    }

    /** The peer on torch's BLAS as built. */
    static PeerBlas asBuilt(String statement) {
        return new PeerBlas(Map.of(), statement);
    }

    private static PeerBlas probe(Path python) throws IOException {
        String openBlas = openBlasLibrary();
        String unfit = openBlas == null ? "minibert's OpenBLAS was not found on its classpath"
                : !cpuHas("avx2", "fma") ? "this CPU lacks AVX2 or FMA, which the pinned " + CORETYPE
                + " kernels need" : null;
        Map<String, String> preload = unfit != null ? Map.of()
                : Map.of("LD_PRELOAD", openBlas, "OPENBLAS_CORETYPE", CORETYPE, "OPENBLAS_NUM_THREADS", THREADS);
        List<String> lines = run(python, preload);
        if (lines.size() < 2) {
            return asBuilt("torch's BLAS as built (" + python + " could not import torch to say which)");
        }
        String info = lines.get(0).strip();
        String mapped = lines.get(1).strip();
        if (!info.equals("generic")) {
            return asBuilt("torch's own BLAS (BLAS_INFO=" + info + ")");
        }
        String generic = Arrays.stream(mapped.split(" ")).filter(p -> !p.equals(openBlas)).findFirst()
                .orElse("libblas.so.3");
        if (unfit == null && !Arrays.asList(mapped.split(" ")).contains(openBlas)) {
            unfit = "preloading " + openBlas + " did not map it";
        }
        return unfit != null ? asBuilt("torch's generic BLAS, " + generic + " (" + unfit + ")")
                : new PeerBlas(preload, "minibert's OpenBLAS, " + openBlas + ", preloaded in place of torch's generic "
                + "BLAS " + generic + " (OPENBLAS_CORETYPE=" + CORETYPE + ", OPENBLAS_NUM_THREADS=" + THREADS + ")");
    }

    /** The OpenBLAS library nd4j-native loads, unpacked by JavaCPP into its cache; null where there is none. */
    private static String openBlasLibrary() {
        try {
            Loader.load(openblas_nolapack.class);
        } catch (LinkageError | RuntimeException e) {
            return null; // another backend's classpath (CUDA) or another platform
        }
        return Loader.getLoadedLibraries().values().stream().map(Path::of)
                .filter(p -> p.getFileName().toString().startsWith("libopenblas")).findFirst()
                .map(PeerBlas::realPath).orElse(null);
    }

    /** The path /proc/self/maps shows for a mapped file. */
    private static String realPath(Path file) {
        try {
            return file.toRealPath().toString();
        } catch (IOException e) {
            return file.toString();
        }
    }

    private static boolean cpuHas(String... flags) throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return false;
        }
        List<String> have = Files.readAllLines(cpuinfo, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("flags")).findFirst()
                .map(l -> Arrays.asList(l.substring(l.indexOf(':') + 1).strip().split(" "))).orElse(List.of());
        return have.containsAll(List.of(flags));
    }

    /** The probe's output lines; none when python or its torch failed. */
    private static List<String> run(Path python, Map<String, String> environment) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(python.toString(), "-c", PROBE)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(environment);
        Process p = pb.start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out.lines().toList() : List.of();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(python + " -c (the peer's BLAS probe) interrupted", e);
        }
    }
}
