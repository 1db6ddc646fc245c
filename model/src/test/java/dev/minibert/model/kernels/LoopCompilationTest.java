package dev.minibert.model.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The directive names methods that exist, and the JVM holds it once the fast kernels are loaded. */
class LoopCompilationTest {
    @Test
    void everyLoopIsAMethodOfThisPackage() throws ClassNotFoundException {
        for (String loop : LoopCompilation.LOOPS) {
            String[] parts = loop.split("\\.");
            Class<?> owner = Class.forName(LoopCompilation.class.getPackageName() + "." + parts[0]);
            assertThat(Arrays.stream(owner.getDeclaredMethods()).map(m -> m.getName())).as(loop).contains(parts[1]);
        }
    }

    @Test
    void theJvmHoldsTheDirectiveOnceTheFastKernelsAreLoaded() throws Exception {
        assertThat(Kernels.fast()).isNotNull();
        String directives = String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesPrint",
                new Object[] {new String[0]}, new String[] {String[].class.getName()}));
        assertThat(directives).contains("matching: dev/minibert/*.*");
        for (String loop : LoopCompilation.LOOPS) {
            assertThat(directives).contains("-dev/minibert/model/kernels/" + loop);
        }
    }
}
