package dev.minibert.model.kernels;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Has C2 compile the forward kernels' vector loops as compilations of their own instead of inlining them into their
 * callers. At batch 1 a caller such as {@code Gelu.forward} becomes C2's compilation root, inlines a kernel, passes
 * {@code NodeCountInliningCutoff} and leaves the loop's vector helpers real calls, every vector crossing them boxed
 * (docs/speed.md, batch 1). A loop method takes only scalars and buffers, so not inlining it costs one call per row
 * or piece and boxes nothing. Added once per JVM as a compiler directive through the diagnostic-command MBean (what
 * {@code jcmd Compiler.directives_add} does), scoped to this project's compilations; where the JVM refuses it, the
 * kernels run as before.
 */
final class LoopCompilation {
    /** The loops, as {@code Class.method} in this package. */
    static final List<String> LOOPS = List.of("FastGelu.geluVectors", "FastLayerNorm.layerNorm", "FastLayerNorm.rowSum",
            "FastLayerNorm.deviationSums", "FastLayerNorm.normalizeRow", "FastLayerNorm.normalizeRowKeeping",
            "FastAttentionSoftmax.maxScaledAndMasked", "FastAttentionSoftmax.expAndSum", "FloatLanes.scaleRow",
            "FastSum.sumVectors");
    private static final String PACKAGE = "dev/minibert/model/kernels/";

    private LoopCompilation() {
    }

    /** Adds the directive; false (and the JIT as it was) where the JVM has no such command. */
    static boolean directLoops() {
        String directive = "[{match: \"dev/minibert/*.*\", inline: ["
                + LOOPS.stream().map(loop -> "\"-" + PACKAGE + loop + "\"").collect(Collectors.joining(", ")) + "]}]";
        try {
            Path file = Files.createTempFile("minibert-loops", ".json");
            try {
                Files.writeString(file, directive);
                Object added = ManagementFactory.getPlatformMBeanServer().invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                        new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
                return String.valueOf(added).contains("1 compiler directives added");
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (JMException | IOException | RuntimeException e) {
            return false;
        }
    }
}
