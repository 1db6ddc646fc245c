package dev.minibert.api;

import java.util.Map;

/**
 * A classifier's answer for one text, as a line of {@code minibert predict}.
 *
 * @param label the most probable label
 * @param probabilities every label's softmax probability, in the model's label order
 */
public record Prediction(String label, Map<String, Double> probabilities) {
}
