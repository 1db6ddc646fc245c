package dev.minibert.model.io;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The renames HF transformers applies when it loads a BERT checkpoint, so the same files load here: legacy
 * TensorFlow-era LayerNorm names ({@code LayerNorm.gamma}/{@code beta}, as in bert-base-chinese's files) become
 * {@code weight}/{@code bias}, and a bare encoder's tensors ({@code embeddings.*}, {@code encoder.*},
 * {@code pooler.*}, saved from a {@code BertModel}) get the {@code bert.} prefix of the task models.
 */
final class HfCheckpointNames {
    private static final String PREFIX = "bert.";

    private HfCheckpointNames() {
    }

    static Map<String, INDArray> normalize(Map<String, INDArray> tensors) {
        boolean bare = tensors.keySet().stream().noneMatch(n -> n.startsWith(PREFIX));
        Map<String, INDArray> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> out.put(rename(name, bare), t));
        return out;
    }

    private static String rename(String name, boolean bare) {
        String n = name.endsWith(".gamma") ? name.substring(0, name.length() - 6) + ".weight"
                : name.endsWith(".beta") ? name.substring(0, name.length() - 5) + ".bias" : name;
        boolean encoderPart = n.startsWith("embeddings.") || n.startsWith("encoder.") || n.startsWith("pooler.");
        return bare && encoderPart ? PREFIX + n : n;
    }
}
