package dev.minibert.distributed;

import dev.minibert.model.ParameterStore;
import dev.minibert.pretrain.MlmWorkload;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What one worker sends back for a step: the gradient its micro-batches added up (already scaled by 1/micro-batches
 * per step), their losses in order, their metrics, and how long it computed.
 */
record GradientShare(float[] gradient, double[] losses, Map<String, Object> metrics, long computeNanos)
        implements Serializable {

    /**
     * Zeroes {@code store}'s gradients and adds the shares into them in the order given (the workers' order, so the
     * rounding is the same on every run); returns the step's mean loss, summed as the loop on one machine sums it.
     */
    static double sumInto(ParameterStore store, List<GradientShare> shares, int accumulation, Map<String, Object> row) {
        store.zeroGrad();
        double loss = 0;
        for (GradientShare share : shares) {
            FlatParameters.addGradients(store, share.gradient());
            for (double micro : share.losses()) {
                loss += micro / accumulation;
            }
            MlmWorkload.mergeMetrics(row, share.metrics());
        }
        return loss;
    }
}
