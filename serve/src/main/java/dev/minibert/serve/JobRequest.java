package dev.minibert.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.api.Pooling;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a {@code /v1/classify} or {@code /v1/embed} body into a job, or says in one line what is wrong with it (the
 * field, the index, the limit): a client should not have to guess.
 */
final class JobRequest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> CLASSIFY_FIELDS = Set.of("texts", "text_pairs");
    private static final Set<String> EMBED_FIELDS = Set.of("texts", "pooling");

    private final int maxTextChars;

    JobRequest(int maxTextChars) {
        this.maxTextChars = maxTextChars;
    }

    InferenceJob classify(byte[] body) {
        JsonNode root = object(body, CLASSIFY_FIELDS);
        List<String> texts = strings(root, "texts", true);
        List<String> pairs = strings(root, "text_pairs", false);
        if (pairs != null && pairs.size() != texts.size()) {
            throw new ApiError(400, "text_pairs has " + pairs.size() + " entries but texts has " + texts.size());
        }
        return new InferenceJob(texts, pairs, null);
    }

    InferenceJob embed(byte[] body) {
        JsonNode root = object(body, EMBED_FIELDS);
        List<String> texts = strings(root, "texts", true);
        Pooling pooling = Pooling.CLS;
        JsonNode p = root.get("pooling");
        if (p != null) {
            pooling = pooling(p);
        }
        return new InferenceJob(texts, null, pooling);
    }

    private static Pooling pooling(JsonNode p) {
        for (Pooling candidate : Pooling.values()) {
            if (p.isTextual() && p.textValue().equals(candidate.name().toLowerCase(Locale.ROOT))) {
                return candidate;
            }
        }
        throw new ApiError(400, "pooling must be \"cls\", \"mean\" or \"pooler\", got " + p);
    }

    private static JsonNode object(byte[] body, Set<String> fields) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "malformed JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new ApiError(400, "unreadable body: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ApiError(400, "the body must be a JSON object, got " + (root == null ? "nothing" : root.getNodeType()));
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw new ApiError(400, "unknown field \"" + name + "\" (expected " + String.join(", ", fields) + ")");
            }
        }
        return root;
    }

    private List<String> strings(JsonNode root, String field, boolean required) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw new ApiError(400, "missing field \"" + field + "\": an array of strings");
            }
            return null;
        }
        if (!node.isArray() || node.isEmpty()) {
            throw new ApiError(400, "\"" + field + "\" must be a non-empty array of strings");
        }
        List<String> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode t = node.get(i);
            if (!t.isTextual()) {
                throw new ApiError(400, field + "[" + i + "] is not a string");
            }
            if (t.textValue().length() > maxTextChars) {
                throw new ApiError(400, field + "[" + i + "] has " + t.textValue().length()
                        + " characters, more than --max-text-chars " + maxTextChars);
            }
            out.add(t.textValue());
        }
        return out;
    }
}
