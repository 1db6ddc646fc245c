package dev.minibert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option and positional parameter of every command says what it does and what it defaults to in --help, and
 * the default it shows is the one it has: picocli's {@code Default:} line and any "default: X" in the description
 * both equal the option's default value (or, without one, its field's initial value) wherever it has one.
 */
class HelpDefaultsTest {
    /** "default: X" in a description: X up to a closing parenthesis, a semicolon, a comma or picocli's line. */
    private static final Pattern WRITTEN = Pattern.compile("(?<![A-Za-z])default: (.+?)(?=[;,)]| Default: |$)");
    /** picocli's line under the description. */
    private static final Pattern PICOCLI = Pattern.compile("Default: (.+?)(?= --|$)");

    @Test
    void everyOptionHasADescriptionAndAShownDefault() {
        List<String> missing = new ArrayList<>();
        check(Minibert.commandLine(), missing);
        assertThat(missing).isEmpty();
    }

    private static void check(CommandLine command, List<String> missing) {
        command.setUsageHelpWidth(200);
        String help = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
        CommandSpec spec = command.getCommandSpec();
        String name = spec.qualifiedName();
        if (spec.userObject() instanceof CommandLine.HelpCommand) {
            return; // picocli's own
        }
        for (ArgSpec arg : spec.args()) {
            if (arg instanceof OptionSpec o && (o.usageHelp() || o.versionHelp()) || arg.hidden()) {
                continue;
            }
            String label = arg instanceof OptionSpec o ? o.longestName() : arg.paramLabel();
            String description = String.join(" ", arg.description()).trim();
            if (description.isEmpty()) {
                missing.add(name + " " + label + ": no description");
                continue;
            }
            if (arg.required()) {
                continue;
            }
            String entry = entry(help, arg);
            List<String> shown = shownDefaults(entry);
            String real = realDefault(arg);
            boolean flag = arg.arity().max() == 0;
            if (real != null && !(flag && real.equals("false"))) {
                if (shown.isEmpty()) {
                    missing.add(name + " " + label + ": its default " + real + " is not shown in: " + entry);
                }
                for (String value : shown) {
                    if (!value.replaceAll("\\s", "").equals(real.replaceAll("\\s", ""))) {
                        missing.add(name + " " + label + ": shows the default " + value + " but has " + real);
                    }
                }
            } else if (!flag && !entry.toLowerCase().contains("default")) {
                missing.add(name + " " + label + ": no default shown in: " + entry);
            }
        }
        command.getSubcommands().values().forEach(sub -> check(sub, missing));
    }

    /** The value picocli starts the option with: its default value, or else its field's initial value. */
    private static String realDefault(ArgSpec arg) {
        if (arg.defaultValue() != null) {
            return arg.defaultValue();
        }
        Object initial = arg.initialValue();
        return initial == null ? null : String.valueOf(initial);
    }

    /** The defaults an entry shows: picocli's Default line and any "default: X" in the description. */
    private static List<String> shownDefaults(String entry) {
        List<String> shown = new ArrayList<>();
        for (Pattern pattern : List.of(PICOCLI, WRITTEN)) {
            Matcher m = pattern.matcher(entry);
            while (m.find()) {
                shown.add(m.group(1).trim());
            }
        }
        return shown;
    }

    /** The argument's lines in the options list: its first line and the description lines under it. */
    private static String entry(String help, ArgSpec arg) {
        StringBuilder entry = new StringBuilder();
        boolean inside = false;
        for (String line : help.lines().toList()) {
            String trimmed = line.trim();
            int indent = line.length() - line.stripLeading().length();
            // entries start within the first columns; a wrapped description line is indented past them
            if (indent <= 6 || trimmed.isEmpty()) {
                inside = describes(line, arg);
            }
            if (inside) {
                entry.append(trimmed).append(' ');
            }
        }
        return entry.toString().trim();
    }

    /** Whether a help line starts this argument's entry in the options list (not the synopsis). */
    private static boolean describes(String line, ArgSpec arg) {
        String entry = line.trim();
        if (!(arg instanceof OptionSpec option)) {
            return entry.startsWith(arg.paramLabel() + " ") || entry.startsWith("[" + arg.paramLabel() + "]")
                    || entry.startsWith(arg.paramLabel() + "...");
        }
        for (String name : option.names()) {
            String negatable = name.replaceFirst("^--", "--[no-]");
            for (String shown : new String[] {name, negatable}) {
                if (entry.equals(shown) || entry.startsWith(shown + " ") || entry.startsWith(shown + "=")
                        || entry.startsWith(shown + "[")
                        || entry.startsWith(shown + ",") || entry.contains(", " + shown + " ")
                        || entry.contains(", " + shown + "=") || entry.endsWith(", " + shown)) {
                    return true;
                }
            }
        }
        return false;
    }
}
