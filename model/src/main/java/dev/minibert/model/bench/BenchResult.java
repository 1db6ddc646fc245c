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
        double layerFlops = (double) batch * seq * (2.0 * (4 * h * h + 2 * h * c.intermediateSize) + 4.0 * seq * h);
        double forwardFlops = c.numHiddenLayers * layerFlops;
        double flops = switch (task) {
            case "infer" -> forwardFlops;
            // the last layer: every token's query, key and value, then [CLS] alone (its attention, output, FFN)
            case "predict" -> forwardFlops - layerFlops + batch * (seq * 2.0 * 3 * h * h
                    + 2.0 * (h * h + 2 * h * c.intermediateSize) + 4.0 * seq * h);
            default -> 3 * forwardFlops;
        };
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
