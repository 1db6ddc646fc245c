package dev.minibert.model.train;

import dev.minibert.model.Parameter;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * torch.optim.AdamW: decoupled weight decay {@code p *= 1 − lr·wd} (only where {@link Parameter#decays()}),
 * then bias-corrected Adam, {@code p −= lr/bc1 · m / (sqrt(v)/sqrt(bc2) + eps)}. Moments live in each
 * parameter's dtype and are saved with the step count, so training resumes exactly.
 */
public final class AdamW {
    private static final String STEP_KEY = "step";

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, INDArray> expAvg = new HashMap<>();
    private final Map<String, INDArray> expAvgSq = new HashMap<>();
    private final Map<String, INDArray> scratch = new HashMap<>();
    private ToDoubleFunction<String> lrScale = name -> 1.0;
    private long step;

    public AdamW(double beta1, double beta2, double eps, double weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("eps must be > 0 and weight decay >= 0, got " + eps + ", " + weightDecay);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** Per-parameter learning-rate multipliers (layer-wise decay); 0 freezes a parameter, decay included. */
    public void setLrScale(ToDoubleFunction<String> lrScale) {
        this.lrScale = lrScale;
    }

    public long stepCount() {
        return step;
    }

    public void step(ParameterStore store, double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, step));
        for (Parameter p : store) {
            double scale = lrScale.applyAsDouble(p.name());
            if (scale == 0) {
                continue;
            }
            double plr = lr * scale;
            INDArray value = p.value();
            INDArray grad = p.grad();
            INDArray m = expAvg.computeIfAbsent(p.name(), k -> Nd4j.zeros(value.dataType(), value.shape()));
            INDArray v = expAvgSq.computeIfAbsent(p.name(), k -> Nd4j.zeros(value.dataType(), value.shape()));
            INDArray tmp = scratch.computeIfAbsent(p.name(), k -> Nd4j.createUninitialized(value.dataType(), value.shape()));
            if (p.decays() && weightDecay > 0) {
                value.muli(1 - plr * weightDecay);
            }
            m.muli(beta1).addi(tmp.assign(grad).muli(1 - beta1));
            v.muli(beta2).addi(tmp.assign(grad).muli(grad).muli(1 - beta2));
            Transforms.sqrt(tmp.assign(v), false).divi(sqrtBc2).addi(eps);
            value.subi(tmp.rdivi(m).muli(plr / bc1));
        }
    }

    /** Moments as {@code <param>.exp_avg} / {@code <param>.exp_avg_sq}, the step count in the metadata. */
    public void save(Path file) throws IOException {
        Map<String, INDArray> state = new LinkedHashMap<>();
        for (String name : expAvg.keySet().stream().sorted().toList()) {
            state.put(name + ".exp_avg", expAvg.get(name));
            state.put(name + ".exp_avg_sq", expAvgSq.get(name));
        }
        SafeTensors.write(file, state, Map.of(STEP_KEY, Long.toString(step)));
    }

    public void load(Path file) throws IOException {
        Map<String, INDArray> state = SafeTensors.read(file);
        String stepText = SafeTensors.metadata(file).get(STEP_KEY);
        if (stepText == null) {
            throw new IOException(file + ": optimizer state without a step count");
        }
        expAvg.clear();
        expAvgSq.clear();
        for (Map.Entry<String, INDArray> e : state.entrySet()) {
            String key = e.getKey();
            if (key.endsWith(".exp_avg")) {
                expAvg.put(key.substring(0, key.length() - ".exp_avg".length()), e.getValue());
            } else if (key.endsWith(".exp_avg_sq")) {
                expAvgSq.put(key.substring(0, key.length() - ".exp_avg_sq".length()), e.getValue());
            } else {
                throw new IOException(file + ": unexpected optimizer tensor " + key);
            }
        }
        if (!expAvg.keySet().equals(expAvgSq.keySet())) {
            throw new IOException(file + ": first and second moments name different parameters");
        }
        step = Long.parseLong(stepText);
    }

    /** The first and second moments of a parameter (null before its first update); for tests and probes. */
    public INDArray[] moments(String name) {
        INDArray m = expAvg.get(name);
        return m == null ? null : new INDArray[] {m, expAvgSq.get(name)};
    }

    @Override
    public String toString() {
        return "AdamW" + Arrays.toString(new double[] {beta1, beta2, eps, weightDecay});
    }
}
