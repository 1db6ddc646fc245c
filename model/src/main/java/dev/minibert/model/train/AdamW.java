package dev.minibert.model.train;

import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.kernels.Kernels;
import dev.minibert.model.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * torch.optim.AdamW: decoupled weight decay (only on parameters that {@link Parameter#decays()}), bias-corrected
 * first and second moments. At step t (from 1), for each parameter w with gradient g:
 * <pre>
 *   m    = β1·m + (1 − β1)·g
 *   v    = β2·v + (1 − β2)·g²
 *   mHat = m / (1 − β1^t)
 *   vHat = v / (1 − β2^t)
 *   w    = w·(1 − lr·weightDecay) − lr · mHat / (sqrt(vHat) + eps)
 * </pre>
 * computed by the model's {@link Kernels#adamW}. One step counter for all parameters, as every parameter is
 * updated on every step.
 */
public final class AdamW {
    private static final String EXP_AVG = ".exp_avg";
    private static final String EXP_AVG_SQ = ".exp_avg_sq";

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private int step;
    private ToDoubleFunction<String> lrScale = name -> 1.0;
    /** Insertion order = the store's order at the first step, so state files list parameters in model order. */
    private final Map<String, INDArray[]> moments = new LinkedHashMap<>();

    public AdamW(double beta1, double beta2, double eps, double weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be finite and >= 0, got " + eps);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be finite and >= 0, got " + weightDecay);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** Per-parameter learning-rate multipliers (layer-wise decay); 0 freezes a parameter, weight decay included. */
    public void setLrScale(ToDoubleFunction<String> lrScale) {
        this.lrScale = lrScale;
    }

    /** Takes over the moments and step count saved by {@link #save}, keeping this optimizer's settings. */
    public void restore(Path file) throws IOException {
        AdamW saved = load(file);
        step = saved.step;
        moments.clear();
        moments.putAll(saved.moments);
    }

    public int stepCount() {
        return step;
    }

    /** One update of every parameter in the store from its current gradient. */
    public void step(ParameterStore store, double lr) {
        if (store.isFrozen()) {
            throw new IllegalStateException("AdamW: the parameters are frozen for inference (ParameterStore.freeze)");
        }
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        }
        step++;
        Kernels kernels = store.kernels();
        for (Parameter p : store) {
            double scale = lrScale.applyAsDouble(p.name());
            if (scale == 0) {
                continue; // frozen
            }
            double plr = lr * scale;
            // Flat views: every operation is elementwise, and parameters are dense row-major buffers.
            INDArray value = p.value().reshape(p.value().length());
            INDArray grad = p.grad().reshape(value.length());
            INDArray[] mv = moments(p);
            double decay = weightDecay != 0 && p.decays() ? 1 - plr * weightDecay : 1;
            kernels.adamW(value, grad, mv[0], mv[1], new Kernels.AdamWStep(plr, beta1, beta2, eps, decay, step));
        }
    }

    private INDArray[] moments(Parameter p) {
        INDArray[] mv = moments.get(p.name());
        long n = p.value().length();
        if (mv == null) {
            mv = new INDArray[] {Nd4j.zeros(p.value().dataType(), n), Nd4j.zeros(p.value().dataType(), n)};
            moments.put(p.name(), mv);
        } else if (mv[0].length() != n) {
            throw new IllegalStateException("optimizer state for " + p.name() + " has " + mv[0].length()
                    + " elements but the parameter has shape " + Arrays.toString(p.shape()));
        } else if (mv[0].dataType() != p.value().dataType()) {
            mv[0] = mv[0].castTo(p.value().dataType());
            mv[1] = mv[1].castTo(p.value().dataType());
        }
        return mv;
    }

    /** The moments as {@code <param>.exp_avg} / {@code <param>.exp_avg_sq}, flattened, in parameter order. */
    public Map<String, INDArray> state() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        moments.forEach((name, mv) -> {
            out.put(name + EXP_AVG, mv[0]);
            out.put(name + EXP_AVG_SQ, mv[1]);
        });
        return out;
    }

    /** Saves moments, step count and hyperparameters (as metadata), atomically. */
    public void save(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("step", Integer.toString(step));
        meta.put("beta1", Double.toString(beta1));
        meta.put("beta2", Double.toString(beta2));
        meta.put("eps", Double.toString(eps));
        meta.put("weight_decay", Double.toString(weightDecay));
        SafeTensors.write(file, state(), meta);
    }

    /** Restores an optimizer saved by {@link #save}: the next step is bit-identical to an uninterrupted run. */
    public static AdamW load(Path file) throws IOException {
        Map<String, String> meta = SafeTensors.metadata(file);
        AdamW opt;
        try {
            opt = new AdamW(number(file, meta, "beta1"), number(file, meta, "beta2"), number(file, meta, "eps"),
                    number(file, meta, "weight_decay"));
            opt.step = (int) number(file, meta, "step");
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        Map<String, INDArray> tensors = SafeTensors.read(file);
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            String key = e.getKey();
            if (key.endsWith(EXP_AVG)) {
                String name = key.substring(0, key.length() - EXP_AVG.length());
                INDArray sq = tensors.get(name + EXP_AVG_SQ);
                if (sq == null || sq.length() != e.getValue().length()) {
                    throw new IOException(file + ": " + key + " has no matching " + name + EXP_AVG_SQ);
                }
                opt.moments.put(name, new INDArray[] {e.getValue().reshape(e.getValue().length()),
                        sq.reshape(sq.length())});
            } else if (!key.endsWith(EXP_AVG_SQ) || !tensors.containsKey(
                    key.substring(0, key.length() - EXP_AVG_SQ.length()) + EXP_AVG)) {
                throw new IOException(file + ": unexpected tensor " + key + " in optimizer state");
            }
        }
        return opt;
    }

    private static double number(Path file, Map<String, String> meta, String key) throws IOException {
        String s = meta.get(key);
        if (s == null) {
            throw new IOException(file + ": optimizer state lacks metadata \"" + key + "\"");
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IOException(file + ": metadata \"" + key + "\" is not a number: " + s, e);
        }
    }
}
