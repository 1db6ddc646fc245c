package dev.minibert.eval;

import dev.minibert.model.io.AtomicFiles;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG line and grouped-bar charts rendered headless with XChart. Points a chart cannot show (non-finite values, and
 * values at or below zero on a log axis) are left out rather than failing the chart: a diverged run's NaN losses are
 * data, not an error.
 */
public final class Charts {
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    public static void line(Path png, String title, String xTitle, String yTitle, List<Series> series, boolean logY)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        style(chart.getStyler());
        chart.getStyler().setYAxisLogarithmic(logY);
        if (!logY) {
            chart.getStyler().setYAxisDecimalPattern("0.####"); // not 0.333333333333 for a flat series
        }
        double[] range = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (Series s : series) {
            double[] x = s.x();
            double[] y = s.y();
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                if (Double.isFinite(x[i]) && plottable(y[i], logY)) {
                    xs.add(x[i]);
                    ys.add(y[i]);
                    range[0] = Math.min(range[0], y[i]);
                    range[1] = Math.max(range[1], y[i]);
                }
            }
            if (!xs.isEmpty()) {
                XYSeries added = chart.addSeries(s.name(), xs, ys);
                added.setMarker(xs.size() <= 30 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            }
        }
        requireSomething(chart.getSeriesMap().isEmpty(), png, title);
        if (logY) {
            decades(chart.getStyler(), range[0], range[1]);
        }
        save(chart, png);
    }

    /** Grouped bars: one bar per group in every category; each group holds one value per category. */
    public static void bars(Path png, String title, String xTitle, String yTitle, List<String> categories,
            Map<String, double[]> groups, boolean logY) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        style(chart.getStyler());
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setXAxisLabelRotation(categories.size() > 6 ? 45 : 0);
        double minPlotted = Double.POSITIVE_INFINITY;
        double maxPlotted = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, double[]> g : groups.entrySet()) {
            double[] v = g.getValue();
            if (v.length != categories.size()) {
                throw new IllegalArgumentException("chart " + title + ": group " + g.getKey() + " has " + v.length
                        + " values for " + categories.size() + " categories");
            }
            List<Double> ys = new ArrayList<>();
            for (double d : v) {
                boolean ok = plottable(d, logY);
                minPlotted = ok ? Math.min(minPlotted, d) : minPlotted;
                maxPlotted = ok ? Math.max(maxPlotted, d) : maxPlotted;
                ys.add(ok ? d : null); // XChart leaves a null bar empty
            }
            chart.addSeries(g.getKey(), categories, ys);
        }
        requireSomething(minPlotted == Double.POSITIVE_INFINITY, png, title);
        if (logY) {
            // XChart's bars start at zero, which a log axis cannot show: they start at the decade below the data
            decades(chart.getStyler(), minPlotted, maxPlotted);
        }
        save(chart, png);
    }

    /**
     * A log axis from the decade at or below {@code min} to the decade above {@code max}: XChart labels only powers
     * of ten, so data within one decade would otherwise get a single label or none.
     */
    private static void decades(AxesChartStyler styler, double min, double max) {
        double low = Math.floor(Math.log10(min));
        double high = Math.max(Math.ceil(Math.log10(max)), low + 1);
        styler.setYAxisMin(Math.pow(10, low));
        styler.setYAxisMax(Math.pow(10, high));
    }

    private static boolean plottable(double v, boolean logY) {
        return Double.isFinite(v) && (!logY || v > 0);
    }

    private static void requireSomething(boolean empty, Path png, String title) {
        if (empty) {
            throw new IllegalArgumentException(png + ": chart '" + title + "' has no plottable value");
        }
    }

    private static void style(Styler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setAntiAlias(true);
    }

    private static void save(Chart<?, ?> chart, Path png) throws IOException {
        AtomicFiles.write(png, BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG));
    }
}
