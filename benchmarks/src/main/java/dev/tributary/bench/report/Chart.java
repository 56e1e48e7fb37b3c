package dev.tributary.bench.report;

import java.util.List;
import java.util.Locale;

/**
 * Draws the ratios of a run as an SVG bar chart: one horizontal bar per peer and group, on a
 * logarithmic axis centred on 1× (same speed). Bars right of the centre line are peers slower than
 * Tributary; bars left of it are peers faster than Tributary. Written by hand, so the module needs
 * no plotting library.
 */
public final class Chart {

    /** One bar: a label and a ratio (peer ns/op ÷ Tributary ns/op). */
    public record Bar(String group, String label, double ratio) {}

    /** Ratios beyond 2^±LIMIT are drawn at the edge, with their value written on the bar. */
    private static final int LIMIT = 4;

    private static final int ROW = 18;
    private static final int LABEL_WIDTH = 560;
    private static final int PLOT_WIDTH = 480;
    private static final int TOP = 56;

    private Chart() {}

    /**
     * Renders the bars.
     *
     * @param title the chart's title
     * @param bars the bars, in drawing order; consecutive bars of one group share a band colour
     * @return an SVG document
     */
    public static String svg(String title, List<Bar> bars) {
        int width = LABEL_WIDTH + PLOT_WIDTH + 90;
        int height = TOP + bars.size() * ROW + 40;
        double mid = LABEL_WIDTH + PLOT_WIDTH / 2.0;
        double perOctave = PLOT_WIDTH / (2.0 * LIMIT);
        StringBuilder s = new StringBuilder();
        s.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\""
                                + " font-size=\"11\">\n",
                        width,
                        height,
                        width,
                        height));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(text(10, 20, 15, "start", "bold", title));
        s.append(
                text(
                        10,
                        38,
                        11,
                        "start",
                        "normal",
                        "peer ns/op ÷ Tributary ns/op (log scale): right of 1× = Tributary faster,"
                                + " left = the peer faster"));
        String previous = null;
        boolean shade = false;
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            int y = TOP + i * ROW;
            if (!b.group().equals(previous)) {
                shade = !shade;
                previous = b.group();
            }
            if (shade) {
                s.append(
                        String.format(
                                Locale.ROOT,
                                "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\""
                                        + " fill=\"#f2f4f7\"/>\n",
                                y,
                                width,
                                ROW));
            }
            s.append(text(LABEL_WIDTH - 8, y + 13, 11, "end", "normal", b.label()));
            double octaves = Math.log(b.ratio()) / Math.log(2);
            double clamped = Math.max(-LIMIT, Math.min(LIMIT, octaves));
            double x1 = mid + Math.min(0, clamped) * perOctave;
            double w = Math.abs(clamped) * perOctave;
            String colour = b.ratio() >= 1 ? "#2e8b57" : "#d2691e";
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n",
                            x1,
                            y + 3,
                            Math.max(w, 1),
                            ROW - 6,
                            colour));
            String value = String.format(Locale.ROOT, "%.2f×", b.ratio());
            // A slower-than-peer bar grows left towards the labels, so its value goes on the
            // empty side of the 1× line.
            double tx = b.ratio() >= 1 ? x1 + w + 4 : mid + 4;
            s.append(text(tx, y + 13, 10, "start", "normal", value));
        }
        int bottom = TOP + bars.size() * ROW;
        for (int o = -LIMIT; o <= LIMIT; o++) {
            double x = mid + o * perOctave;
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\""
                                    + " stroke-width=\"%s\"/>\n",
                            x,
                            TOP - 4,
                            x,
                            bottom,
                            o == 0 ? "#000" : "#ccc",
                            o == 0 ? "1.5" : "0.5"));
            String tick = o >= 0 ? (1 << o) + "×" : "1/" + (1 << -o);
            s.append(text(x, bottom + 14, 10, "middle", "normal", tick));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String text(
            double x, double y, int size, String anchor, String weight, String content) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\""
                        + " font-weight=\"%s\">%s</text>\n",
                x,
                y,
                size,
                anchor,
                weight,
                escape(content));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
