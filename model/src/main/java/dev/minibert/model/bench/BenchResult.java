package dev.minibert.model.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minibert.model.BertConfig;

/** One benchmark's JSON line, with the PyTorch peer's field names and FLOP count (scripts/peer/bench_torch.py). */
public final class BenchResult {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchResult() {
    }

    /** @param sortedSeconds per-step times from {@link StepTimer#time} */
    public static String json(String task, BertConfig c, int batch, int seq, int threads, double[] sortedSeconds) {
        double median = StepTimer.median(sortedSeconds);
        long h = c.hiddenSize;
        long matmulParams = (long) c.numHiddenLayers * (4 * h * h + 2 * h * c.intermediateSize);
        double forwardFlops = (double) batch * seq * (2.0 * matmulParams + (double) c.numHiddenLayers * 4 * seq * h);
        double flops = forwardFlops * ("infer".equals(task) ? 1 : 3);
        ObjectNode o = JSON.createObjectNode();
        o.put("impl", "minibert");
        o.put("task", task);
        o.put("layers", c.numHiddenLayers);
        o.put("hidden", c.hiddenSize);
        o.put("heads", c.numAttentionHeads);
        o.put("intermediate", c.intermediateSize);
        o.put("vocab", c.vocabSize);
        o.put("norm_style", c.normStyle.name().toLowerCase());
        o.put("seq", seq);
        o.put("batch", batch);
        o.put("threads", threads);
        o.put("steps", sortedSeconds.length);
        o.put("median_s_per_step", round(median, 4));
        o.put("tokens_per_s", round(batch * seq / median, 1));
        o.put("sequences_per_s", round(batch / median, 2));
        o.put("encoder_gflops_per_s", round(flops / median / 1e9, 2));
        o.put("peak_rss_mb", round(PeakRss.megabytes(), 1));
        return o.toString();
    }

    private static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }
}
