package dev.minibert.model.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minibert.model.BertConfig;

/**
 * One benchmark's JSON line, with the PyTorch peer's field names (scripts/peer/bench_torch.py). Its FLOP count is the
 * peer's but for the last layer, which minibert runs in full only for the tokens the task reads.
 */
public final class BenchResult {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchResult() {
    }

    /**
     * @param readShare     the share of tokens whose last hidden state the task reads (1 for {@code infer}, [CLS]'s
     *                      1/T for {@code predict} and finetuning, the masked ~15% in pretraining): the last layer
     *                      computes every token's query, key and value and the rest for those alone
     * @param sortedSeconds per-step times from {@link StepTimer#time}
     */
    public static String json(String task, BertConfig c, int batch, int seq, int threads, double readShare,
                              double[] sortedSeconds) {
        double median = StepTimer.median(sortedSeconds);
        long h = c.hiddenSize;
        // a token's flops in one layer: its query, key and value; the rest of its products; its attention
        double qkv = 2.0 * 3 * h * h;
        double rest = 2.0 * (h * h + 2 * h * c.intermediateSize);
        double attention = 4.0 * seq * h;
        double tokens = (double) batch * seq;
        double forwardFlops = c.numHiddenLayers * tokens * (qkv + rest + attention)
                - (1 - readShare) * tokens * (rest + attention);
        double flops = task.equals("infer") || task.equals("predict") ? forwardFlops : 3 * forwardFlops;
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
