package dev.minibert.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every setting that decides which instances a corpus yields and which documents are held out: the same values give
 * the same instances in the same order, whether pretrain builds them in memory or {@code minibert shard} writes them.
 *
 * @param seed seeds the instance builder and the per-document train/held-out coin
 */
public record InstanceSettings(int maxSeqLen, double shortSeqProb, boolean wholeWordMask, boolean documentPerLine,
                               boolean skipBadLines, boolean lowercase, long seed, double evalFraction)
        implements Serializable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The settings keyed by the option that sets them, as a manifest records them. */
    public Map<String, Object> byOption() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("--max-seq-len", maxSeqLen);
        m.put("--short-seq-prob", shortSeqProb);
        m.put("--whole-word-mask", wholeWordMask);
        m.put("--document-per-line", documentPerLine);
        m.put("--skip-bad-lines", skipBadLines);
        m.put("--lowercase", lowercase);
        m.put("--seed", seed);
        m.put("--eval-fraction", evalFraction);
        return m;
    }

    ObjectNode toJson() {
        return JSON.valueToTree(byOption());
    }

    /** Reads what {@link #toJson} wrote; a missing or mistyped field is an IllegalArgumentException naming it. */
    static InstanceSettings fromJson(JsonNode node) {
        return new InstanceSettings(intField(node, "--max-seq-len"), number(node, "--short-seq-prob"),
                bool(node, "--whole-word-mask"), bool(node, "--document-per-line"), bool(node, "--skip-bad-lines"),
                bool(node, "--lowercase"), longField(node, "--seed"), number(node, "--eval-fraction"));
    }

    private static JsonNode field(JsonNode node, String name, boolean ok) {
        if (!ok) {
            throw new IllegalArgumentException("settings field \"" + name + "\" is missing or of the wrong type");
        }
        return node.get(name);
    }

    private static int intField(JsonNode node, String name) {
        return field(node, name, node.path(name).canConvertToInt()).asInt();
    }

    private static long longField(JsonNode node, String name) {
        return field(node, name, node.path(name).canConvertToLong()).asLong();
    }

    private static double number(JsonNode node, String name) {
        return field(node, name, node.path(name).isNumber()).asDouble();
    }

    private static boolean bool(JsonNode node, String name) {
        return field(node, name, node.path(name).isBoolean()).asBoolean();
    }
}
