package dev.minibert.eval.experiments;

/** What the measured numbers say about a claim, and the line that says it with the numbers. */
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

    /** The printed line: {@code name: status: summary}. */
    public String line(String experiment) {
        return experiment + ": " + status.label() + ": " + summary;
    }
}
