package dev.minibert.cli;

import dev.minibert.pretrain.PretrainingRecipe;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Named sets of {@code pretrain} option values ({@code --recipe NAME}): they fill the options that neither a flag nor
 * the {@code --train-config} file gives.
 */
enum PretrainRecipe {
    /** {@link PretrainingRecipe#QUICKSTART}. */
    quickstart(PretrainingRecipe.QUICKSTART);

    static final String OPTION = "--recipe";
    private final Map<String, String> values;

    PretrainRecipe(PretrainingRecipe recipe) {
        values = recipe.asOptions();
    }

    /** The recipe named in {@code args}, or null (an unknown name is left to picocli to report). */
    static PretrainRecipe from(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String name = args[i].equals(OPTION) && i + 1 < args.length ? args[i + 1]
                    : args[i].startsWith(OPTION + "=") ? args[i].substring(OPTION.length() + 1) : null;
            for (PretrainRecipe r : values()) {
                if (r.name().equals(name)) {
                    return r;
                }
            }
        }
        return null;
    }

    /** Defaults from the config file where it has the option, else from this recipe, else the option's own. */
    IDefaultValueProvider under(ConfigFileDefaults file) {
        return arg -> {
            if (file != null && file.has(arg)) {
                return file.defaultValue(arg);
            }
            String v = arg instanceof OptionSpec option ? values.get(option.longestName()) : null;
            return v != null ? v : arg.defaultValue();
        };
    }

    /** The recipe as flags, for the line printed at start. */
    String flags() {
        StringBuilder out = new StringBuilder();
        values.forEach((option, value) -> out.append(out.length() == 0 ? "" : " ").append(option).append(' ').append(value));
        return out.toString();
    }
}
