package dev.perceiver.train;

import dev.perceiver.model.io.AtomicFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Renders the training and validation curves of a metrics log as one PNG: loss on top, accuracy below if any. */
public final class TrainingPlot {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 420;

    private TrainingPlot() {}

    /** Writes the PNG atomically. */
    public static void write(List<MetricsLog.Row> rows, String title, Path file) throws IOException {
        List<XYChart> charts = new ArrayList<>();
        charts.add(chart(rows, title + ": loss", "loss", MetricsLog.Row::trainLoss, MetricsLog.Row::valLoss));
        boolean hasAcc = rows.stream().anyMatch(r -> !Double.isNaN(r.valAcc()) || !Double.isNaN(r.trainAcc()));
        if (hasAcc) {
            charts.add(chart(rows, title + ": accuracy", "accuracy", MetricsLog.Row::trainAcc, MetricsLog.Row::valAcc));
        }
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT * charts.size(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        for (int i = 0; i < charts.size(); i++) {
            Graphics2D sub = (Graphics2D) g.create(0, i * HEIGHT, WIDTH, HEIGHT);
            charts.get(i).paint(sub, WIDTH, HEIGHT);
            sub.dispose();
        }
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "png", bytes);
        AtomicFiles.writeBytes(file, bytes.toByteArray());
    }

    private static XYChart chart(
            List<MetricsLog.Row> rows,
            String title,
            String yTitle,
            ToDoubleFunction<MetricsLog.Row> train,
            ToDoubleFunction<MetricsLog.Row> valid) {
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle("step")
                .yAxisTitle(yTitle)
                .build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        addSeries(chart, "train", rows, train, false);
        addSeries(chart, "validation", rows, valid, true);
        return chart;
    }

    private static void addSeries(
            XYChart chart,
            String name,
            List<MetricsLog.Row> rows,
            ToDoubleFunction<MetricsLog.Row> metric,
            boolean markers) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (MetricsLog.Row r : rows) {
            double v = metric.applyAsDouble(r);
            if (!Double.isNaN(v)) {
                xs.add((double) r.step());
                ys.add(v);
            }
        }
        if (!xs.isEmpty()) {
            XYSeries s = chart.addSeries(name, xs, ys);
            s.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
    }
}
