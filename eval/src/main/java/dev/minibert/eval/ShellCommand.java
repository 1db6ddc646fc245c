package dev.minibert.eval;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A command line as a POSIX shell reads it back, for the "exact command" of a report. */
public final class ShellCommand {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private ShellCommand() {
    }

    /** The words joined by spaces, each single-quoted unless it is plain. */
    public static String of(List<String> words) {
        return words.stream().map(ShellCommand::quote).collect(Collectors.joining(" "));
    }

    static String quote(String word) {
        return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
