package dev.minibert.model.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The float SIMD attention softmax, forward and backward, against the same formulas in double, row by row; row
 * lengths that are and are not a multiple of the vector width, and padded keys. (GELU's kernel is held to fdlibm's
 * erf by {@code GeluTest}, whose float case runs on it.)
 */
class FastKernelsTest {
    private static final Kernels FAST = Kernels.fast();
    private static final int BATCH = 2;
    private static final int HEADS = 3;

    @ParameterizedTest
    @ValueSource(ints = {16, 13, 5})
    void attentionSoftmaxMatchesDoubleFormulas(int seqLen) {
        SplittableRandom random = new SplittableRandom(seqLen);
        double scale = 1 / Math.sqrt(8);
        double[][] mask = new double[BATCH][seqLen];
        for (int j = seqLen - 3; j < seqLen; j++) {
            mask[1][j] = -10000; // the second sequence's last three keys are padding
        }
        int rows = BATCH * HEADS * seqLen;
        double[][] scores = new double[rows][seqLen];
        double[][] upstream = new double[rows][seqLen];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < seqLen; j++) {
                scores[r][j] = (float) (4 * random.nextGaussian());
                upstream[r][j] = (float) random.nextGaussian();
            }
        }
        INDArray probs = floats(scores).reshape(BATCH, HEADS, seqLen, seqLen);
        FAST.attentionSoftmax(probs, floats(mask), scale);
        INDArray grad = floats(upstream).reshape(BATCH, HEADS, seqLen, seqLen);
        FAST.attentionSoftmaxBackward(grad, probs, scale);

        double[][] actualProbs = probs.reshape(rows, seqLen).castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] actualGrad = grad.reshape(rows, seqLen).castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int r = 0; r < rows; r++) {
            double[] s = new double[seqLen];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < seqLen; j++) {
                s[j] = scores[r][j] * scale + mask[r / (HEADS * seqLen)][j];
                max = Math.max(max, s[j]);
            }
            double sum = 0;
            double[] conditioning = new double[seqLen];
            for (int j = 0; j < seqLen; j++) {
                // exp turns the float roundings of the scaled, masked, shifted score (absolute, relative to these
                // magnitudes) into relative errors of p
                conditioning[j] = Math.abs(s[j]) + Math.abs(max) + Math.abs(s[j] - max);
                s[j] = Math.exp(s[j] - max);
                sum += s[j];
            }
            double dot = 0;
            double absDot = 0; // Σ|dP·P| bounds the rounding of the float dot product
            for (int j = 0; j < seqLen; j++) {
                s[j] /= sum;
                // the backward's P is the kernel's float P, so its error is not counted twice
                dot += upstream[r][j] * actualProbs[r][j];
                absDot += Math.abs(upstream[r][j] * actualProbs[r][j]);
            }
            for (int j = 0; j < seqLen; j++) {
                // exp, the sum and the division a few ulps, plus the score's roundings magnified by exp
                assertThat(Math.abs(actualProbs[r][j] - s[j])).as("p row %d col %d", r, j)
                        .isLessThanOrEqualTo((8 + 2 * conditioning[j]) * 0x1p-24 * s[j] + 1e-30);
                double expected = scale * actualProbs[r][j] * (upstream[r][j] - dot);
                double magnitude = scale * actualProbs[r][j] * (Math.abs(upstream[r][j]) + Math.abs(dot) + absDot);
                assertThat(Math.abs(actualGrad[r][j] - expected)).as("dS row %d col %d", r, j)
                        .isLessThanOrEqualTo(8 * 0x1p-24 * magnitude);
                if (mask[r / (HEADS * seqLen)][j] != 0) {
                    assertThat(actualProbs[r][j]).as("a padded key gets no weight").isZero();
                }
            }
        }
    }

    /**
     * The kernels give the same bits whatever the JIT has done: a child JVM that never reaches C2 (where vector ops
     * run as plain Java) against this one after C2 has compiled them. The JDK's vector EXP failed this.
     */
    /**
     * A sequence's attention row padded wider (its batch's longest is longer) gets the same probabilities on its real
     * keys, bit for bit: the padded keys' exps are exactly 0, and the sum adds key j into lane j mod the vector
     * width whatever the row's width, so widths across a vector boundary sum the real keys in one order.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 8, 9, 15, 16, 17, 20, 31, 33, 40})
    void aRowPaddedWiderGetsTheSameProbabilitiesOnItsKeys(int length) {
        SplittableRandom random = new SplittableRandom(length);
        int rows = 32;
        double[][] scores = new double[rows][length];
        for (double[] row : scores) {
            for (int j = 0; j < length; j++) {
                row[j] = (float) (4 * random.nextGaussian());
            }
        }
        double scale = 1 / Math.sqrt(8);
        float[] alone = softmaxPaddedTo(scores, length, scale);
        for (int width : new int[] {length + 1, length + 5, length + 8, length + 16, length + 27, 64}) {
            float[] padded = softmaxPaddedTo(scores, width, scale);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < length; j++) {
                    assertThat(Float.floatToRawIntBits(padded[r * width + j])).as("row %d key %d of %d, padded to %d",
                            r, j, length, width).isEqualTo(Float.floatToRawIntBits(alone[r * length + j]));
                }
                for (int j = length; j < width; j++) {
                    assertThat(padded[r * width + j]).as("padded key %d", j).isZero();
                }
            }
        }
    }

    /** The rows' softmax with keys [length, width) padded (score 0, mask bias -10000), [rows·width] flat. */
    private static float[] softmaxPaddedTo(double[][] scores, int width, double scale) {
        int rows = scores.length;
        double[][] padded = new double[rows][width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(scores[r], 0, padded[r], 0, scores[r].length);
        }
        double[][] mask = new double[1][width];
        for (int j = scores[0].length; j < width; j++) {
            mask[0][j] = -10000;
        }
        INDArray probs = floats(padded).reshape(1, 1, rows, width);
        FAST.attentionSoftmax(probs, floats(mask), scale);
        return probs.reshape(rows * width).toFloatVector();
    }

    @Test
    void sameBitsInterpretedAndCompiled() throws Exception {
        for (int i = 0; i < 20_000; i++) {
            KernelOutputs.compute();
        }
        String compiled = KernelOutputs.compute();
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), KernelOutputs.class.getName())
                .redirectErrorStream(false).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String interpreted = output.substring(output.lastIndexOf('\n') + 1); // after ND4J's log lines
        assertThat(interpreted).isEqualTo(compiled);
    }

    /** Softmax, GELU, LayerNorm and cross-entropy, forward and backward, on fixed inputs, as hex bits. */
    static final class KernelOutputs {
        public static void main(String[] args) {
            System.out.println(compute());
        }

        static String compute() {
            SplittableRandom random = new SplittableRandom(5);
            int seqLen = 13; // a vector and a scalar tail
            double[][] scores = new double[HEADS * seqLen][seqLen];
            double[][] x = new double[3][21];
            for (double[] row : scores) {
                Arrays.setAll(row, j -> 3 * random.nextGaussian());
            }
            for (double[] row : x) {
                Arrays.setAll(row, j -> 3 * random.nextGaussian());
            }
            INDArray probs = floats(scores).reshape(1, HEADS, seqLen, seqLen);
            FAST.attentionSoftmax(probs, Nd4j.zeros(DataType.FLOAT, 1, seqLen), 0.3f);
            INDArray grad = floats(scores).reshape(1, HEADS, seqLen, seqLen);
            FAST.attentionSoftmaxBackward(grad, probs, 0.3f);
            INDArray in = floats(x);
            INDArray y = Nd4j.create(DataType.FLOAT, 3, 21);
            INDArray dx = Nd4j.create(DataType.FLOAT, 3, 21);
            FAST.gelu(in, y);
            FAST.geluBackward(in, in, dx);
            double[] gamma = new double[21];
            double[] beta = new double[21];
            Arrays.setAll(gamma, j -> 1 + 0.1 * random.nextGaussian());
            Arrays.setAll(beta, j -> 0.1 * random.nextGaussian());
            double[] rstd = new double[3];
            double[] gammaGrad = new double[21];
            double[] betaGrad = new double[21];
            INDArray normalized = Nd4j.create(DataType.FLOAT, 3, 21);
            INDArray normOut = Nd4j.create(DataType.FLOAT, 3, 21);
            INDArray normGrad = Nd4j.create(DataType.FLOAT, 3, 21);
            LayerNormKernel layerNorm = FAST.layerNorm();
            layerNorm.forward(in, gamma, beta, 1e-12, normalized, rstd, normOut);
            layerNorm.backward(y, normalized, gamma, rstd, normGrad, gammaGrad, betaGrad);
            INDArray inferenceOut = Nd4j.create(DataType.FLOAT, 3, 21); // noGrad's forward: no x̂
            layerNorm.forward(in, gamma, beta, 1e-12, null, new double[3], inferenceOut);
            // cross-entropy over 21 classes: vectors and a masked tail
            double[][] logits = new double[4][21];
            for (double[] row : logits) {
                Arrays.setAll(row, j -> 6 * random.nextGaussian());
            }
            int[] labels = {0, 20, 7, 16};
            INDArray exps = Nd4j.create(DataType.FLOAT, 4, 21);
            double[] invSums = new double[4];
            double[] nll = new double[4];
            FAST.crossEntropy(floats(logits), labels, exps, invSums, nll);
            INDArray classExps = exps.dup();
            FAST.crossEntropyBackward(exps, invSums, labels, new double[] {0.25, 0.5, 1, 1 / 3.0});
            StringJoiner bits = new StringJoiner(" ");
            for (INDArray a : List.of(probs, grad, y, dx, normalized, normOut, normGrad, inferenceOut, classExps, exps)) {
                for (float v : a.data().asFloat()) {
                    bits.add(Integer.toHexString(Float.floatToRawIntBits(v)));
                }
            }
            for (double v : rstd) {
                bits.add(Long.toHexString(Double.doubleToRawLongBits(v)));
            }
            for (double v : betaGrad) {
                bits.add(Long.toHexString(Double.doubleToRawLongBits(v)));
            }
            for (double[] values : List.of(gammaGrad, invSums, nll)) {
                for (double v : values) {
                    bits.add(Long.toHexString(Double.doubleToRawLongBits(v)));
                }
            }
            return bits.toString();
        }
    }

    private static INDArray floats(double[][] values) {
        return Nd4j.createFromArray(values).castTo(DataType.FLOAT);
    }
}
