package io.restorekit.status;

import java.util.List;
import java.util.Locale;

/** Small inline SVG charts (bars, lines) with labelled axes, no script and no external resources. */
public final class SvgCharts {
    private static final int W = 480;
    private static final int H = 220;
    private static final int LEFT = 50;
    private static final int BOTTOM = 30;
    private static final int TOP = 25;

    private SvgCharts() {
    }

    public static String bars(String id, String title, List<String> labels, List<Double> values) {
        double max = scale(values);
        StringBuilder svg = open(id, title, max);
        int n = Math.max(1, values.size());
        double slot = (W - LEFT - 10) / (double) n;
        for (int i = 0; i < values.size(); i++) {
            double h = values.get(i) / max * (H - TOP - BOTTOM);
            double x = LEFT + i * slot + slot * 0.15;
            svg.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                            + " fill=\"#3a7bd5\" data-value=\"%s\"><title>%s: %s</title></rect>", x, H - BOTTOM - h,
                    slot * 0.7, h, num(values.get(i)), ReportRenderer.esc(labels.get(i)), num(values.get(i))));
            svg.append(text(x + slot * 0.35, H - BOTTOM + 14, labels.get(i), "middle"));
        }
        return svg.append("</svg>").toString();
    }

    public static String line(String id, String title, List<String> labels, List<Double> values) {
        double max = scale(values);
        StringBuilder svg = open(id, title, max);
        int n = values.size();
        double step = n <= 1 ? 0 : (W - LEFT - 20) / (double) (n - 1);
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < n; i++) {
            double x = LEFT + 5 + i * step;
            double y = H - BOTTOM - values.get(i) / max * (H - TOP - BOTTOM);
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            svg.append(String.format(Locale.ROOT, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#d5533a\""
                    + " data-value=\"%s\"><title>%s: %s</title></circle>", x, y, num(values.get(i)),
                    ReportRenderer.esc(labels.get(i)), num(values.get(i))));
            if (n <= 16 || i % Math.max(1, n / 10) == 0) {
                svg.append(text(x, H - BOTTOM + 14, labels.get(i), "middle"));
            }
        }
        svg.append("<polyline fill=\"none\" stroke=\"#d5533a\" stroke-width=\"2\" points=\"")
                .append(points.toString().strip()).append("\"/>");
        return svg.append("</svg>").toString();
    }

    private static StringBuilder open(String id, String title, double max) {
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"chart-%s\" class=\"chart\" width=\"%d\" height=\"%d\""
                        + " viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">", ReportRenderer.esc(id), W, H, W, H,
                ReportRenderer.esc(title)));
        svg.append(text(W / 2.0, 15, title, "middle"));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>",
                LEFT, H - BOTTOM, W - 5, H - BOTTOM));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>",
                LEFT, TOP, LEFT, H - BOTTOM));
        svg.append(text(LEFT - 4, TOP + 4, num(max), "end")).append(text(LEFT - 4, H - BOTTOM, "0", "end"));
        return svg;
    }

    private static String text(double x, double y, String s, String anchor) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\">%s</text>",
                x, y, anchor, ReportRenderer.esc(s));
    }

    private static double scale(List<Double> values) {
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return max <= 0 ? 1 : max * 1.1;
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
