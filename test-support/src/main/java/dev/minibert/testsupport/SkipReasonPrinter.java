package dev.minibert.testsupport;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints one line per skipped test or test class with its reason: Surefire's console shows only a count, and a
 * test that skips must say why (a missing tool, unfetched data). Found by the JUnit launcher through
 * META-INF/services on every module's test classpath.
 */
public final class SkipReasonPrinter implements TestExecutionListener {
    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        print(test, reason);
    }

    /** A failed assumption aborts the test (or, in a @BeforeAll, its whole class). */
    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            print(test, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }

    private static void print(TestIdentifier test, String reason) {
        String name = test.getSource().map(s -> s instanceof MethodSource m ? m.getClassName() + "." + test.getLegacyReportingName()
                : s instanceof ClassSource c ? c.getClassName() : test.getDisplayName()).orElse(test.getDisplayName());
        System.out.println("[SKIPPED] " + name + ": " + reason);
    }
}
