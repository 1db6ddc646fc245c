package dev.minibert.model;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inverted dropout: in training each element is kept with probability 1-p and scaled by 1/(1-p),
 * so evaluation is the identity. Masks come from this instance's own generator, so a run is a
 * pure function of the seeds given to {@link #reseed(long)}.
 */
public final class Dropout {
    private final double p;
    private SplittableRandom random;
    private INDArray mask;     // 0 or 1/(1-p), kept for backward
    private boolean applied;   // whether the last forward dropped anything
    private INDArray output;
    private INDArray inputGrad;

    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        reseed(0);
    }

    public void reseed(long seed) {
        random = new SplittableRandom(seed);
    }

    public double p() {
        return p;
    }

    /** Returns x itself when not training (or p = 0); otherwise a fresh mask is drawn. */
    public INDArray forward(INDArray x, boolean training) {
        applied = training && p > 0;
        if (!applied) {
            return x;
        }
        mask = Scratch.reuse(mask, x.dataType(), x.shape());
        drawMask((int) x.length());
        output = Scratch.reuse(output, x.dataType(), x.shape());
        return x.mul(mask, output);
    }

    public INDArray backward(INDArray dy) {
        if (!applied) {
            return dy;
        }
        inputGrad = Scratch.reuse(inputGrad, dy.dataType(), dy.shape());
        return dy.mul(mask, inputGrad);
    }

    /**
     * Each nextLong gives two 24-bit uniforms u (as nextFloat would); an element is dropped when
     * u·2^24 < ceil(p·2^24). Written through an NIO view of the buffer: ND4J's per-element put costs
     * as much as drawing the numbers.
     */
    private void drawMask(int n) {
        int threshold = (int) Math.ceil(p * (1 << 24));
        double scale = 1 / (1 - p);
        boolean isDouble = mask.dataType() == DataType.DOUBLE;
        DoubleBuffer doubles = isDouble ? mask.data().asNioDouble() : null;
        FloatBuffer floats = isDouble ? null : mask.data().asNioFloat();
        long bits = 0;
        for (int i = 0; i < n; i++) {
            int u;
            if ((i & 1) == 0) {
                bits = random.nextLong();
                u = (int) (bits >>> 40);
            } else {
                u = (int) (bits >>> 8) & 0xFFFFFF;
            }
            double m = u < threshold ? 0 : scale;
            if (isDouble) {
                doubles.put(i, m);
            } else {
                floats.put(i, (float) m);
            }
        }
    }
}
