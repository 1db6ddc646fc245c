package dev.minibert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option defaults from a JSON file named by {@code --train-config FILE}: keys are long option names
 * without dashes ({@code "batch-size": 32, "max-seq-len": 128}); flags on the command line win.
 */
final class ConfigFileDefaults implements IDefaultValueProvider {
    static final String OPTION = "--train-config";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, String> values = new HashMap<>();

    private ConfigFileDefaults(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": not a readable JSON training config: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": a training config is a JSON object of option names to values");
        }
        root.fields().forEachRemaining(e -> values.put("--" + e.getKey(), text(e.getValue())));
    }

    /** Scalars only: lists (several corpus files) belong on the command line. */
    private static String text(JsonNode v) {
        if (v.isContainerNode()) {
            throw new IllegalArgumentException("training config values must be numbers, strings or booleans, got " + v);
        }
        return v.asText();
    }

    /** The provider for the {@code --train-config} in {@code args}, or null when there is none. */
    static ConfigFileDefaults from(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(OPTION) && i + 1 < args.length) {
                return new ConfigFileDefaults(Path.of(args[i + 1]));
            }
            if (args[i].startsWith(OPTION + "=")) {
                return new ConfigFileDefaults(Path.of(args[i].substring(OPTION.length() + 1)));
            }
        }
        return null;
    }

    /** Keys that name no option of the command: a typo in the file must not pass silently. */
    java.util.List<String> unknownKeys(picocli.CommandLine.Model.CommandSpec spec) {
        return values.keySet().stream().filter(k -> spec.findOption(k) == null).sorted().toList();
    }

    /** Whether the file gives this option a value. */
    boolean has(ArgSpec arg) {
        return arg instanceof OptionSpec option && values.containsKey(option.longestName());
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (arg instanceof OptionSpec option) {
            String v = values.get(option.longestName());
            if (v != null) {
                return v;
            }
        }
        return arg.defaultValue();
    }
}
