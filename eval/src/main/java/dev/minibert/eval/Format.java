package dev.minibert.eval;

import java.util.Locale;

/** Numbers for tables and verdict lines: four significant digits, "n/a" for values that do not exist. */
public final class Format {
    private Format() {
    }

    public static String number(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        return a >= 1e-3 && a < 1e5 ? String.format(Locale.ROOT, "%.4g", v) : String.format(Locale.ROOT, "%.3e", v);
    }
}
