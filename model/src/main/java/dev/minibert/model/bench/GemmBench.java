package dev.minibert.model.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.minibert.model.Gemm;
import dev.minibert.model.Parallel;
import dev.minibert.model.Sgemm;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The machine's sgemm ceiling as ND4J reaches it with OpenBLAS's own threads: square float products into a
 * preallocated output (the form the model uses) and through {@code mmul} (which allocates), so model GFLOP/s can
 * be read against what the BLAS can do; and the same products as the model computes them ({@link Gemm}: split by
 * rows over the kernel threads, one single-threaded {@link Sgemm} call each). Then each library's single-threaded
 * piece on the model's own product shapes, the libraries alternated round by round: the measurement behind
 * {@link Sgemm}'s default.
 */
public final class GemmBench {
    private GemmBench() {
    }

    /** One thread's piece of a product, {@code MxNxK:TT} (T = transposed, N = not, for A then B). */
    private record Piece(String spec, int m, int n, int k, boolean transA, boolean transB) {
        static Piece parse(String spec) {
            if (!spec.matches("[1-9]\\d{0,5}x[1-9]\\d{0,5}x[1-9]\\d{0,5}:[NT]{2}")) {
                throw new IllegalArgumentException("--pieces: " + spec + " is not MxNxK:TT (e.g. 2048x384x128:NT)");
            }
            String[] parts = spec.split("[x:]");
            return new Piece(spec, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]),
                    parts[3].charAt(0) == 'T', parts[3].charAt(1) == 'T');
        }
    }

    public static ObjectNode run(int[] sizes, List<String> pieceSpecs, int steps) {
        List<Piece> pieces = pieceSpecs.stream().map(Piece::parse).toList(); // all refused before anything is timed
        int threads = Parallel.threads();
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("bench", "gemm");
        out.put("threads", threads);
        for (int n : sizes) {
            INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
            INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
            INDArray c = Nd4j.zeros(DataType.FLOAT, n, n);
            double flops = 2.0 * n * n * n;
            double split = StepTimer.median(StepTimer.time(() -> Gemm.gemm(a, b, c, false, false, 1.0, 0.0), 2, steps));
            Nd4j.factory().blas().setMaxThreads(threads); // OpenBLAS threading itself, for the ceiling
            double gemm = StepTimer.median(StepTimer.time(() -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0), 2, steps));
            double mmul = StepTimer.median(StepTimer.time(() -> a.mmul(b), 2, steps));
            Nd4j.factory().blas().setMaxThreads(1); // back to Gemm's single-threaded pieces
            out.put("gemm_" + n + "_gflops_per_s", round(flops / gemm / 1e9));
            out.put("mmul_" + n + "_gflops_per_s", round(flops / mmul / 1e9));
            out.put("split_gemm_" + n + "_gflops_per_s", round(flops / split / 1e9));
        }
        ArrayNode pieceRows = out.putArray("pieces");
        for (Piece piece : pieces) {
            pieceRows.add(time(piece, steps));
        }
        out.put("peak_rss_mb", round(PeakRss.megabytes()));
        return out;
    }

    /** A piece on this thread: median GFLOP/s per library over {@code rounds} alternated rounds. */
    private static ObjectNode time(Piece p, int rounds) {
        INDArray a = Nd4j.rand(DataType.FLOAT, (long) p.m() * p.k());
        INDArray b = Nd4j.rand(DataType.FLOAT, (long) p.k() * p.n());
        INDArray c = Nd4j.zeros(DataType.FLOAT, (long) p.m() * p.n());
        double flops = 2.0 * p.m() * p.n() * p.k();
        int repeats = (int) Math.max(1, 2e8 / flops); // ~10 ms per timing at tens of GFLOP/s
        List<Sgemm> libraries = Sgemm.LIBRARIES.stream().map(Sgemm::named).toList();
        double[][] seconds = new double[libraries.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int l = 0; l < libraries.size(); l++) {
                Sgemm sgemm = libraries.get(l);
                seconds[l][r] = StepTimer.median(StepTimer.time(() -> {
                    for (int i = 0; i < repeats; i++) {
                        sgemm.sgemm(p.transA(), p.transB(), p.m(), p.n(), p.k(), 1f, a, 0, p.transA() ? p.m() : p.k(),
                                b, 0, p.transB() ? p.k() : p.n(), 0f, c, 0, p.n());
                    }
                }, 1, 1)) / repeats;
            }
        }
        ObjectNode row = new ObjectMapper().createObjectNode();
        row.put("piece", p.spec());
        for (int l = 0; l < libraries.size(); l++) {
            Arrays.sort(seconds[l]);
            row.put(Sgemm.LIBRARIES.get(l) + "_gflops_per_s", round(flops / StepTimer.median(seconds[l]) / 1e9));
        }
        return row;
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
