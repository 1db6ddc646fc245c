package dev.minibert.distributed;

import dev.minibert.model.ParameterStore;
import dev.minibert.model.train.StepGradient;
import dev.minibert.pretrain.MlmWorkload;
import dev.minibert.pretrain.Pretraining;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The workers simulated in this process, one after another, their shares summed in worker order: no Spark. */
final class InProcessWorkers implements Pretraining.GradientWorkers {
    private final int count;

    InProcessWorkers(int count) {
        this.count = count;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public StepGradient open(ParameterStore store, MlmWorkload workload) {
        return (step, row) -> {
            float[] parameters = FlatParameters.values(store);
            List<GradientShare> shares = new ArrayList<>();
            try {
                for (int worker = 0; worker < count; worker++) {
                    shares.add(MicroBatchWorker.run(workload, parameters, step, worker, count));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return GradientShare.sumInto(store, shares, workload.accumulation(), row);
        };
    }
}
