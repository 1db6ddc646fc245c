package dev.minibert.eval.experiments;

import java.util.Locale;

/**
 * What the measured numbers say about a claim, and the line that says it with the numbers. The one rule every
 * experiment uses ({@link #of}): each experiment states its claim as a per-seed effect that is positive when the
 * claim holds; the claim is shown when the 95% interval of the effect's mean over the seeds lies above zero,
 * contradicted when it lies below zero, and not shown when it contains zero.
 */
public record Verdict(Status status, String summary) {

    public enum Status {
        SHOWN("shown"),
        NOT_SHOWN("not shown at this budget"),
        CONTRADICTED("contradicted");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static Status ofLabel(String label) {
            for (Status s : values()) {
                if (s.label.equals(label)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown verdict '" + label + "'");
        }
    }

    /**
     * The verdict on an effect measured once per seed: {@code effect} describes the quantity (positive when the
     * claim holds). The summary states the mean (the effect size), its interval, and the number of seeds.
     */
    public static Verdict of(String effect, double[] perSeed) {
        Interval ci = Interval.of(perSeed);
        Status status = ci.low() > 0 ? Status.SHOWN : ci.high() < 0 ? Status.CONTRADICTED : Status.NOT_SHOWN;
        return new Verdict(status, String.format(Locale.ROOT,
                "%s = %s (mean and 95%% t-interval over %d seeds; the claim predicts > 0)", effect, ci, ci.n()));
    }

    /** The printed line: {@code name: status: summary}. */
    public String line(String experiment) {
        return experiment + ": " + status.label() + ": " + summary;
    }
}
