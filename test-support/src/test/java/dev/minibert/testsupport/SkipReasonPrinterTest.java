package dev.minibert.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Runs sample tests through a fresh JUnit launcher, which must find the printer on its own (META-INF/services). */
class SkipReasonPrinterTest {
    // nested classes: Surefire leaves them alone (it excludes **/*$*), only the launcher below runs them
    static class Samples {
        @Test
        void passes() {
        }

        @Test
        void needsATool() {
            assumeTrue(false, "msgfmt (gettext) not installed");
        }

        @Test
        @Disabled("flaky on Tuesdays")
        void disabled() {
        }
    }

    static class WholeClassSkips {
        @BeforeAll
        static void needsData() {
            assumeTrue(false, "skipped: run minibert data fetch");
        }

        @Test
        void readsData() {
        }
    }

    @Test
    void everySkipIsPrintedWithItsReasonAndNothingElse() {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(Samples.class), selectClass(WholeClassSkips.class)).build());
        } finally {
            System.setOut(out);
        }
        String samples = Samples.class.getName();
        assertThat(captured.toString(StandardCharsets.UTF_8).lines()).containsExactlyInAnyOrder(
                "[SKIPPED] " + samples + ".needsATool(): Assumption failed: msgfmt (gettext) not installed",
                "[SKIPPED] " + samples + ".disabled(): flaky on Tuesdays",
                "[SKIPPED] " + WholeClassSkips.class.getName() + ": Assumption failed: skipped: run minibert data fetch");
    }
}
